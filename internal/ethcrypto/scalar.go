package ethcrypto

import "github.com/decred/dcrd/dcrec/secp256k1/v4"

// blindInfo separates the blinding-factor derivation from the nonce's in
// the RFC 6979 HMAC-DRBG: it is passed as the 32-byte "additional data"
// (NonceRFC6979 ignores extra data of any other length).
var blindInfo = Keccak256([]byte("ethcrypto nonce inversion blinding"))

// invNonce returns k⁻¹ mod n without exposing k to a timing side channel.
// decred's InverseValNonConst goes through math/big, whose running time
// depends on the operand, so it inverts k·b instead, for a blinding factor
// b that is a second HMAC-DRBG output keyed by the private key: k·b is
// uniform and independent of k, and k⁻¹ = b·(k·b)⁻¹. That costs one more
// DRBG run and two multiplications, against ~300 constant-time scalar
// squarings for a Fermat inversion (BenchmarkSign).
func invNonce(k *secp256k1.ModNScalar, privKey, hash []byte) secp256k1.ModNScalar {
	b := secp256k1.NonceRFC6979(privKey, hash, blindInfo[:], nil, 0)
	var kb, inv secp256k1.ModNScalar
	kb.Mul2(k, b)
	inv.InverseValNonConst(&kb)
	inv.Mul(b)
	b.Zero()
	kb.Zero()
	return inv
}
