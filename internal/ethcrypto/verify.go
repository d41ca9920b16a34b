package ethcrypto

import "github.com/decred/dcrd/dcrec/secp256k1/v4"

// fieldN is the group order n as a field element (n < p).
var fieldN = fieldFromHex("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")

// VerifyENR reports whether sig (r‖s) is a valid signature of hash by pub.
// Like go-ethereum, it rejects signatures whose S is above half the group
// order (malleable signatures) and r or s that are zero or ≥ n.
//
// It computes X = (e·s⁻¹)·G + (r·s⁻¹)·Q with the same combined
// multiplication as Recover and accepts if X's x coordinate is ≡ r (mod n),
// comparing in Jacobian coordinates to avoid an inversion.
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
	var e, w, u1, u2 secp256k1.ModNScalar
	e.SetByteSlice(hash)
	w.InverseValNonConst(&s)
	u1.Mul2(&e, &w)
	u2.Mul2(&r, &w)

	var q, x secp256k1.JacobianPoint
	pub.AsJacobian(&q)
	mulAddG(&u1, &u2, &q, &x)
	if x.Z.IsZero() || (x.X.IsZero() && x.Y.IsZero()) {
		return false
	}

	// x.X/Z² is the affine x in [0, p). Its residue mod n equals r iff it is
	// r, or r+n when that is still below p.
	var z2, rf, t secp256k1.FieldVal
	z2.SquareVal(&x.Z)
	rb := r.Bytes()
	rf.SetBytes(&rb)
	if t.Mul2(&rf, &z2).Normalize().Equals(&x.X) {
		return true
	}
	if rf.IsGtOrEqPrimeMinusOrder() {
		return false
	}
	rf.Add(&fieldN).Normalize()
	return t.Mul2(&rf, &z2).Normalize().Equals(&x.X)
}
