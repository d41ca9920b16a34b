package ethcrypto

import (
	"bytes"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

var (
	// feN is the group order n as a field element (n < p).
	feN = feFromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
	// pMinusN is p − n big-endian: r + n is a field element iff r < p − n.
	pMinusN = decodeHex32("000000000000000000000000000000014551231950b75fc4402da1722fc9baee")
)

// VerifyENR reports whether sig (r‖s) is a valid signature of hash by pub.
// Like go-ethereum, it rejects signatures whose S is above half the group
// order (malleable signatures) and r or s that are zero or ≥ n.
func VerifyENR(pub *secp256k1.PublicKey, hash, sig []byte) bool {
	if pub == nil || len(sig) != ENRSignatureSize || len(hash) != 32 {
		return false
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) {
		return false
	}
	if r.IsZero() || s.IsZero() || s.IsOverHalfOrder() {
		return false
	}
	return backendVerify(pub, hash, sig)
}

// verifyGo is the pure-Go check of a signature whose r and s VerifyENR has
// range-checked.
//
// It computes X = (e·s⁻¹)·G + (r·s⁻¹)·Q with the same combined
// multiplication as recovery and accepts if X's x coordinate is ≡ r
// (mod n), comparing in Jacobian coordinates to avoid an inversion.
func verifyGo(pub *secp256k1.PublicKey, hash, sig []byte) bool {
	q, ok := pubToAffine(pub)
	if !ok || !q.onCurve() {
		return false // libsecp256k1 rejects such a key when parsing it
	}
	var r, s secp256k1.ModNScalar
	r.SetByteSlice(sig[:32])
	s.SetByteSlice(sig[32:])
	var e, w, u1, u2 secp256k1.ModNScalar
	e.SetByteSlice(hash)
	w.InverseValNonConst(&s)
	u1.Mul2(&e, &w)
	u2.Mul2(&r, &w)

	x := mulAddG(&u1, &u2, &q)
	if x.isInfinity() {
		return false
	}
	// x.x/Z² is the affine x in [0, p). Its residue mod n equals r iff it is
	// r, or r+n when that is still below p.
	var z2, rf, t fe
	z2.sqr(&x.z)
	rb := [32]byte(sig[:32])
	rf.setBytes(&rb)
	if t.mul(&rf, &z2); t.equal(&x.x) {
		return true
	}
	if bytes.Compare(rb[:], pMinusN[:]) >= 0 {
		return false
	}
	rf.add(&rf, &feN)
	t.mul(&rf, &z2)
	return t.equal(&x.x)
}
