package ethcrypto

// jacobian is a point on y² = x³ + 7 in Jacobian coordinates: (X, Y, Z)
// stands for (X/Z², Y/Z³); Z = 0 is the point at infinity.
type jacobian struct{ x, y, z fe }

// affine is a point with Z = 1 left implicit. It is never the point at
// infinity.
type affine struct{ x, y fe }

// feB is the curve constant b = 7.
var feB = fe{7}

// isInfinity reports whether p is the point at infinity.
func (p *jacobian) isInfinity() bool { return p.z.isZero() }

// setAffine sets p = a.
func (p *jacobian) setAffine(a *affine) {
	p.x, p.y, p.z = a.x, a.y, fe{1}
}

// onCurve reports whether (x, y) satisfies y² = x³ + 7.
func (a *affine) onCurve() bool {
	var l, r fe
	l.sqr(&a.y)
	r.sqr(&a.x)
	r.mul(&r, &a.x)
	r.add(&r, &feB)
	return l.equal(&r)
}

// double sets r = 2p (dbl-2009-l with a = 0: 3M + 4S). It has no branches;
// doubling infinity gives infinity (Z stays 0) and no point of a prime-order
// curve has Y = 0.
func (r *jacobian) double(p *jacobian) {
	var a, b, c, d, e, t, z fe
	a.sqr(&p.x)
	b.sqr(&p.y)
	c.sqr(&b)
	d.mul(&p.x, &b)
	d.mulSmall(&d, 4) // D = 4·X·Y²
	e.mulSmall(&a, 3) // E = 3·X²
	z.mul(&p.y, &p.z)
	r.z.double(&z)
	r.x.sqr(&e)
	t.double(&d)
	r.x.sub(&r.x, &t) // X3 = E² − 2D
	t.sub(&d, &r.x)
	r.y.mul(&e, &t)
	c.mulSmall(&c, 8)
	r.y.sub(&r.y, &c) // Y3 = E·(D − X3) − 8C
}

// addUnchecked sets r = p + q (add-1998-cmo-2: 12M + 4S) assuming
// p ≠ ±q and neither is infinity; the constant-time multiplications only
// call it where those cases have negligible probability (see mult_ct.go).
func (r *jacobian) addUnchecked(p, q *jacobian) {
	var z1z1, z2z2, u1, u2, s1, s2, h, rr, z fe
	z1z1.sqr(&p.z)
	z2z2.sqr(&q.z)
	u1.mul(&p.x, &z2z2)
	u2.mul(&q.x, &z1z1)
	s1.mul(&p.y, &q.z)
	s1.mul(&s1, &z2z2)
	s2.mul(&q.y, &p.z)
	s2.mul(&s2, &z1z1)
	h.sub(&u2, &u1)
	rr.sub(&s2, &s1)
	z.mul(&p.z, &q.z)
	r.addTail(&z, &u1, &s1, &h, &rr)
}

// addTail finishes an addition from Z1·Z2, U1, S1, H = U2 − U1 and
// R = S2 − S1. Its inputs may alias r's coordinates.
func (r *jacobian) addTail(z12, u1, s1, h, rr *fe) {
	var hh, hhh, v, t, s1h3 fe
	hh.sqr(h)
	hhh.mul(&hh, h)
	v.mul(u1, &hh)
	s1h3.mul(s1, &hhh)
	r.z.mul(z12, h)
	r.x.sqr(rr)
	r.x.sub(&r.x, &hhh)
	t.double(&v)
	r.x.sub(&r.x, &t) // X3 = R² − H³ − 2·U1·H²
	t.sub(&v, &r.x)
	r.y.mul(rr, &t)
	r.y.sub(&r.y, &s1h3) // Y3 = R·(U1·H² − X3) − S1·H³
}

// addAffineUnchecked sets r = p + q for an affine q (8M + 3S), with the same
// preconditions as addUnchecked. It returns H, the ratio of r's Z to p's.
func (r *jacobian) addAffineUnchecked(p *jacobian, q *affine) (h fe) {
	var z1z1, u2, s2, rr fe
	z1z1.sqr(&p.z)
	u2.mul(&q.x, &z1z1)
	s2.mul(&q.y, &p.z)
	s2.mul(&s2, &z1z1)
	h.sub(&u2, &p.x)
	rr.sub(&s2, &p.y)
	z := p.z
	r.addTail(&z, &p.x, &p.y, &h, &rr)
	return h
}

// cmov sets r = p if mask is all ones, leaving it unchanged if mask is zero.
func (r *jacobian) cmov(p *jacobian, mask uint64) {
	r.x.cmov(&p.x, mask)
	r.y.cmov(&p.y, mask)
	r.z.cmov(&p.z, mask)
}

// toAffine returns p in affine coordinates; p must not be infinity. The
// inversion is constant-time.
func (p *jacobian) toAffine() affine {
	var zi, zi2, zi3 fe
	zi.inv(&p.z)
	zi2.sqr(&zi)
	zi3.mul(&zi2, &zi)
	var a affine
	a.x.mul(&p.x, &zi2)
	a.y.mul(&p.y, &zi3)
	a.x.normalize()
	a.y.normalize()
	return a
}
