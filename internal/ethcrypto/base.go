package ethcrypto

import (
	"sync"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// baseDigits is the number of signed base-16 digits of a scalar below n.
const baseDigits = 64

// baseTable[i][j] is (2j+1)·16ⁱ·G in affine coordinates, 32 KiB, built on
// first use.
var (
	baseTable     *[baseDigits][8]affine
	baseTableOnce sync.Once
)

// feGx, feGy are the base point G.
var (
	feGx = feFromHex("79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798")
	feGy = feFromHex("483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8")
)

func buildBaseTable() {
	var jac [baseDigits * 8]jacobian
	var b, twice jacobian
	b.setAffine(&affine{feGx, feGy})
	for i := range baseDigits {
		row := jac[i*8 : i*8+8]
		row[0] = b
		twice.double(&b)
		for j := 1; j < 8; j++ {
			row[j].addUnchecked(&row[j-1], &twice)
		}
		b.double(&b)
		b.double(&b)
		b.double(&b)
		b.double(&b)
	}
	t := new([baseDigits][8]affine)
	batchToAffine(jac[:], func(i int, a affine) { t[i/8][i%8] = a })
	baseTable = t
}

// batchToAffine converts points (none at infinity) with one inversion
// (Montgomery's trick) and hands each result to set.
func batchToAffine(pts []jacobian, set func(int, affine)) {
	prefix := make([]fe, len(pts))
	acc := fe{1}
	for i := range pts {
		prefix[i] = acc
		acc.mul(&acc, &pts[i].z)
	}
	var inv fe
	inv.inv(&acc)
	for i := len(pts) - 1; i >= 0; i-- {
		var zi, zi2, zi3 fe
		zi.mul(&inv, &prefix[i]) // 1/zᵢ
		inv.mul(&inv, &pts[i].z)
		zi2.sqr(&zi)
		zi3.mul(&zi2, &zi)
		var a affine
		a.x.mul(&pts[i].x, &zi2)
		a.y.mul(&pts[i].y, &zi3)
		a.x.normalize()
		a.y.normalize()
		set(i, a)
	}
}

// lookupBase returns d·16ⁱ·G for an odd digit d, scanning the whole row.
func lookupBase(row *[8]affine, d int8) affine {
	idx, negMask := digitIndex(d)
	var r affine
	for j := range row {
		m := eqMask(uint64(j), idx)
		r.x.cmov(&row[j].x, m)
		r.y.cmov(&row[j].y, m)
	}
	var ny fe
	ny.neg(&r.y)
	r.y.cmov(&ny, negMask)
	return r
}

// mulBaseCT returns k·G for a secret scalar k ≠ 0 in constant time. An even
// k is replaced by the odd n − k and the result negated; the 64 odd digits
// are then added least significant first, one mixed addition each. The
// partial sum before digit i is below 16ⁱ in magnitude while the digit's
// point is at least 16ⁱ, so the additions meet no exceptional case except
// for a single scalar value at the last digit.
func mulBaseCT(k *secp256k1.ModNScalar) jacobian {
	baseTableOnce.Do(buildBaseTable)
	kb := bytesToLimbs(k.Bytes())
	s := [5]uint64{kb[0], kb[1], kb[2], kb[3]}
	var ns secp256k1.ModNScalar
	ns.NegateVal(k)
	nb := bytesToLimbs(ns.Bytes())
	even := -(1 - s[0]&1)
	cmovLimbs(&s, &[5]uint64{nb[0], nb[1], nb[2], nb[3]}, even)
	var d [baseDigits]int8
	recodeOdd(s, d[:])

	var acc jacobian
	a := lookupBase(&baseTable[0], d[0])
	acc.setAffine(&a)
	for i := 1; i < baseDigits; i++ {
		a = lookupBase(&baseTable[i], d[i])
		acc.addAffineUnchecked(&acc, &a)
	}
	var ny fe
	ny.neg(&acc.y)
	acc.y.cmov(&ny, even)
	return acc
}
