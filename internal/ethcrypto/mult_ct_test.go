package ethcrypto

import (
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// affineOf converts a decred public key to the package's point type.
func affineOfKey(t testing.TB, pub *secp256k1.PublicKey) affine {
	t.Helper()
	a, ok := pubToAffine(pub)
	if !ok {
		t.Fatal("pubToAffine failed")
	}
	return a
}

// decredAffine returns the normalised affine form of a decred point.
func decredAffine(p *secp256k1.JacobianPoint) (x, y [32]byte) {
	p.ToAffine()
	return *p.X.Bytes(), *p.Y.Bytes()
}

func TestMulBaseCT(t *testing.T) {
	for i, k := range edgeScalars(t, 300) {
		if k.IsZero() {
			continue
		}
		var want secp256k1.JacobianPoint
		secp256k1.ScalarBaseMultNonConst(&k, &want)
		wx, wy := decredAffine(&want)
		got := mulBaseCT(&k)
		a := got.toAffine()
		if a.x.bytes() != wx || a.y.bytes() != wy {
			t.Fatalf("scalar %d (%x): k·G differs from decred", i, k.Bytes())
		}
	}
}

func TestMulCT(t *testing.T) {
	points := edgeScalars(t, 20)
	for i, k := range edgeScalars(t, 300) {
		if k.IsZero() {
			continue
		}
		pk := points[i%len(points)]
		if pk.IsZero() {
			pk.SetInt(3)
		}
		pub := secp256k1.NewPrivateKey(&pk).PubKey()
		var pj, want secp256k1.JacobianPoint
		pub.AsJacobian(&pj)
		secp256k1.ScalarMultNonConst(&k, &pj, &want)
		wx, wy := decredAffine(&want)
		p := affineOfKey(t, pub)
		got := mulCT(&k, &p)
		a := got.toAffine()
		if a.x.bytes() != wx || a.y.bytes() != wy {
			t.Fatalf("scalar %d (%x): k·P differs from decred", i, k.Bytes())
		}
	}
}

func BenchmarkMulCT(b *testing.B) {
	b.ReportAllocs()
	k := scalarFromHex("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
	p := affine{feGx, feGy}
	for b.Loop() {
		r := mulCT(&k, &p)
		r.toAffine()
	}
}

func BenchmarkMulBaseCT(b *testing.B) {
	b.ReportAllocs()
	k := scalarFromHex("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
	mulBaseCT(&k)
	for b.Loop() {
		r := mulBaseCT(&k)
		r.toAffine()
	}
}

func BenchmarkDecredScalarMult(b *testing.B) {
	b.ReportAllocs()
	k := scalarFromHex("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
	var g, r secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(&k, &g)
	g.ToAffine()
	for b.Loop() {
		secp256k1.ScalarMultNonConst(&k, &g, &r)
		r.ToAffine()
	}
}

func BenchmarkDecredScalarBaseMult(b *testing.B) {
	b.ReportAllocs()
	k := scalarFromHex("7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0")
	var r secp256k1.JacobianPoint
	for b.Loop() {
		secp256k1.ScalarBaseMultNonConst(&k, &r)
		r.ToAffine()
	}
}
