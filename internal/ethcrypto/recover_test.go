package ethcrypto

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// decredRecover is the reference: decred's RecoverCompact on our r‖s‖v
// layout.
func decredRecover(hash, sig []byte) (*secp256k1.PublicKey, error) {
	if len(sig) != SignatureSize {
		return nil, ErrInvalidSignature
	}
	var compact [SignatureSize]byte
	compact[0] = sig[64] + 27 // decred's compact-signature offset
	copy(compact[1:], sig[:64])
	pub, _, err := ecdsa.RecoverCompact(compact[:], hash)
	return pub, err
}

// randomKey derives a private key from a deterministic source so that
// failures can be reproduced.
func randomKey(t testing.TB, rng *rand.ChaCha8) *secp256k1.PrivateKey {
	t.Helper()
	for {
		var b [32]byte
		rng.Read(b[:])
		var k secp256k1.ModNScalar
		if overflow := k.SetBytes(&b); overflow == 0 && !k.IsZero() {
			return secp256k1.NewPrivateKey(&k)
		}
	}
}

func TestRecoverDifferential(t *testing.T) {
	const n = 2000 / raceScale
	rng := rand.NewChaCha8([32]byte{'r', 'e', 'c', 'o', 'v', 'e', 'r'})
	var ids [2]int
	for i := range n {
		priv := randomKey(t, rng)
		var hash [32]byte
		rng.Read(hash[:])
		sig, err := Sign(priv, hash[:])
		if err != nil {
			t.Fatal(err)
		}
		ids[sig[64]]++
		got, err := Recover(hash[:], sig[:])
		if err != nil {
			t.Fatalf("case %d: Recover: %v", i, err)
		}
		want, err := decredRecover(hash[:], sig[:])
		if err != nil {
			t.Fatalf("case %d: RecoverCompact: %v", i, err)
		}
		if !got.IsEqual(want) || !got.IsEqual(priv.PubKey()) {
			t.Fatalf("case %d: recovered %x, want %x", i, got.SerializeUncompressed(), want.SerializeUncompressed())
		}
		// Flipping v must give a different key (the other root), or fail,
		// exactly as the reference does. Every fourth case keeps the -race
		// run short.
		if i%4 != 0 {
			continue
		}
		flipped := sig
		flipped[64] ^= 1
		got, err = Recover(hash[:], flipped[:])
		want, werr := decredRecover(hash[:], flipped[:])
		if (err == nil) != (werr == nil) {
			t.Fatalf("case %d flipped: ours err=%v, decred err=%v", i, err, werr)
		}
		if err == nil && (!got.IsEqual(want) || got.IsEqual(priv.PubKey())) {
			t.Fatalf("case %d flipped: recovered %x, decred %x", i, got.SerializeUncompressed(), want.SerializeUncompressed())
		}
	}
	if ids[0] == 0 || ids[1] == 0 {
		t.Fatalf("recovery ids not both exercised: %v", ids)
	}
}

func TestRecoverRejects(t *testing.T) {
	const (
		nHex     = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
		ones     = "0000000000000000000000000000000000000000000000000000000000000001"
		zero     = "0000000000000000000000000000000000000000000000000000000000000000"
		five     = "0000000000000000000000000000000000000000000000000000000000000005" // 5³+7 is not a square mod p
		allFF    = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
		validKey = "0000000000000000000000000000000000000000000000000000000000000002" // 2³+7 is a square mod p
	)
	rng := rand.NewChaCha8([32]byte{'r', 'e', 'j'})
	priv := randomKey(t, rng)
	hash := Keccak256([]byte("reject"))
	good, err := Sign(priv, hash[:])
	if err != nil {
		t.Fatal(err)
	}
	with := func(r, s string, v byte) []byte {
		return append(append(mustHex(t, r), mustHex(t, s)...), v)
	}
	withV := func(v byte) []byte {
		b := bytes.Clone(good[:])
		b[64] = v
		return b
	}
	tests := []struct {
		name string
		hash []byte
		sig  []byte
	}{
		{"r=0", hash[:], with(zero, ones, 0)},
		{"s=0", hash[:], with(validKey, zero, 0)},
		{"r=n", hash[:], with(nHex, ones, 0)},
		{"s=n", hash[:], with(validKey, nHex, 0)},
		{"r=2^256-1", hash[:], with(allFF, ones, 1)},
		{"s=2^256-1", hash[:], with(validKey, allFF, 1)},
		{"v=2", hash[:], withV(2)},
		{"v=3", hash[:], withV(3)},
		{"v=27", hash[:], withV(27)},
		{"v=28", hash[:], withV(28)},
		{"x not on curve", hash[:], with(five, ones, 0)},
		{"x not on curve odd", hash[:], with(five, ones, 1)},
		{"hash short", hash[:31], good[:]},
		{"hash long", append(bytes.Clone(hash[:]), 0), good[:]},
		{"hash empty", nil, good[:]},
		{"sig short", hash[:], good[:64]},
		{"sig long", hash[:], append(bytes.Clone(good[:]), 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pub, err := Recover(tt.hash, tt.sig)
			if !errors.Is(err, ErrInvalidSignature) {
				t.Fatalf("got (%v, %v), want ErrInvalidSignature", pub, err)
			}
			if pub != nil {
				t.Fatalf("returned a key alongside the error")
			}
		})
	}
	t.Run("good", func(t *testing.T) {
		pub, err := Recover(hash[:], good[:])
		if err != nil || !pub.IsEqual(priv.PubKey()) {
			t.Fatalf("valid signature: (%v, %v)", pub, err)
		}
	})
}

// TestRecoverInfinity builds a signature whose recovery lands on the point
// at infinity: with R = (x, y) and e chosen so that s·R = e·G. Taking the
// private scalar k of R and s = 1 gives R = k·G, so e = k makes s·R − e·G = ∞.
func TestRecoverInfinity(t *testing.T) {
	rng := rand.NewChaCha8([32]byte{'i', 'n', 'f'})
	for i := 0; i < 8; i++ {
		k := randomKey(t, rng)
		R := k.PubKey()
		x := R.X()
		var r secp256k1.ModNScalar
		var xb [32]byte
		x.FillBytes(xb[:])
		if r.SetBytes(&xb) != 0 {
			continue // x ≥ n: not expressible with v ∈ {0,1}
		}
		var sig [SignatureSize]byte
		copy(sig[:32], xb[:])
		sig[63] = 1 // s = 1
		sig[64] = byte(R.Y().Bit(0))
		hash := k.Key.Bytes()
		_, err := Recover(hash[:], sig[:])
		if !errors.Is(err, ErrInvalidSignature) {
			t.Fatalf("case %d: got %v, want ErrInvalidSignature", i, err)
		}
		if _, werr := decredRecover(hash[:], sig[:]); werr == nil {
			t.Fatalf("case %d: decred accepted the point at infinity", i)
		}
	}
}

// FuzzRecover checks that Recover and decred's RecoverCompact agree on every
// input: both reject, or both return the same key. Known difference: none —
// decred's RecoverCompact does the same single double-scalar recovery (its
// doc comment's "first verifies" is the implicit verification of recovery).
func FuzzRecover(f *testing.F) {
	rng := rand.NewChaCha8([32]byte{'f', 'u', 'z', 'z'})
	for i := range 8 {
		priv := randomKey(f, rng)
		hash := Keccak256([]byte(fmt.Sprint("seed", i)))
		sig, err := Sign(priv, hash[:])
		if err != nil {
			f.Fatal(err)
		}
		f.Add(hash[:], sig[:])
	}
	f.Add(make([]byte, 32), make([]byte, 65))
	f.Fuzz(func(t *testing.T, hash, sig []byte) {
		got, err := Recover(hash, sig)
		if len(hash) != 32 || len(sig) != SignatureSize || sig[64] > 1 {
			if err == nil {
				t.Fatalf("accepted malformed input (hash %d bytes, sig %d bytes)", len(hash), len(sig))
			}
			return
		}
		want, werr := decredRecover(hash, sig)
		if (err == nil) != (werr == nil) {
			t.Fatalf("verdicts differ: ours %v, decred %v", err, werr)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidSignature) {
				t.Fatalf("error %v does not wrap ErrInvalidSignature", err)
			}
			return
		}
		if !got.IsEqual(want) {
			t.Fatalf("keys differ: ours %x, decred %x", got.SerializeUncompressed(), want.SerializeUncompressed())
		}
	})
}

func BenchmarkRecover(b *testing.B) {
	rng := rand.NewChaCha8([32]byte{'b', 'e', 'n', 'c', 'h'})
	priv := randomKey(b, rng)
	hash := Keccak256([]byte("bench"))
	sig, err := Sign(priv, hash[:])
	if err != nil {
		b.Fatal(err)
	}
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Recover(hash[:], sig[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decred", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := decredRecover(hash[:], sig[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
}
