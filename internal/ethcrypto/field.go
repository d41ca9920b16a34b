package ethcrypto

import (
	"encoding/binary"
	"math/bits"
)

// fe is an element of the secp256k1 base field GF(p), p = 2²⁵⁶ − 2³² − 977,
// as four little-endian 64-bit limbs.
//
// Every operation returns a value below 2²⁵⁶ that is congruent to the result
// mod p but may be in [p, 2²⁵⁶) ("weakly reduced"); normalize brings it into
// [0, p). No operation branches on or indexes memory by the value, so the
// arithmetic is constant-time.
type fe [4]uint64

// feC is 2²⁵⁶ mod p = 2³² + 977: a carry out of bit 256 folds back in as a
// multiple of feC, which is the whole secp256k1-specific reduction.
const feC = 0x1000003d1

// feP is p as limbs.
var feP = fe{0xfffffffefffffc2f, 0xffffffffffffffff, 0xffffffffffffffff, 0xffffffffffffffff}

// mac adds a·b to the 192-bit accumulator (c0, c1, c2).
func mac(a, b, c0, c1, c2 uint64) (uint64, uint64, uint64) {
	hi, lo := bits.Mul64(a, b)
	var cc uint64
	c0, cc = bits.Add64(c0, lo, 0)
	c1, cc = bits.Add64(c1, hi, cc)
	return c0, c1, c2 + cc
}

// mul sets r = a·b.
func (r *fe) mul(a, b *fe) {
	a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
	b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
	var t0, t1, t2, t3, t4, t5, t6 uint64
	c0, c1, c2 := mac(a0, b0, 0, 0, 0)
	t0, c0, c1, c2 = c0, c1, c2, 0
	c0, c1, c2 = mac(a0, b1, c0, c1, c2)
	c0, c1, c2 = mac(a1, b0, c0, c1, c2)
	t1, c0, c1, c2 = c0, c1, c2, 0
	c0, c1, c2 = mac(a0, b2, c0, c1, c2)
	c0, c1, c2 = mac(a1, b1, c0, c1, c2)
	c0, c1, c2 = mac(a2, b0, c0, c1, c2)
	t2, c0, c1, c2 = c0, c1, c2, 0
	c0, c1, c2 = mac(a0, b3, c0, c1, c2)
	c0, c1, c2 = mac(a1, b2, c0, c1, c2)
	c0, c1, c2 = mac(a2, b1, c0, c1, c2)
	c0, c1, c2 = mac(a3, b0, c0, c1, c2)
	t3, c0, c1, c2 = c0, c1, c2, 0
	c0, c1, c2 = mac(a1, b3, c0, c1, c2)
	c0, c1, c2 = mac(a2, b2, c0, c1, c2)
	c0, c1, c2 = mac(a3, b1, c0, c1, c2)
	t4, c0, c1, c2 = c0, c1, c2, 0
	c0, c1, c2 = mac(a2, b3, c0, c1, c2)
	c0, c1, c2 = mac(a3, b2, c0, c1, c2)
	t5, c0, c1 = c0, c1, c2
	c0, c1, _ = mac(a3, b3, c0, c1, 0)
	t6 = c0
	r.reduce512(t0, t1, t2, t3, t4, t5, t6, c1)
}

// sqr sets r = a²: the six cross products once, doubled with one shift
// of the whole 512-bit sum, plus the four squares.
func (r *fe) sqr(a *fe) {
	a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
	var t1, t2, t3, t4, t5, t6, t7 uint64
	c0, c1, c2 := mac(a0, a1, 0, 0, 0)
	t1, c0, c1, c2 = c0, c1, c2, 0
	c0, c1, c2 = mac(a0, a2, c0, c1, c2)
	t2, c0, c1, c2 = c0, c1, c2, 0
	c0, c1, c2 = mac(a0, a3, c0, c1, c2)
	c0, c1, c2 = mac(a1, a2, c0, c1, c2)
	t3, c0, c1, c2 = c0, c1, c2, 0
	c0, c1, c2 = mac(a1, a3, c0, c1, c2)
	t4, c0, c1 = c0, c1, c2
	c0, c1, _ = mac(a2, a3, c0, c1, 0)
	t5, t6 = c0, c1

	// Double: the cross sum is below 2⁵¹¹, so the shift loses nothing.
	t7 = t6 >> 63
	t6 = t6<<1 | t5>>63
	t5 = t5<<1 | t4>>63
	t4 = t4<<1 | t3>>63
	t3 = t3<<1 | t2>>63
	t2 = t2<<1 | t1>>63
	t1 <<= 1

	var c uint64
	h, t0 := bits.Mul64(a0, a0)
	t1, c = bits.Add64(t1, h, 0)
	h, l := bits.Mul64(a1, a1)
	t2, c = bits.Add64(t2, l, c)
	t3, c = bits.Add64(t3, h, c)
	h, l = bits.Mul64(a2, a2)
	t4, c = bits.Add64(t4, l, c)
	t5, c = bits.Add64(t5, h, c)
	h, l = bits.Mul64(a3, a3)
	t6, c = bits.Add64(t6, l, c)
	t7, _ = bits.Add64(t7, h, c)
	r.reduce512(t0, t1, t2, t3, t4, t5, t6, t7)
}

// reduce512 sets r to the 512-bit value t (little-endian limbs) mod p,
// weakly reduced: t = lo + hi·2²⁵⁶ ≡ lo + hi·feC.
func (r *fe) reduce512(t0, t1, t2, t3, t4, t5, t6, t7 uint64) {
	// hi·feC is at most 256+33 bits: limbs h0..h4.
	var h0, h1, h2, h3, h4, c uint64
	var lo uint64
	h1, h0 = bits.Mul64(t4, feC)
	h2, lo = bits.Mul64(t5, feC)
	h1, c = bits.Add64(h1, lo, 0)
	h3, lo = bits.Mul64(t6, feC)
	h2, c = bits.Add64(h2, lo, c)
	h4, lo = bits.Mul64(t7, feC)
	h3, c = bits.Add64(h3, lo, c)
	h4 += c

	var r0, r1, r2, r3 uint64
	r0, c = bits.Add64(t0, h0, 0)
	r1, c = bits.Add64(t1, h1, c)
	r2, c = bits.Add64(t2, h2, c)
	r3, c = bits.Add64(t3, h3, c)
	h4 += c

	// h4 < 2³⁴: fold it once more; the sum fits in 256 bits plus one carry.
	hi, lo := bits.Mul64(h4, feC)
	r0, c = bits.Add64(r0, lo, 0)
	r1, c = bits.Add64(r1, hi, c)
	r2, c = bits.Add64(r2, 0, c)
	r3, c = bits.Add64(r3, 0, c)

	// A last carry leaves a value far below 2²⁵⁶ − feC, so this cannot carry.
	r0, c = bits.Add64(r0, c*feC, 0)
	r1, c = bits.Add64(r1, 0, c)
	r2, c = bits.Add64(r2, 0, c)
	r3 += c
	r[0], r[1], r[2], r[3] = r0, r1, r2, r3
}

// add sets r = a + b.
func (r *fe) add(a, b *fe) {
	var c uint64
	r0, c := bits.Add64(a[0], b[0], 0)
	r1, c := bits.Add64(a[1], b[1], c)
	r2, c := bits.Add64(a[2], b[2], c)
	r3, c := bits.Add64(a[3], b[3], c)
	// 2²⁵⁶ ≡ feC; the second fold handles a first fold that wraps again.
	r0, c = bits.Add64(r0, c*feC, 0)
	r1, c = bits.Add64(r1, 0, c)
	r2, c = bits.Add64(r2, 0, c)
	r3, c = bits.Add64(r3, 0, c)
	r0 += c * feC
	r[0], r[1], r[2], r[3] = r0, r1, r2, r3
}

// sub sets r = a − b.
func (r *fe) sub(a, b *fe) {
	var c uint64
	r0, c := bits.Sub64(a[0], b[0], 0)
	r1, c := bits.Sub64(a[1], b[1], c)
	r2, c := bits.Sub64(a[2], b[2], c)
	r3, c := bits.Sub64(a[3], b[3], c)
	// A borrow added 2²⁵⁶ ≡ feC too much; take feC away (twice at most).
	r0, c = bits.Sub64(r0, c*feC, 0)
	r1, c = bits.Sub64(r1, 0, c)
	r2, c = bits.Sub64(r2, 0, c)
	r3, c = bits.Sub64(r3, 0, c)
	r0 -= c * feC
	r[0], r[1], r[2], r[3] = r0, r1, r2, r3
}

// mulSmall sets r = k·a for a small constant k < 2³¹, in one pass instead
// of a chain of additions.
func (r *fe) mulSmall(a *fe, k uint64) {
	var c uint64
	h0, r0 := bits.Mul64(a[0], k)
	h1, l := bits.Mul64(a[1], k)
	r1, c := bits.Add64(l, h0, 0)
	h2, l := bits.Mul64(a[2], k)
	r2, c := bits.Add64(l, h1, c)
	h3, l := bits.Mul64(a[3], k)
	r3, c := bits.Add64(l, h2, c)
	top := h3 + c // < 2³¹

	hi, lo := bits.Mul64(top, feC)
	r0, c = bits.Add64(r0, lo, 0)
	r1, c = bits.Add64(r1, hi, c)
	r2, c = bits.Add64(r2, 0, c)
	r3, c = bits.Add64(r3, 0, c)
	// After a carry the value is below 2⁶⁵, so this last fold ends in r1.
	r0, c = bits.Add64(r0, c*feC, 0)
	r1, c = bits.Add64(r1, 0, c)
	r2, c = bits.Add64(r2, 0, c)
	r3 += c
	r[0], r[1], r[2], r[3] = r0, r1, r2, r3
}

// neg sets r = −a.
func (r *fe) neg(a *fe) {
	var zero fe
	r.sub(&zero, a)
}

// double sets r = 2a.
func (r *fe) double(a *fe) { r.add(a, a) }

// normalize reduces r into [0, p).
func (r *fe) normalize() {
	// r ≥ p iff r + feC carries out of 2²⁵⁶; then r − p is that sum.
	t0, c := bits.Add64(r[0], feC, 0)
	t1, c := bits.Add64(r[1], 0, c)
	t2, c := bits.Add64(r[2], 0, c)
	t3, c := bits.Add64(r[3], 0, c)
	m := -c
	r[0] = r[0]&^m | t0&m
	r[1] = r[1]&^m | t1&m
	r[2] = r[2]&^m | t2&m
	r[3] = r[3]&^m | t3&m
}

// isZero reports whether r ≡ 0 (mod p). Not constant-time in its result.
func (r *fe) isZero() bool {
	t := *r
	t.normalize()
	return t[0]|t[1]|t[2]|t[3] == 0
}

// equal reports whether a ≡ b (mod p).
func (r *fe) equal(b *fe) bool {
	var d fe
	d.sub(r, b)
	return d.isZero()
}

// isOdd reports whether the normalised value of r is odd.
func (r *fe) isOdd() bool {
	t := *r
	t.normalize()
	return t[0]&1 == 1
}

// cmov sets r = a if mask is all ones and leaves r unchanged if it is zero.
func (r *fe) cmov(a *fe, mask uint64) {
	r[0] = r[0]&^mask | a[0]&mask
	r[1] = r[1]&^mask | a[1]&mask
	r[2] = r[2]&^mask | a[2]&mask
	r[3] = r[3]&^mask | a[3]&mask
}

// setBytes sets r from a 32-byte big-endian value and reports whether it was
// below p (r is unchanged otherwise).
func (r *fe) setBytes(b *[32]byte) bool {
	t := fe{
		binary.BigEndian.Uint64(b[24:]),
		binary.BigEndian.Uint64(b[16:24]),
		binary.BigEndian.Uint64(b[8:16]),
		binary.BigEndian.Uint64(b[:8]),
	}
	_, c := bits.Sub64(t[0], feP[0], 0)
	_, c = bits.Sub64(t[1], feP[1], c)
	_, c = bits.Sub64(t[2], feP[2], c)
	_, c = bits.Sub64(t[3], feP[3], c)
	if c == 0 {
		return false
	}
	*r = t
	return true
}

// bytes returns the normalised value of r as 32 big-endian bytes.
func (r *fe) bytes() [32]byte {
	t := *r
	t.normalize()
	var b [32]byte
	binary.BigEndian.PutUint64(b[:8], t[3])
	binary.BigEndian.PutUint64(b[8:16], t[2])
	binary.BigEndian.PutUint64(b[16:24], t[1])
	binary.BigEndian.PutUint64(b[24:], t[0])
	return b
}

// sqrN sets r = a^(2^n).
func (r *fe) sqrN(a *fe, n int) {
	r.sqr(a)
	for i := 1; i < n; i++ {
		r.sqr(r)
	}
}

// pow2k1 computes the powers a^(2^k − 1) that the inversion and square root
// addition chains share, returning x2, x3, x22 and x223.
func (r *fe) pow2k1() (x2, x3, x22, x223 fe) {
	a := r
	var x6, x9, x11, x44, x88, x176, x220, t fe
	x2.sqr(a)
	x2.mul(&x2, a)
	x3.sqr(&x2)
	x3.mul(&x3, a)
	t.sqrN(&x3, 3)
	x6.mul(&t, &x3)
	t.sqrN(&x6, 3)
	x9.mul(&t, &x3)
	t.sqrN(&x9, 2)
	x11.mul(&t, &x2)
	t.sqrN(&x11, 11)
	x22.mul(&t, &x11)
	t.sqrN(&x22, 22)
	x44.mul(&t, &x22)
	t.sqrN(&x44, 44)
	x88.mul(&t, &x44)
	t.sqrN(&x88, 88)
	x176.mul(&t, &x88)
	t.sqrN(&x176, 44)
	x220.mul(&t, &x44)
	t.sqrN(&x220, 3)
	x223.mul(&t, &x3)
	return x2, x3, x22, x223
}

// inv sets r = a⁻¹ = a^(p−2) (0 maps to 0). The exponent's bits are
// 223 ones, a zero, 22 ones, then 0000101101; the chain is fixed, so the
// inversion is constant-time.
func (r *fe) inv(a *fe) {
	x2, _, x22, x223 := a.pow2k1()
	var t fe
	t.sqrN(&x223, 23)
	t.mul(&t, &x22)
	t.sqrN(&t, 5)
	t.mul(&t, a)
	t.sqrN(&t, 3)
	t.mul(&t, &x2)
	t.sqrN(&t, 2)
	r.mul(&t, a)
}

// sqrt sets r to a square root of a and reports whether a is a square.
// Since p ≡ 3 (mod 4) the root is a^((p+1)/4), whose exponent's bits are
// 223 ones, a zero, 22 ones, then 00001100.
func (r *fe) sqrt(a *fe) bool {
	x2, _, x22, x223 := a.pow2k1()
	var t fe
	t.sqrN(&x223, 23)
	t.mul(&t, &x22)
	t.sqrN(&t, 6)
	t.mul(&t, &x2)
	t.sqrN(&t, 2)
	var check fe
	check.sqr(&t)
	*r = t
	return check.equal(a)
}
