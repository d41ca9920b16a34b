package ethcrypto

import (
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// Recover returns the public key that made the recoverable signature sig
// (r‖s‖v) over a 32-byte hash.
//
// Only the recovery ids Ethereum produces are accepted: v must be 0 (even y)
// or 1 (odd y). The ids 2 and 3, which would mean the nonce point's x
// coordinate is r+n rather than r, are rejected: they occur with probability
// about 2⁻¹²⁷ and no Ethereum signer emits them. r and s must lie in [1, n−1];
// high s values are accepted (as in go-ethereum's Ecrecover). All failures
// wrap ErrInvalidSignature.
//
// The recovered key is Q = r⁻¹·(s·R − e·G), computed as one combined
// multiplication u1·G + u2·R with u1 = −e·r⁻¹ and u2 = s·r⁻¹.
func Recover(hash, sig []byte) (*secp256k1.PublicKey, error) {
	if len(hash) != 32 {
		return nil, fmt.Errorf("%w: hash is %d bytes, want 32", ErrInvalidSignature, len(hash))
	}
	if len(sig) != SignatureSize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidSignature, len(sig), SignatureSize)
	}
	v := sig[64]
	if v > 1 {
		return nil, fmt.Errorf("%w: recovery id %d", ErrInvalidSignature, v)
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || r.IsZero() {
		return nil, fmt.Errorf("%w: r out of range", ErrInvalidSignature)
	}
	if s.SetByteSlice(sig[32:64]) || s.IsZero() {
		return nil, fmt.Errorf("%w: s out of range", ErrInvalidSignature)
	}

	// R = (r, y) with y of the parity named by v. r < n < p, so r is already
	// a canonical field element; DecompressY fails if r³+7 has no root.
	var R secp256k1.JacobianPoint
	if R.X.SetByteSlice(sig[:32]) {
		return nil, fmt.Errorf("%w: r out of range", ErrInvalidSignature)
	}
	if !secp256k1.DecompressY(&R.X, v == 1, &R.Y) {
		return nil, fmt.Errorf("%w: r is not the x coordinate of a curve point", ErrInvalidSignature)
	}
	R.Z.SetInt(1)

	// e is the hash reduced mod n (an overflow just means it was reduced).
	var e secp256k1.ModNScalar
	e.SetByteSlice(hash)

	var rInv, u1, u2 secp256k1.ModNScalar
	rInv.InverseValNonConst(&r)
	u1.Mul2(&e, &rInv).Negate()
	u2.Mul2(&s, &rInv)

	var q secp256k1.JacobianPoint
	mulAddG(&u1, &u2, &R, &q)
	if q.Z.IsZero() || (q.X.IsZero() && q.Y.IsZero()) {
		return nil, fmt.Errorf("%w: recovered the point at infinity", ErrInvalidSignature)
	}
	q.ToAffine()
	return secp256k1.NewPublicKey(&q.X, &q.Y), nil
}
