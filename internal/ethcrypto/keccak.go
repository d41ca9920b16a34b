package ethcrypto

import (
	"hash"
	"sync"

	"golang.org/x/crypto/sha3"
)

// keccakPool recycles Keccak-256 states (about 400 bytes each): discv4
// hashes every packet twice.
var keccakPool = sync.Pool{New: func() any { return sha3.NewLegacyKeccak256() }}

// NewKeccak256 returns a legacy Keccak-256 hash (Ethereum's "keccak256",
// which is not SHA3-256). Its Sum method does not reset the running state.
func NewKeccak256() hash.Hash { return sha3.NewLegacyKeccak256() }

// Keccak256 returns the legacy Keccak-256 digest of the concatenated inputs.
func Keccak256(data ...[]byte) [32]byte {
	h := keccakPool.Get().(hash.Hash)
	h.Reset()
	for _, b := range data {
		h.Write(b)
	}
	var out [32]byte
	h.Sum(out[:0])
	keccakPool.Put(h)
	return out
}
