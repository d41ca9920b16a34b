package ethcrypto

import "github.com/decred/dcrd/dcrec/secp256k1/v4"

// ECDH returns the 32-byte x coordinate of priv·pub, left-padded with zeros.
// pub must already be validated (every parser in this package does that);
// for a key that is not on the curve, or a zero private key, ECDH returns 32
// zero bytes.
//
// The multiplication is constant-time in every backend, because priv is
// often the node's static key and the remote chooses pub: the pure-Go
// backend uses mulCT, libsecp256k1 its secp256k1_ecdh.
func ECDH(priv *secp256k1.PrivateKey, pub *secp256k1.PublicKey) [32]byte {
	return backendECDH(priv, pub)
}

// ECDHCompressed returns priv·pub as a 33-byte compressed point: 0x02 or
// 0x03 for an even or odd y, then x. It is the shared secret of discv5
// (discv5-theory.md, "Identity-Specific Cryptography"). Validation and
// constant-time behaviour are ECDH's; for a key that is not on the curve,
// or a zero private key, it returns 33 zero bytes.
func ECDHCompressed(priv *secp256k1.PrivateKey, pub *secp256k1.PublicKey) [33]byte {
	return backendECDHCompressed(priv, pub)
}

// ecdhPointGo returns priv·pub in affine coordinates, or false for an
// off-curve point or a zero key.
func ecdhPointGo(priv *secp256k1.PrivateKey, pub *secp256k1.PublicKey) (affine, bool) {
	// Like libsecp256k1's parse inside secp256k1_ecdh, refuse a key built
	// around the parsers: a point off the curve would leak the key.
	p, ok := pubToAffine(pub)
	if !ok || !p.onCurve() || priv.Key.IsZero() {
		return affine{}, false
	}
	q := mulCT(&priv.Key, &p)
	return q.toAffine(), true
}

// ecdhGo is the pure-Go x-only ECDH.
func ecdhGo(priv *secp256k1.PrivateKey, pub *secp256k1.PublicKey) [32]byte {
	a, ok := ecdhPointGo(priv, pub)
	if !ok {
		return [32]byte{}
	}
	return a.x.bytes()
}

// ecdhCompressedGo is the pure-Go ECDHCompressed. The prefix comes from
// the low bit of y (normalised by toAffine) without a branch.
func ecdhCompressedGo(priv *secp256k1.PrivateKey, pub *secp256k1.PublicKey) [33]byte {
	var out [33]byte
	a, ok := ecdhPointGo(priv, pub)
	if !ok {
		return out
	}
	out[0] = secp256k1.PubKeyFormatCompressedEven | byte(a.y[0]&1)
	x := a.x.bytes()
	copy(out[1:], x[:])
	return out
}

// PubkeyOf returns the public key of priv, computed in constant time
// (decred's PrivateKey.PubKey is variable-time).
func PubkeyOf(priv *secp256k1.PrivateKey) *secp256k1.PublicKey {
	return backendPubkey(priv)
}

// pubkeyGo is the pure-Go PubkeyOf.
func pubkeyGo(priv *secp256k1.PrivateKey) *secp256k1.PublicKey {
	if priv.Key.IsZero() {
		return priv.PubKey() // decred's answer for a key no generator makes
	}
	q := mulBaseCT(&priv.Key)
	a := q.toAffine()
	return affineToPub(&a)
}
