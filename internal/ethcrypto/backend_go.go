//go:build !libsecp256k1 || !cgo

package ethcrypto

import "github.com/decred/dcrd/dcrec/secp256k1/v4"

// Backend names the secp256k1 implementation this build uses: "go" by
// default, "libsecp256k1" when built with the libsecp256k1 tag and cgo.
const Backend = "go"

func backendECDH(priv *secp256k1.PrivateKey, pub *secp256k1.PublicKey) [32]byte {
	return ecdhGo(priv, pub)
}

func backendECDHCompressed(priv *secp256k1.PrivateKey, pub *secp256k1.PublicKey) [33]byte {
	return ecdhCompressedGo(priv, pub)
}

func backendPubkey(priv *secp256k1.PrivateKey) *secp256k1.PublicKey { return pubkeyGo(priv) }

func backendSign(priv *secp256k1.PrivateKey, hash []byte) ([64]byte, byte) {
	return signGo(priv, hash)
}

func backendRecover(hash, sig []byte) ([PubkeySize]byte, error) { return recoverGo(hash, sig) }

func backendVerify(pub *secp256k1.PublicKey, hash, sig []byte) bool {
	return verifyGo(pub, hash, sig)
}

func backendParse(b []byte) (*secp256k1.PublicKey, bool) { return parseGo(b) }
