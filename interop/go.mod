module github.com/devp2p-go/devp2p/interop

go 1.25.0

replace github.com/devp2p-go/devp2p => ../

require (
	github.com/decred/dcrd/dcrec/secp256k1/v4 v4.4.1
	github.com/devp2p-go/devp2p v0.0.0-00010101000000-000000000000
	github.com/ethereum/go-ethereum v1.17.10
)

require (
	github.com/ProjectZKM/Ziren/crates/go-runtime/zkvm_runtime v0.0.0-20251001021608-1fe7b43fc4d6 // indirect
	github.com/golang/snappy v1.0.1-0.20260716114414-9ae09f520e93 // indirect
	github.com/holiman/uint256 v1.3.2 // indirect
	golang.org/x/crypto v0.55.0 // indirect
	golang.org/x/sys v0.47.0 // indirect
)
