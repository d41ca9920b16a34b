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

// ctTable holds P, 3P, …, 15P as affine points on an isomorphic curve
// (see oddMultiplesGlobalZ).
type ctTable [8]affine

// lookup returns d·P for an odd digit d ∈ [−15, 15], reading every entry
// so that the memory access pattern does not depend on d.
func (t *ctTable) lookup(d int8) affine {
	idx, negMask := digitIndex(d)
	var r affine
	for j := range t {
		m := eqMask(uint64(j), idx)
		r.x.cmov(&t[j].x, m)
		r.y.cmov(&t[j].y, m)
	}
	var ny fe
	ny.neg(&r.y)
	r.y.cmov(&ny, negMask)
	return r
}

// oddMultiplesGlobalZ fills t with P, 3P, …, 15P such that all share one
// Jacobian Z, returned as zg, and stores only their X and Y. Formulas for
// y² = x³ + b never use b, and (X, Y, Z) ↦ (X, Y) maps points with Z = zg
// to affine points of the isomorphic curve y² = x³ + 7·zg⁶. So the
// multiplication can run on that curve with the cheaper mixed additions and
// fix its result at the end by multiplying Z by zg, and no inversion is
// needed to build the table. The same idea is in libsecp256k1's ecmult.
//
// The multiples are built by adding D = 2P, first moved to the curve where
// D itself is affine, and each entry is then rescaled to the last one's Z
// through the ratios the additions return.
func oddMultiplesGlobalZ(p *affine, t *ctTable) (zg fe) {
	var pj, d jacobian
	pj.setAffine(p)
	d.double(&pj)
	var zd2, zd3 fe
	zd2.sqr(&d.z)
	zd3.mul(&zd2, &d.z)
	dA := affine{d.x, d.y}

	var m [len(t)]jacobian
	var h [len(t)]fe // h[i] = Z(m[i]) / Z(m[i−1])
	m[0].x.mul(&p.x, &zd2)
	m[0].y.mul(&p.y, &zd3)
	m[0].z = fe{1}
	for i := 1; i < len(m); i++ {
		// (2i−1)·P + 2P is never exceptional.
		h[i] = m[i].addAffineUnchecked(&m[i-1], &dA)
	}
	last := len(t) - 1
	t[last] = affine{m[last].x, m[last].y}
	s := h[last] // Z(m[last]) / Z(m[i]) for the entry i being rescaled
	for i := last - 1; i >= 0; i-- {
		var s2, s3 fe
		s2.sqr(&s)
		s3.mul(&s2, &s)
		t[i].x.mul(&m[i].x, &s2)
		t[i].y.mul(&m[i].y, &s3)
		if i > 0 {
			s.mul(&s, &h[i])
		}
	}
	zg.mul(&m[last].z, &d.z)
	return zg
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

	// t1 holds the odd multiples of ±P, t2 those of ±φ(P) = (β·x, ±y);
	// each half's sign is folded into its table. φ commutes with the
	// isomorphism, so t2 shares t1's zg.
	var t1, t2 ctTable
	zg := oddMultiplesGlobalZ(p, &t1)
	flip := neg1 ^ neg2
	var ny fe
	for i := range t1 {
		ny.neg(&t1[i].y)
		t1[i].y.cmov(&ny, neg1)
		t2[i].x.mul(&t1[i].x, &feBeta)
		t2[i].y = t1[i].y
		ny.neg(&t1[i].y)
		t2[i].y.cmov(&ny, flip)
	}

	var acc jacobian
	q := t1.lookup(d1[ctDigits-1])
	acc.setAffine(&q)
	q = t2.lookup(d2[ctDigits-1])
	acc.addAffineUnchecked(&acc, &q)
	for i := ctDigits - 2; i >= 0; i-- {
		acc.double(&acc)
		acc.double(&acc)
		acc.double(&acc)
		acc.double(&acc)
		q = t1.lookup(d1[i])
		acc.addAffineUnchecked(&acc, &q)
		q = t2.lookup(d2[i])
		acc.addAffineUnchecked(&acc, &q)
	}

	// Undo makeOdd: subtract ±P and ±φ(P) where a half was rounded up.
	var fix jacobian
	q = t1[0]
	q.y.neg(&q.y)
	fix.addAffineUnchecked(&acc, &q)
	acc.cmov(&fix, even1)
	q = t2[0]
	q.y.neg(&q.y)
	fix.addAffineUnchecked(&acc, &q)
	acc.cmov(&fix, even2)

	// Back from the isomorphic curve.
	acc.z.mul(&acc.z, &zg)
	return acc
}
