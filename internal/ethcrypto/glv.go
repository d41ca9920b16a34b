package ethcrypto

import (
	"encoding/binary"
	"math/bits"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// secp256k1 has an efficiently computable endomorphism φ(x, y) = (β·x, y)
// that acts on points as multiplication by λ. Splitting a scalar k into
// k1 + k2·λ with k1, k2 of about 128 bits halves the number of doublings in
// k·P = k1·P + k2·φ(P). The constants below follow the standard lattice
// reduction (Gallant–Lambert–Vanstone; "Guide to Elliptic Curve
// Cryptography" §3.5): the basis is (a1, b1), (a2, b2) with
// a1 = b2 = 0x3086d221a7d46bcde86c90e49284eb15,
// b1 = −0xe4437ed6010e88286f547fa90abfe4c3,
// a2 = 0x114ca50f7a8e2f3f657c1108d9d44cfd8.
var (
	// glvLambda is λ, a cube root of unity mod n.
	glvLambda = scalarFromHex("5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72")
	// glvBeta is β, the matching cube root of unity mod p.
	glvBeta = fieldFromHex("7ae96a2b657c07106e64479eac3434e99cf0497512f58995c1396c28719501ee")
	// glvNegB1 and glvNegB2 are −b1 and −b2 mod n.
	glvNegB1 = scalarFromHex("00000000000000000000000000000000e4437ed6010e88286f547fa90abfe4c3")
	glvNegB2 = scalarFromHex("fffffffffffffffffffffffffffffffe8a280ac50774346dd765cda83db1562c")
	// glvG1 and glvG2 are round(2³⁸⁴·b2/n) and round(2³⁸⁴·(−b1)/n) as
	// little-endian 64-bit limbs; c = round(k·g/2³⁸⁴) approximates the
	// lattice coefficients without a division.
	glvG1 = limbsFromHex("3086d221a7d46bcde86c90e49284eb153daa8a1471e8ca7fe893209a45dbb031")
	glvG2 = limbsFromHex("e4437ed6010e88286f547fa90abfe4c4221208ac9df506c61571b4ae8ac47f71")
)

func decodeHex32(s string) [32]byte {
	var b [32]byte
	for i := range b {
		b[i] = unhex(s[2*i])<<4 | unhex(s[2*i+1])
	}
	return b
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	}
	panic("ethcrypto: bad hex constant")
}

func scalarFromHex(s string) secp256k1.ModNScalar {
	b := decodeHex32(s)
	var k secp256k1.ModNScalar
	if k.SetBytes(&b) != 0 {
		panic("ethcrypto: scalar constant overflows")
	}
	return k
}

func fieldFromHex(s string) secp256k1.FieldVal {
	b := decodeHex32(s)
	var f secp256k1.FieldVal
	if f.SetBytes(&b) != 0 {
		panic("ethcrypto: field constant overflows")
	}
	return f
}

func limbsFromHex(s string) [4]uint64 {
	return bytesToLimbs(decodeHex32(s))
}

// bytesToLimbs converts a 32-byte big-endian number to little-endian limbs.
func bytesToLimbs(b [32]byte) [4]uint64 {
	return [4]uint64{
		binary.BigEndian.Uint64(b[24:]),
		binary.BigEndian.Uint64(b[16:]),
		binary.BigEndian.Uint64(b[8:]),
		binary.BigEndian.Uint64(b[:8]),
	}
}

// mulShiftRound384 returns round(a·b / 2³⁸⁴) for 256-bit a and b. The
// callers' results fit in 128 bits.
func mulShiftRound384(a, b [4]uint64) secp256k1.ModNScalar {
	var t [8]uint64
	for i := range 4 {
		var carry uint64
		for j := range 4 {
			hi, lo := bits.Mul64(a[i], b[j])
			var c uint64
			lo, c = bits.Add64(lo, t[i+j], 0)
			hi += c
			lo, c = bits.Add64(lo, carry, 0)
			hi += c
			t[i+j] = lo
			carry = hi
		}
		t[i+4] = carry
	}
	// Bits 384.. are limbs 6 and 7; bit 383 (top of limb 5) rounds.
	var c uint64
	lo, c := bits.Add64(t[6], t[5]>>63, 0)
	hi := t[7] + c
	var out [32]byte
	binary.BigEndian.PutUint64(out[16:24], hi)
	binary.BigEndian.PutUint64(out[24:], lo)
	var s secp256k1.ModNScalar
	s.SetBytes(&out)
	return s
}

// splitScalar returns k1, k2 with k ≡ k1 + k2·λ (mod n). Either may be
// "negative" (above n/2); callers take their magnitudes, which are at most
// 128 bits.
func splitScalar(k *secp256k1.ModNScalar) (k1, k2 secp256k1.ModNScalar) {
	limbs := bytesToLimbs(k.Bytes())
	c1 := mulShiftRound384(limbs, glvG1)
	c2 := mulShiftRound384(limbs, glvG2)
	// k2 = −c1·b1 − c2·b2, k1 = k − k2·λ.
	var t secp256k1.ModNScalar
	k2.Mul2(&c1, &glvNegB1)
	t.Mul2(&c2, &glvNegB2)
	k2.Add(&t)
	t.Mul2(&k2, &glvLambda).Negate()
	k1.Add2(k, &t)
	return k1, k2
}

// wnafWidth is the window of the signed-digit form used for arbitrary
// points: digits are odd values in ±[1, 2^(w−1)−1], so a table of
// 2^(w−2) = 8 odd multiples is needed and on average one digit in w+1 is
// non-zero.
//
// That table is a ctTable, the same shape as mulCT's (whose odd base-16
// digits also need the 8 multiples P, 3P, …, 15P).
const wnafWidth = 5

// wnafMaxLen bounds the digit count for a 128-bit magnitude (one extra
// position for the final carry).
const wnafMaxLen = 130

// wnafWidthG is the window for the base point, whose odd multiples are
// precomputed once (base_wnaf.go): 64 entries, one addition per ~9 bits.
const wnafWidthG = 8

// wnaf writes the width-w non-adjacent form of k (which must be below 2¹²⁸)
// into digits, least significant first, and returns the number of digits.
func wnaf(k *secp256k1.ModNScalar, digits *[wnafMaxLen]int8) int {
	return wnafW(k, digits, wnafWidth)
}

// wnafW is wnaf with window w ≤ 8.
func wnafW(k *secp256k1.ModNScalar, digits *[wnafMaxLen]int8, w uint) int {
	b := k.Bytes()
	// Three limbs leave room for the carry out of bit 127.
	v := [3]uint64{binary.BigEndian.Uint64(b[24:]), binary.BigEndian.Uint64(b[16:24]), 0}
	window := uint64(1) << w
	n := 0
	for v[0]|v[1]|v[2] != 0 {
		var d int8
		if v[0]&1 == 1 {
			m := int(v[0] & (window - 1))
			if m >= int(window/2) {
				m -= int(window)
			}
			d = int8(m)
			// v -= m, keeping v non-negative: subtracting a negative digit
			// is an addition with carry.
			var c uint64
			if m > 0 {
				v[0], c = bits.Sub64(v[0], uint64(m), 0)
				v[1], c = bits.Sub64(v[1], 0, c)
				v[2], _ = bits.Sub64(v[2], 0, c)
			} else {
				v[0], c = bits.Add64(v[0], uint64(-m), 0)
				v[1], c = bits.Add64(v[1], 0, c)
				v[2], _ = bits.Add64(v[2], 0, c)
			}
		}
		digits[n] = d
		n++
		v[0] = v[0]>>1 | v[1]<<63
		v[1] = v[1]>>1 | v[2]<<63
		v[2] >>= 1
	}
	return n
}
