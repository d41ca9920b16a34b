package ethcrypto

import "github.com/decred/dcrd/dcrec/secp256k1/v4"

// ctDigits is the number of signed base-16 digits for a GLV half: the
// halves are below 2¹²⁹, so 32 steps leave a last digit of 1.
const ctDigits = 33

// feBeta is β, the cube root of unity mod p with φ(x, y) = (β·x, y) = λ·(x, y).
var feBeta = feFromHex("7ae96a2b657c07106e64479eac3434e99cf0497512f58995c1396c28719501ee")

func feFromHex(s string) fe {
	b := decodeHex32(s)
	var f fe
	if !f.setBytes(&b) {
		panic("ethcrypto: field constant overflows")
	}
	return f
}

// scalarMagnitude returns |k| as limbs, reading k above n/2 as k − n, and a
// mask that is all ones if k was negative. It does not branch on k.
func scalarMagnitude(k *secp256k1.ModNScalar) ([5]uint64, uint64) {
	negMask := -uint64(boolBit(k.IsOverHalfOrder()))
	var neg secp256k1.ModNScalar
	neg.NegateVal(k)
	pos, nb := k.Bytes(), neg.Bytes()
	a, b := bytesToLimbs(pos), bytesToLimbs(nb)
	out := [5]uint64{a[0], a[1], a[2], a[3]}
	cmovLimbs(&out, &[5]uint64{b[0], b[1], b[2], b[3]}, negMask)
	return out, negMask
}

// boolBit converts a bool to 0 or 1; the compiler emits a SETcc, not a branch.
func boolBit(b bool) uint64 {
	var x uint64
	if b {
		x = 1
	}
	return x
}

// ctTable holds P, 3P, …, 15P.
type ctTable [8]jacobian

// lookup returns d·P for an odd digit d ∈ [−15, 15], reading every entry
// so that the memory access pattern does not depend on d.
func (t *ctTable) lookup(d int8) jacobian {
	idx, negMask := digitIndex(d)
	var r jacobian
	for j := range t {
		r.cmov(&t[j], eqMask(uint64(j), idx))
	}
	var ny fe
	ny.neg(&r.y)
	r.y.cmov(&ny, negMask)
	return r
}

// mulCT returns k·P for a secret scalar k ≠ 0 and a valid point P. Its
// sequence of field operations and memory accesses is the same for every k:
// the GLV split halves are recoded into 33 odd signed digits each, every
// window costs four doublings and two additions with entries read by a full
// table scan, and signs and the even-scalar corrections are applied with
// masks. The additions skip the exceptional-case checks (P = ±Q or
// infinity): with odd digits and a prime-order group those need the partial
// sums to satisfy a relation that only a 2⁻¹²⁷-probability choice of k
// meets.
func mulCT(k *secp256k1.ModNScalar, p *affine) jacobian {
	k1, k2 := splitScalar(k)
	a1, neg1 := scalarMagnitude(&k1)
	a2, neg2 := scalarMagnitude(&k2)
	even1, even2 := makeOdd(&a1), makeOdd(&a2)
	var d1, d2 [ctDigits]int8
	recodeOdd(a1, d1[:])
	recodeOdd(a2, d2[:])

	// t1 holds the odd multiples of ±P, t2 those of ±φ(P); each half's
	// sign is folded into its table.
	var t1, t2 ctTable
	t1[0].setAffine(p)
	var ny fe
	ny.neg(&p.y)
	t1[0].y.cmov(&ny, neg1)
	var twice jacobian
	twice.double(&t1[0])
	for i := 1; i < len(t1); i++ {
		t1[i].addUnchecked(&t1[i-1], &twice)
	}
	flip := neg1 ^ neg2
	for i := range t2 {
		t2[i].x.mul(&t1[i].x, &feBeta)
		t2[i].y = t1[i].y
		ny.neg(&t1[i].y)
		t2[i].y.cmov(&ny, flip)
		t2[i].z = t1[i].z
	}

	acc := t1.lookup(d1[ctDigits-1])
	q := t2.lookup(d2[ctDigits-1])
	acc.addUnchecked(&acc, &q)
	for i := ctDigits - 2; i >= 0; i-- {
		acc.double(&acc)
		acc.double(&acc)
		acc.double(&acc)
		acc.double(&acc)
		q = t1.lookup(d1[i])
		acc.addUnchecked(&acc, &q)
		q = t2.lookup(d2[i])
		acc.addUnchecked(&acc, &q)
	}

	// Undo makeOdd: subtract ±P and ±φ(P) where a half was rounded up.
	var fix jacobian
	q.neg(&t1[0])
	fix.addUnchecked(&acc, &q)
	acc.cmov(&fix, even1)
	q.neg(&t2[0])
	fix.addUnchecked(&acc, &q)
	acc.cmov(&fix, even2)
	return acc
}
