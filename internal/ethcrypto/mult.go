package ethcrypto

import "github.com/decred/dcrd/dcrec/secp256k1/v4"

// oddMultiples holds P, 3P, 5P, …, (2^(w−1)−1)P and their negations.
type oddMultiples struct {
	pos, neg [1 << (wnafWidth - 2)]secp256k1.JacobianPoint
}

// fill computes the odd multiples of p (normalised, Z = 1); if negate is
// set it stores the multiples of −p instead.
func (t *oddMultiples) fill(p *secp256k1.JacobianPoint, negate bool) {
	t.pos[0].Set(p)
	if negate {
		t.pos[0].Y.Negate(1).Normalize()
	}
	var twice secp256k1.JacobianPoint
	secp256k1.DoubleNonConst(&t.pos[0], &twice)
	for i := 1; i < len(t.pos); i++ {
		// P is the second operand so the first addition takes decred's
		// cheaper Z2 = 1 path.
		secp256k1.AddNonConst(&twice, &t.pos[i-1], &t.pos[i])
	}
	t.negateInto()
}

// endo sets t to φ applied to every entry of src, optionally negated:
// φ(X, Y, Z) = (β·X, Y, Z) in Jacobian coordinates.
func (t *oddMultiples) endo(src *oddMultiples, negate bool) {
	for i := range t.pos {
		if negate {
			t.pos[i].Set(&src.neg[i])
		} else {
			t.pos[i].Set(&src.pos[i])
		}
		t.pos[i].X.Mul(&glvBeta).Normalize()
	}
	t.negateInto()
}

func (t *oddMultiples) negateInto() {
	for i := range t.pos {
		t.neg[i].Set(&t.pos[i])
		t.neg[i].Y.Negate(1).Normalize()
	}
}

// lookup returns the table entry for a non-zero odd digit d.
func (t *oddMultiples) lookup(d int8) *secp256k1.JacobianPoint {
	if d > 0 {
		return &t.pos[d>>1]
	}
	return &t.neg[(-d)>>1]
}

// mulAddG sets result = a·G + b·P for a normalised point P (Z = 1).
//
// a·G uses decred's precomputed base-point tables. b·P splits b with the
// endomorphism into two 128-bit halves and runs one shared
// double-and-add loop over their width-5 NAF digits (Shamir/Strauss), so the
// two halves share ~128 doublings and need ~43 additions instead of the ~86
// a plain NAF needs.
func mulAddG(a, b *secp256k1.ModNScalar, p, result *secp256k1.JacobianPoint) {
	var aG secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(a, &aG)

	k1, k2 := splitScalar(b)
	neg1 := k1.IsOverHalfOrder()
	if neg1 {
		k1.Negate()
	}
	neg2 := k2.IsOverHalfOrder()
	if neg2 {
		k2.Negate()
	}
	var d1, d2 [wnafMaxLen]int8
	n1, n2 := wnaf(&k1, &d1), wnaf(&k2, &d2)

	// Tables for ±P and ±φ(P); the sign of each half is folded into its
	// table so the loop only looks at digits.
	var t1, t2 oddMultiples
	t1.fill(p, neg1)
	t2.endo(&t1, neg1 != neg2)

	var q secp256k1.JacobianPoint
	for i := max(n1, n2) - 1; i >= 0; i-- {
		secp256k1.DoubleNonConst(&q, &q)
		if i < n1 && d1[i] != 0 {
			secp256k1.AddNonConst(&q, t1.lookup(d1[i]), &q)
		}
		if i < n2 && d2[i] != 0 {
			secp256k1.AddNonConst(&q, t2.lookup(d2[i]), &q)
		}
	}
	secp256k1.AddNonConst(&q, &aG, result)
}
