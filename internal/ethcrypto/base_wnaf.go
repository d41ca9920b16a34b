package ethcrypto

import "sync"

// gOdd[i] is (2i+1)·G and gOddEndo[i] is φ((2i+1)·G), in affine
// coordinates, for the variable-time a·G in mulAddG. 8 KiB, built on first
// use.
var (
	gOdd, gOddEndo *[1 << (wnafWidthG - 2)]affine
	gOddOnce       sync.Once
)

func buildGOdd() {
	var jac [1 << (wnafWidthG - 2)]jacobian
	var twice jacobian
	jac[0].setAffine(&affine{feGx, feGy})
	twice.double(&jac[0])
	for i := 1; i < len(jac); i++ {
		jac[i].addUnchecked(&jac[i-1], &twice)
	}
	t, te := new([len(jac)]affine), new([len(jac)]affine)
	batchToAffine(jac[:], func(i int, a affine) {
		t[i] = a
		te[i].x.mul(&a.x, &feBeta)
		te[i].x.normalize()
		te[i].y = a.y
	})
	gOdd, gOddEndo = t, te
}

// addAffine sets r = p + q for any p and an affine q, branching on the
// exceptional cases. It is for public inputs only.
func (r *jacobian) addAffine(p *jacobian, q *affine) {
	if p.isInfinity() {
		r.setAffine(q)
		return
	}
	var z1z1, u2, s2, h, rr fe
	z1z1.sqr(&p.z)
	u2.mul(&q.x, &z1z1)
	s2.mul(&q.y, &p.z)
	s2.mul(&s2, &z1z1)
	h.sub(&u2, &p.x)
	rr.sub(&s2, &p.y)
	if h.isZero() {
		if rr.isZero() {
			r.double(p)
			return
		}
		*r = jacobian{}
		return
	}
	z := p.z
	r.addTail(&z, &p.x, &p.y, &h, &rr)
}

// addGDigit adds d·G (or d·φ(G) from the endo table) to q for a non-zero
// odd digit d, negated if neg is set. If iso is set, q lives on the
// isomorphic curve of mulAddG's P table and the entry is moved there:
// (x·zg², y·zg³).
func addGDigit(q *jacobian, t *[1 << (wnafWidthG - 2)]affine, d int8, neg, iso bool, zg2, zg3 *fe) {
	if neg {
		d = -d
	}
	var e affine
	if d > 0 {
		e = t[d>>1]
	} else {
		e = t[(-d)>>1]
		e.y.neg(&e.y)
	}
	if iso {
		e.x.mul(&e.x, zg2)
		e.y.mul(&e.y, zg3)
	}
	q.addAffine(q, &e)
}
