package ethcrypto

import "math/bits"

// Both constant-time multiplications (mult_ct.go, base.go) write an odd
// scalar k as Σ dᵢ·16ⁱ with every digit odd, dᵢ ∈ {±1, ±3, …, ±15}
// (Joye and Tunstall, "Exponent Recoding and Regular Exponentiation
// Algorithms", AFRICACRYPT 2009). No digit is zero, so every window costs
// the same one addition, and the digits are computed without branches.

// recodeOdd writes the odd k as len(d) signed odd base-16 digits, least
// significant first. k must be below 2^(4·(len(d)−1)+1) so that the last
// digit is positive and at most 15.
func recodeOdd(k [5]uint64, d []int8) {
	last := len(d) - 1
	for i := range last {
		// dᵢ = (k mod 32) − 16 is odd, and k − dᵢ is an odd multiple of 16.
		v := int64(k[0]&31) - 16
		d[i] = int8(v)
		m := uint64(-v)
		ext := uint64(-v >> 63)
		var c uint64
		k[0], c = bits.Add64(k[0], m, 0)
		k[1], c = bits.Add64(k[1], ext, c)
		k[2], c = bits.Add64(k[2], ext, c)
		k[3], c = bits.Add64(k[3], ext, c)
		k[4], _ = bits.Add64(k[4], ext, c)
		k[0] = k[0]>>4 | k[1]<<60
		k[1] = k[1]>>4 | k[2]<<60
		k[2] = k[2]>>4 | k[3]<<60
		k[3] = k[3]>>4 | k[4]<<60
		k[4] >>= 4
	}
	d[last] = int8(k[0])
}

// digitIndex returns the table index (|d|−1)/2 of an odd digit and a mask
// that is all ones when d is negative.
func digitIndex(d int8) (idx, negMask uint64) {
	s := uint64(int64(d) >> 63)
	a := (uint64(int64(d)) ^ s) - s
	return a >> 1, s
}

// eqMask returns all ones if a == b and zero otherwise, without branching.
func eqMask(a, b uint64) uint64 {
	x := a ^ b
	return ((x | -x) >> 63) - 1
}

// makeOdd adds one to an even k and returns a mask that is all ones if it
// did; the caller subtracts the base point once at the end.
func makeOdd(k *[5]uint64) uint64 {
	even := 1 - k[0]&1
	var c uint64
	k[0], c = bits.Add64(k[0], even, 0)
	k[1], c = bits.Add64(k[1], 0, c)
	k[2], c = bits.Add64(k[2], 0, c)
	k[3], c = bits.Add64(k[3], 0, c)
	k[4] += c
	return -even
}

// cmovLimbs sets r = a if mask is all ones.
func cmovLimbs(r, a *[5]uint64, mask uint64) {
	for i := range r {
		r[i] = r[i]&^mask | a[i]&mask
	}
}
