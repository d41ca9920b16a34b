//go:build libsecp256k1 && cgo

package ethcrypto

import "github.com/decred/dcrd/dcrec/secp256k1/v4"

func init() {
	impls = append(impls, impl{
		name:           "libsecp256k1",
		ecdh:           ecdhC,
		ecdhCompressed: ecdhCompressedC,
		pubkey:         pubkeyC,
		sign:           signC,
		recover:        func(hash, sig []byte) (*secp256k1.PublicKey, error) { return checkedRecover(hash, sig, recoverC) },
		verify: func(pub *secp256k1.PublicKey, hash, sig []byte) bool {
			return checkedVerify(pub, hash, sig, verifyC)
		},
		parse: parseC,
	})
}
