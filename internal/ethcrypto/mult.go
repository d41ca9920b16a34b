package ethcrypto

import "github.com/decred/dcrd/dcrec/secp256k1/v4"

// oddMultiples holds P, 3P, 5P, …, (2^(w−1)−1)P.
type oddMultiples [1 << (wnafWidth - 2)]jacobian

// fill computes the odd multiples of p, or of −p if negate is set.
func (t *oddMultiples) fill(p *affine, negate bool) {
	t[0].setAffine(p)
	if negate {
		t[0].y.neg(&t[0].y)
	}
	var twice jacobian
	twice.double(&t[0])
	for i := 1; i < len(t); i++ {
		t[i].add(&t[i-1], &twice)
	}
}

// endo sets t to φ applied to every entry of src, negated if negate is set:
// φ(X, Y, Z) = (β·X, Y, Z) in Jacobian coordinates.
func (t *oddMultiples) endo(src *oddMultiples, negate bool) {
	for i := range t {
		t[i] = src[i]
		t[i].x.mul(&t[i].x, &feBeta)
		if negate {
			t[i].y.neg(&t[i].y)
		}
	}
}

// addDigit adds d·P to q for a non-zero odd digit d.
func (t *oddMultiples) addDigit(q *jacobian, d int8) {
	if d > 0 {
		q.add(q, &t[d>>1])
		return
	}
	var n jacobian
	n.neg(&t[(-d)>>1])
	q.add(q, &n)
}

// mulAddG returns a·G + b·P for public scalars and a valid point P. It is
// variable-time and only used on data from the network (signature
// recovery and verification).
//
// a·G uses the fixed-base table (base.go). b·P splits b with the
// endomorphism into two 128-bit halves and runs one shared double-and-add
// loop over their width-5 NAF digits (Shamir/Strauss), so the two halves
// share ~128 doublings and need ~43 additions instead of the ~86 a plain
// NAF needs.
func mulAddG(a, b *secp256k1.ModNScalar, p *affine) jacobian {
	var q jacobian
	if !b.IsZero() {
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
		for i := max(n1, n2) - 1; i >= 0; i-- {
			q.double(&q)
			if i < n1 && d1[i] != 0 {
				t1.addDigit(&q, d1[i])
			}
			if i < n2 && d2[i] != 0 {
				t2.addDigit(&q, d2[i])
			}
		}
	}
	if !a.IsZero() {
		aG := mulBaseCT(a)
		q.add(&q, &aG)
	}
	return q
}
