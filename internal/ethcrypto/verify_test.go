package ethcrypto

import (
	"math/rand/v2"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// decredVerifyENR is the reference: the same range checks, then decred's
// Signature.Verify.
func decredVerifyENR(pub *secp256k1.PublicKey, hash, sig []byte) bool {
	if len(sig) != ENRSignatureSize || len(hash) != 32 {
		return false
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) {
		return false
	}
	if r.IsZero() || s.IsZero() || s.IsOverHalfOrder() {
		return false
	}
	return ecdsa.NewSignature(&r, &s).Verify(hash, pub)
}

func TestVerifyENRDifferential(t *testing.T) {
	rng := rand.NewChaCha8([32]byte{'v', 'e', 'r', 'i', 'f', 'y'})
	other := randomKey(t, rng).PubKey()
	for i := range 200 / raceScale {
		priv := randomKey(t, rng)
		var hash [32]byte
		rng.Read(hash[:])
		sig, err := SignENR(priv, hash[:])
		if err != nil {
			t.Fatal(err)
		}
		badHash := hash
		badHash[i%32] ^= 1 << (i % 8)
		badSig := sig
		badSig[i%64] ^= 1 << (i % 8)
		cases := []struct {
			name string
			pub  *secp256k1.PublicKey
			hash []byte
			sig  []byte
			want bool
		}{
			{"valid", priv.PubKey(), hash[:], sig[:], true},
			{"wrong key", other, hash[:], sig[:], false},
			{"wrong hash", priv.PubKey(), badHash[:], sig[:], false},
			{"flipped sig bit", priv.PubKey(), hash[:], badSig[:], false},
		}
		for _, c := range cases {
			got := VerifyENR(c.pub, c.hash, c.sig)
			ref := decredVerifyENR(c.pub, c.hash, c.sig)
			if got != c.want || ref != c.want {
				t.Fatalf("case %d %s: ours %v, decred %v, want %v", i, c.name, got, ref, c.want)
			}
		}
	}
}

func TestVerifyENRRejects(t *testing.T) {
	rng := rand.NewChaCha8([32]byte{'v', 'r', 'e', 'j'})
	priv := randomKey(t, rng)
	hash := Keccak256([]byte("enr"))
	sig, err := SignENR(priv, hash[:])
	if err != nil {
		t.Fatal(err)
	}
	highS := sig
	var s secp256k1.ModNScalar
	s.SetByteSlice(sig[32:])
	s.Negate()
	s.PutBytesUnchecked(highS[32:])
	zeroR := sig
	clear(zeroR[:32])
	overN := sig
	copy(overN[:32], mustHex(t, "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"))
	tests := []struct {
		name string
		pub  *secp256k1.PublicKey
		hash []byte
		sig  []byte
	}{
		{"nil key", nil, hash[:], sig[:]},
		{"high s", priv.PubKey(), hash[:], highS[:]},
		{"r = 0", priv.PubKey(), hash[:], zeroR[:]},
		{"r = n", priv.PubKey(), hash[:], overN[:]},
		{"short sig", priv.PubKey(), hash[:], sig[:63]},
		{"short hash", priv.PubKey(), hash[:31], sig[:]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if VerifyENR(tt.pub, tt.hash, tt.sig) {
				t.Fatal("accepted")
			}
		})
	}
}

func BenchmarkVerifyENR(b *testing.B) {
	rng := rand.NewChaCha8([32]byte{'b', 'v'})
	priv := randomKey(b, rng)
	pub := priv.PubKey()
	hash := Keccak256([]byte("bench"))
	sig, err := SignENR(priv, hash[:])
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !VerifyENR(pub, hash[:], sig[:]) {
				b.Fatal("rejected")
			}
		}
	})
	b.Run("decred", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if !decredVerifyENR(pub, hash[:], sig[:]) {
				b.Fatal("rejected")
			}
		}
	})
}

// TestVerifyENROverflowX covers the rare branch where the point X has an x
// coordinate in [n, p), so that r = x − n. Honest signers hit it with
// probability ~2⁻¹²⁸, but since the test picks the public key it can build
// one: choose R with x = n + j on the curve, then Q = r⁻¹·(s·R − e·G)
// makes (r, s) a valid signature of e by Q.
func TestVerifyENROverflowX(t *testing.T) {
	hash := Keccak256([]byte("overflow"))
	var e, s secp256k1.ModNScalar
	e.SetByteSlice(hash[:])
	s.SetInt(12345)
	found := 0
	for j := uint16(1); j < 64 && found < 4; j++ {
		nb := feN.bytes()
		var x, fieldN secp256k1.FieldVal
		fieldN.SetBytes(&nb)
		x.SetInt(j).Add(&fieldN).Normalize()
		var R secp256k1.JacobianPoint
		if !secp256k1.DecompressY(&x, false, &R.Y) {
			continue
		}
		found++
		R.X.Set(&x)
		R.Z.SetInt(1)

		var r, rInv, negE secp256k1.ModNScalar
		r.SetInt(uint32(j))
		rInv.InverseValNonConst(&r)
		negE.NegateVal(&e)
		// Q = (s·r⁻¹)·R + (−e·r⁻¹)·G, computed with decred's own routines.
		var sR, eG, q secp256k1.JacobianPoint
		var a, b secp256k1.ModNScalar
		a.Mul2(&s, &rInv)
		b.Mul2(&negE, &rInv)
		secp256k1.ScalarMultNonConst(&a, &R, &sR)
		secp256k1.ScalarBaseMultNonConst(&b, &eG)
		secp256k1.AddNonConst(&sR, &eG, &q)
		q.ToAffine()
		pub := secp256k1.NewPublicKey(&q.X, &q.Y)

		var sig [ENRSignatureSize]byte
		r.PutBytesUnchecked(sig[:32])
		s.PutBytesUnchecked(sig[32:])
		if !decredVerifyENR(pub, hash[:], sig[:]) {
			t.Fatalf("j=%d: reference rejects the constructed signature", j)
		}
		if !VerifyENR(pub, hash[:], sig[:]) {
			t.Fatalf("j=%d: rejected signature with x = r + n", j)
		}
		// r+1 must not verify against the same key.
		sig[31]++
		if VerifyENR(pub, hash[:], sig[:]) {
			t.Fatalf("j=%d: accepted r+1", j)
		}
	}
	if found == 0 {
		t.Fatal("no x = n + j on the curve for small j")
	}
}

// FuzzVerifyENR checks that VerifyENR and decred's Signature.Verify agree on
// arbitrary hashes and signatures for a fixed key, and on arbitrary 64-byte
// keys that parse.
func FuzzVerifyENR(f *testing.F) {
	rng := rand.NewChaCha8([32]byte{'f', 'v'})
	priv := randomKey(f, rng)
	pubBytes := MarshalPubkey(priv.PubKey())
	for i := range 4 {
		hash := Keccak256([]byte{byte(i)})
		sig, err := SignENR(priv, hash[:])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(pubBytes[:], hash[:], sig[:])
	}
	f.Fuzz(func(t *testing.T, key, hash, sig []byte) {
		pub, err := UnmarshalPubkey(key)
		if err != nil {
			pub = priv.PubKey()
		}
		got := VerifyENR(pub, hash, sig)
		if want := decredVerifyENR(pub, hash, sig); got != want {
			t.Fatalf("ours %v, decred %v", got, want)
		}
	})
}
