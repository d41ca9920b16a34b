package ethcrypto

import (
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

var curveN, _ = new(big.Int).SetString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141", 16)

func scalarBig(s *secp256k1.ModNScalar) *big.Int {
	b := s.Bytes()
	return new(big.Int).SetBytes(b[:])
}

// magnitude returns min(x, n−x) for a scalar x.
func magnitude(s *secp256k1.ModNScalar) *big.Int {
	x := scalarBig(s)
	if y := new(big.Int).Sub(curveN, x); y.Cmp(x) < 0 && x.Sign() != 0 {
		return y
	}
	return x
}

// edgeScalars returns scalars at the boundaries of the GLV split and the
// group order plus random ones.
func edgeScalars(t *testing.T, random int) []secp256k1.ModNScalar {
	t.Helper()
	hexes := []string{
		"0000000000000000000000000000000000000000000000000000000000000000",
		"0000000000000000000000000000000000000000000000000000000000000001",
		"0000000000000000000000000000000000000000000000000000000000000002",
		"00000000000000000000000000000000ffffffffffffffffffffffffffffffff",
		"7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0", // (n−1)/2
		"7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1",
		"fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140", // n−1
		"5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72", // λ
	}
	var out []secp256k1.ModNScalar
	for _, h := range hexes {
		out = append(out, scalarFromHex(h))
	}
	rng := rand.NewChaCha8([32]byte{'s', 'c', 'a', 'l'})
	for range random {
		var b [32]byte
		rng.Read(b[:])
		var s secp256k1.ModNScalar
		s.SetBytes(&b)
		out = append(out, s)
	}
	return out
}

func TestSplitScalar(t *testing.T) {
	lambda := scalarBig(&glvLambda)
	limit := new(big.Int).Lsh(big.NewInt(1), 128)
	for i, k := range edgeScalars(t, 1000) {
		k1, k2 := splitScalar(&k)
		sum := new(big.Int).Mul(scalarBig(&k2), lambda)
		sum.Add(sum, scalarBig(&k1))
		sum.Mod(sum, curveN)
		if sum.Cmp(scalarBig(&k)) != 0 {
			t.Fatalf("case %d: k1 + k2·λ = %x, want %x", i, sum, scalarBig(&k))
		}
		if magnitude(&k1).Cmp(limit) >= 0 || magnitude(&k2).Cmp(limit) >= 0 {
			t.Fatalf("case %d: halves too long: |k1| = %x, |k2| = %x", i, magnitude(&k1), magnitude(&k2))
		}
	}
}

func TestWNAF(t *testing.T) {
	limit := int8(1<<(wnafWidth-1) - 1)
	for i, k := range edgeScalars(t, 1000) {
		k1, _ := splitScalar(&k)
		if k1.IsOverHalfOrder() {
			k1.Negate()
		}
		var digits [wnafMaxLen]int8
		n := wnaf(&k1, &digits)
		got := new(big.Int)
		lastNonZero := -wnafWidth
		for j := n - 1; j >= 0; j-- {
			got.Lsh(got, 1)
			got.Add(got, big.NewInt(int64(digits[j])))
		}
		for j := 0; j < n; j++ {
			d := digits[j]
			if d == 0 {
				continue
			}
			if d%2 == 0 || d > limit || d < -limit {
				t.Fatalf("case %d: digit %d at %d is not odd within ±%d", i, d, j, limit)
			}
			if j-lastNonZero < wnafWidth {
				t.Fatalf("case %d: non-zero digits at %d and %d are closer than %d", i, lastNonZero, j, wnafWidth)
			}
			lastNonZero = j
		}
		if got.Cmp(scalarBig(&k1)) != 0 {
			t.Fatalf("case %d: digits sum to %x, want %x", i, got, scalarBig(&k1))
		}
	}
}

// TestMulAddG compares the combined multiplication with decred's separate
// ScalarBaseMultNonConst + ScalarMultNonConst + AddNonConst.
func TestMulAddG(t *testing.T) {
	rng := rand.NewChaCha8([32]byte{'m', 'u', 'l'})
	scalars := edgeScalars(t, 60)
	for i := range scalars {
		for _, j := range []int{i, (i + 3) % len(scalars), len(scalars) - 1 - i} {
			a, b := &scalars[i], &scalars[j]
			pub := randomKey(t, rng).PubKey()
			var p secp256k1.JacobianPoint
			pub.AsJacobian(&p)
			pa := affineOfKey(t, pub)

			var want, aG, bP secp256k1.JacobianPoint
			got := mulAddG(a, b, &pa)
			secp256k1.ScalarBaseMultNonConst(a, &aG)
			secp256k1.ScalarMultNonConst(b, &p, &bP)
			secp256k1.AddNonConst(&aG, &bP, &want)
			gotInf := got.isInfinity()
			wantInf := want.Z.IsZero() || (want.X.IsZero() && want.Y.IsZero())
			if gotInf != wantInf {
				t.Fatalf("a=%x b=%x: infinity mismatch (got %v, want %v)", scalarBig(a), scalarBig(b), gotInf, wantInf)
			}
			if gotInf {
				continue
			}
			ga := got.toAffine()
			wx, wy := decredAffine(&want)
			if ga.x.bytes() != wx || ga.y.bytes() != wy {
				t.Fatalf("a=%x b=%x: points differ", scalarBig(a), scalarBig(b))
			}
		}
	}
}
