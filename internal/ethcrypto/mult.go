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
// Both scalars are split with the endomorphism into 128-bit halves, and one
// shared double-and-add loop (Shamir/Strauss) runs over the four NAF digit
// strings: width 5 for P and φ(P), whose odd multiples are computed per
// call, and width 8 for G and φ(G), whose tables are precomputed. So the
// four halves share ~128 doublings and need ~43 + ~28 additions.
func mulAddG(a, b *secp256k1.ModNScalar, p *affine) jacobian {
	var (
		db1, db2, da1, da2 [wnafMaxLen]int8
		nb1, nb2, na1, na2 int
		t1, t2             oddMultiples
		negA1, negA2       bool
	)
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
		nb1, nb2 = wnaf(&k1, &db1), wnaf(&k2, &db2)
		// The sign of each half is folded into its table so the loop only
		// looks at digits.
		t1.fill(p, neg1)
		t2.endo(&t1, neg1 != neg2)
	}
	if !a.IsZero() {
		gOddOnce.Do(buildGOdd)
		k1, k2 := splitScalar(a)
		negA1 = k1.IsOverHalfOrder()
		if negA1 {
			k1.Negate()
		}
		negA2 = k2.IsOverHalfOrder()
		if negA2 {
			k2.Negate()
		}
		na1, na2 = wnafW(&k1, &da1, wnafWidthG), wnafW(&k2, &da2, wnafWidthG)
	}
	var q jacobian
	for i := max(nb1, nb2, na1, na2) - 1; i >= 0; i-- {
		q.double(&q)
		if i < nb1 && db1[i] != 0 {
			t1.addDigit(&q, db1[i])
		}
		if i < nb2 && db2[i] != 0 {
			t2.addDigit(&q, db2[i])
		}
		if i < na1 && da1[i] != 0 {
			addGDigit(&q, gOdd, da1[i], negA1)
		}
		if i < na2 && da2[i] != 0 {
			addGDigit(&q, gOddEndo, da2[i], negA2)
		}
	}
	return q
}
