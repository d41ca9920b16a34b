package ethcrypto

import (
	"bytes"
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
func Recover(hash, sig []byte) (*secp256k1.PublicKey, error) {
	b, err := RecoverPubkey(hash, sig)
	if err != nil {
		return nil, err
	}
	return pubFromBytes(&b), nil
}

// RecoverPubkey is Recover returning the key in its 64-byte wire encoding
// (as MarshalPubkey), for callers such as discv4 that only need the bytes:
// it skips building a decred key.
func RecoverPubkey(hash, sig []byte) ([PubkeySize]byte, error) {
	if len(hash) != 32 {
		return [PubkeySize]byte{}, fmt.Errorf("%w: hash is %d bytes, want 32", ErrInvalidSignature, len(hash))
	}
	if len(sig) != SignatureSize {
		return [PubkeySize]byte{}, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidSignature, len(sig), SignatureSize)
	}
	if v := sig[64]; v > 1 {
		return [PubkeySize]byte{}, fmt.Errorf("%w: recovery id %d", ErrInvalidSignature, v)
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || r.IsZero() {
		return [PubkeySize]byte{}, fmt.Errorf("%w: r out of range", ErrInvalidSignature)
	}
	if s.SetByteSlice(sig[32:64]) || s.IsZero() {
		return [PubkeySize]byte{}, fmt.Errorf("%w: s out of range", ErrInvalidSignature)
	}
	return backendRecover(hash, sig)
}

// recoverGo is the pure-Go recovery for a signature whose length, r and s
// Recover has checked. It handles all four recovery ids (the backends are
// tested against each other on 2 and 3 too): bit 0 is the parity of the
// nonce point's y, bit 1 says its x is r + n, which must then be below p.
//
// The key is Q = r⁻¹·(s·R − e·G), computed as one combined multiplication
// u1·G + u2·R with u1 = −e·r⁻¹ and u2 = s·r⁻¹.
func recoverGo(hash, sig []byte) ([PubkeySize]byte, error) {
	var r, s secp256k1.ModNScalar
	r.SetByteSlice(sig[:32])
	s.SetByteSlice(sig[32:64])

	// R = (x, y) with x = r or r + n and y of the parity named by v.
	// r < n < p, so r is already a canonical field element.
	var R affine
	rb := [32]byte(sig[:32])
	R.x.setBytes(&rb)
	if sig[64]&2 != 0 {
		if bytes.Compare(rb[:], pMinusN[:]) >= 0 {
			return [PubkeySize]byte{}, fmt.Errorf("%w: r + n is not below p", ErrInvalidSignature)
		}
		R.x.add(&R.x, &feN)
	}
	var y2 fe
	y2.sqr(&R.x)
	y2.mul(&y2, &R.x)
	y2.add(&y2, &feB)
	if !R.y.sqrt(&y2) {
		return [PubkeySize]byte{}, fmt.Errorf("%w: r is not the x coordinate of a curve point", ErrInvalidSignature)
	}
	R.y.normalize()
	if R.y.isOdd() != (sig[64]&1 == 1) {
		R.y.neg(&R.y)
		R.y.normalize()
	}

	// e is the hash reduced mod n (an overflow just means it was reduced).
	var e secp256k1.ModNScalar
	e.SetByteSlice(hash)

	var rInv, u1, u2 secp256k1.ModNScalar
	rInv.InverseValNonConst(&r)
	u1.Mul2(&e, &rInv).Negate()
	u2.Mul2(&s, &rInv)

	q := mulAddG(&u1, &u2, &R)
	if q.isInfinity() {
		return [PubkeySize]byte{}, fmt.Errorf("%w: recovered the point at infinity", ErrInvalidSignature)
	}
	a := q.toAffine()
	return a.marshal(), nil
}
