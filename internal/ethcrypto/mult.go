package ethcrypto

import "github.com/decred/dcrd/dcrec/secp256k1/v4"

// addDigit adds d·P to q for a non-zero odd digit d, where t holds the odd
// multiples of P.
func (t *ctTable) addDigit(q *jacobian, d int8) {
	if d > 0 {
		q.addAffine(q, &t[d>>1])
		return
	}
	e := t[(-d)>>1]
	e.y.neg(&e.y)
	q.addAffine(q, &e)
}

// mulAddG returns a·G + b·P for public scalars and a valid point P. It is
// variable-time and only used on data from the network (signature
// recovery and verification).
//
// Both scalars are split with the endomorphism into 128-bit halves, and one
// shared double-and-add loop (Shamir/Strauss) runs over the four NAF digit
// strings: width 5 for P and φ(P), whose odd multiples are computed per
// call, and width 8 for G and φ(G), whose tables are precomputed. So the
// four halves share ~128 doublings and need ~43 + ~28 additions, all mixed:
// like mulCT, the loop runs on the isomorphic curve where P's table is
// affine (oddMultiplesGlobalZ), and G's entries are moved onto it as they
// are added (two multiplications each).
func mulAddG(a, b *secp256k1.ModNScalar, p *affine) jacobian {
	var (
		db1, db2, da1, da2 [wnafMaxLen]int8
		nb1, nb2, na1, na2 int
		t1, t2             ctTable
		negA1, negA2       bool
		zg, zg2, zg3       fe
		iso                bool // the loop runs on the curve of zg
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
		zg = oddMultiplesGlobalZ(p, &t1)
		zg2.sqr(&zg)
		zg3.mul(&zg2, &zg)
		iso = true
		for i := range t1 {
			if neg1 {
				t1[i].y.neg(&t1[i].y)
			}
			t2[i].x.mul(&t1[i].x, &feBeta)
			t2[i].y = t1[i].y
			if neg1 != neg2 {
				t2[i].y.neg(&t2[i].y)
			}
		}
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
			addGDigit(&q, gOdd, da1[i], negA1, iso, &zg2, &zg3)
		}
		if i < na2 && da2[i] != 0 {
			addGDigit(&q, gOddEndo, da2[i], negA2, iso, &zg2, &zg3)
		}
	}
	if iso {
		q.z.mul(&q.z, &zg)
	}
	return q
}

// The variable-time loop reads digits up to 2^(wnafWidth−1) − 1 from a
// ctTable; this fails to compile if the two sizes ever disagree.
var _ = [1]struct{}{}[len(ctTable{})-1<<(wnafWidth-2)]
