package ethcrypto

import "github.com/decred/dcrd/dcrec/secp256k1/v4"

// The public API keeps decred's key types; these convert at the edge. A
// decred public key holds normalised coordinates, so each direction is two
// 32-byte encodings (BenchmarkConvertPubkey).

// pubToAffine converts a public key to the package's point type. It fails
// only for a key built around decred's validation (coordinates ≥ p).
func pubToAffine(pub *secp256k1.PublicKey) (affine, bool) {
	var j secp256k1.JacobianPoint
	pub.AsJacobian(&j)
	var xb, yb [32]byte
	j.X.PutBytes(&xb)
	j.Y.PutBytes(&yb)
	var a affine
	ok := a.x.setBytes(&xb) && a.y.setBytes(&yb)
	return a, ok
}

// marshal returns the 64-byte X‖Y encoding of a.
func (a *affine) marshal() [PubkeySize]byte {
	var out [PubkeySize]byte
	x, y := a.x.bytes(), a.y.bytes()
	copy(out[:32], x[:])
	copy(out[32:], y[:])
	return out
}

// pubFromBytes builds a decred key from a 64-byte X‖Y encoding that a
// backend produced, so is known to be a valid point: no second curve check.
func pubFromBytes(b *[PubkeySize]byte) *secp256k1.PublicKey {
	var x, y secp256k1.FieldVal
	x.SetByteSlice(b[:32])
	y.SetByteSlice(b[32:])
	return secp256k1.NewPublicKey(&x, &y)
}

// affineToPub converts a point to a decred public key.
func affineToPub(a *affine) *secp256k1.PublicKey {
	xb, yb := a.x.bytes(), a.y.bytes()
	var x, y secp256k1.FieldVal
	x.SetBytes(&xb)
	y.SetBytes(&yb)
	return secp256k1.NewPublicKey(&x, &y)
}
