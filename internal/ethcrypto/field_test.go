package ethcrypto

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"testing"
)

var fieldP, _ = new(big.Int).SetString("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f", 16)

func feBig(a *fe) *big.Int {
	b := a.bytes()
	return new(big.Int).SetBytes(b[:])
}

// feRaw builds an fe from limbs without reducing, so tests can feed the
// weakly reduced values in [p, 2²⁵⁶) that operations may produce.
func feRaw(rng *rand.ChaCha8, edge int) fe {
	switch edge % 6 {
	case 0:
		return fe{}
	case 1:
		return feP // ≡ 0
	case 2:
		return fe{^uint64(0), ^uint64(0), ^uint64(0), ^uint64(0)} // 2²⁵⁶−1
	case 3:
		return fe{feP[0] - 1, feP[1], feP[2], feP[3]} // p−1
	}
	var b [32]byte
	rng.Read(b[:])
	return fe(bytesToLimbs(b))
}

func rawBig(a *fe) *big.Int {
	x := new(big.Int)
	for i := 3; i >= 0; i-- {
		x.Lsh(x, 64)
		x.Or(x, new(big.Int).SetUint64(a[i]))
	}
	return x
}

func TestFieldOps(t *testing.T) {
	rng := rand.NewChaCha8([32]byte{'f', 'e'})
	mod := func(x *big.Int) *big.Int { return x.Mod(x, fieldP) }
	for i := range 3000 {
		a, b := feRaw(rng, i), feRaw(rng, i/6)
		ab, bb := rawBig(&a), rawBig(&b)
		var r fe
		checks := []struct {
			name string
			do   func()
			want *big.Int
		}{
			{"mul", func() { r.mul(&a, &b) }, mod(new(big.Int).Mul(ab, bb))},
			{"sqr", func() { r.sqr(&a) }, mod(new(big.Int).Mul(ab, ab))},
			{"add", func() { r.add(&a, &b) }, mod(new(big.Int).Add(ab, bb))},
			{"sub", func() { r.sub(&a, &b) }, mod(new(big.Int).Sub(ab, bb))},
			{"neg", func() { r.neg(&a) }, mod(new(big.Int).Neg(ab))},
			{"mulSmall 3", func() { r.mulSmall(&a, 3) }, mod(new(big.Int).Mul(ab, big.NewInt(3)))},
			{"mulSmall 8", func() { r.mulSmall(&a, 8) }, mod(new(big.Int).Mul(ab, big.NewInt(8)))},
			{"mulSmall max", func() { r.mulSmall(&a, 1<<31-1) }, mod(new(big.Int).Mul(ab, big.NewInt(1<<31-1)))},
		}
		for _, c := range checks {
			c.do()
			if got := feBig(&r); got.Cmp(c.want) != 0 {
				t.Fatalf("%s(%x, %x) = %x, want %x", c.name, ab, bb, got, c.want)
			}
		}
		if a.isZero() != (mod(new(big.Int).Set(ab)).Sign() == 0) {
			t.Fatalf("isZero(%x) wrong", ab)
		}
		if mod(new(big.Int).Set(ab)).Sign() != 0 {
			var inv fe
			inv.inv(&a)
			want := new(big.Int).ModInverse(ab, fieldP)
			if got := feBig(&inv); got.Cmp(want) != 0 {
				t.Fatalf("inv(%x) = %x, want %x", ab, got, want)
			}
		}
		var root fe
		ok := root.sqrt(&a)
		want := new(big.Int).ModSqrt(mod(new(big.Int).Set(ab)), fieldP)
		if ok != (want != nil) {
			t.Fatalf("sqrt(%x) ok = %v, want %v", ab, ok, want != nil)
		}
		if ok {
			sq := new(big.Int).Mul(feBig(&root), feBig(&root))
			if mod(sq).Cmp(mod(new(big.Int).Set(ab))) != 0 {
				t.Fatalf("sqrt(%x)² wrong", ab)
			}
		}
	}
}

func TestFieldSetBytes(t *testing.T) {
	tests := []struct {
		name string
		hex  string
		ok   bool
	}{
		{"zero", "0000000000000000000000000000000000000000000000000000000000000000", true},
		{"p-1", "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2e", true},
		{"p", "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f", false},
		{"max", "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := decodeHex32(tt.hex)
			var f fe
			if got := f.setBytes(&b); got != tt.ok {
				t.Fatalf("setBytes = %v, want %v", got, tt.ok)
			}
			if tt.ok && f.bytes() != b {
				t.Fatalf("round trip = %x", f.bytes())
			}
		})
	}
}

func BenchmarkFieldMul(b *testing.B) {
	b.ReportAllocs()
	x, y := feGx, feGy
	for b.Loop() {
		x.mul(&x, &y)
	}
}

func BenchmarkFieldSqr(b *testing.B) {
	b.ReportAllocs()
	x := feGx
	for b.Loop() {
		x.sqr(&x)
	}
}

func BenchmarkFieldInv(b *testing.B) {
	b.ReportAllocs()
	x := feGx
	for b.Loop() {
		x.inv(&x)
	}
}

// FuzzField checks every field operation against math/big on arbitrary
// limbs, including the weakly reduced values in [p, 2²⁵⁶).
func FuzzField(f *testing.F) {
	f.Add(make([]byte, 64))
	f.Add(bytes.Repeat([]byte{0xff}, 64))
	p := feP.bytes()
	f.Add(append(p[:], p[:]...))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) != 64 {
			return
		}
		a, b := fe(bytesToLimbs([32]byte(in[:32]))), fe(bytesToLimbs([32]byte(in[32:])))
		ab, bb := rawBig(&a), rawBig(&b)
		mod := func(x *big.Int) *big.Int { return x.Mod(x, fieldP) }
		var r fe
		check := func(name string, want *big.Int) {
			t.Helper()
			if got := feBig(&r); got.Cmp(mod(want)) != 0 {
				t.Fatalf("%s(%x, %x) = %x, want %x", name, ab, bb, got, want)
			}
		}
		r.mul(&a, &b)
		check("mul", new(big.Int).Mul(ab, bb))
		r.sqr(&a)
		check("sqr", new(big.Int).Mul(ab, ab))
		r.add(&a, &b)
		check("add", new(big.Int).Add(ab, bb))
		r.sub(&a, &b)
		check("sub", new(big.Int).Sub(ab, bb))
		r.mulSmall(&a, uint64(in[0])|1)
		check("mulSmall", new(big.Int).Mul(ab, big.NewInt(int64(in[0])|1)))
		r.inv(&a)
		want := new(big.Int).ModInverse(mod(new(big.Int).Set(ab)), fieldP)
		if want == nil {
			want = new(big.Int)
		}
		check("inv", want)
	})
}
