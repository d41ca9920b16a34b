package ethcrypto

import (
	"math/rand/v2"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// The benchmarks compare this build's backend ("ours") with decred, the
// implementation used before.

func BenchmarkECDH(b *testing.B) {
	rng := rand.NewChaCha8([32]byte{'e', 'c', 'd', 'h'})
	priv, pub := randomKey(b, rng), randomKey(b, rng).PubKey()
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ECDH(priv, pub)
		}
	})
	b.Run("decred", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			secp256k1.GenerateSharedSecret(priv, pub)
		}
	})
}

func BenchmarkECDHCompressed(b *testing.B) {
	rng := rand.NewChaCha8([32]byte{'e', 'c', 'd', 'h', 'c'})
	priv, pub := randomKey(b, rng), randomKey(b, rng).PubKey()
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ECDHCompressed(priv, pub)
		}
	})
	b.Run("decred", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			decredECDHCompressed(priv, pub)
		}
	})
}

func BenchmarkSign(b *testing.B) {
	rng := rand.NewChaCha8([32]byte{'s', 'i', 'g', 'n'})
	priv := randomKey(b, rng)
	hash := Keccak256([]byte("bench"))
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Sign(priv, hash[:]); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("decred", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			ecdsa.SignCompact(priv, hash[:], false)
		}
	})
}

func BenchmarkPubkeyOf(b *testing.B) {
	rng := rand.NewChaCha8([32]byte{'p', 'u', 'b'})
	priv := randomKey(b, rng)
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			PubkeyOf(priv)
		}
	})
	b.Run("decred", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			priv.PubKey()
		}
	})
}

// BenchmarkConvertPubkey measures the edge conversion between decred's
// public key type and the package's points, both ways.
func BenchmarkConvertPubkey(b *testing.B) {
	rng := rand.NewChaCha8([32]byte{'c', 'v'})
	pub := randomKey(b, rng).PubKey()
	b.ReportAllocs()
	for b.Loop() {
		a, _ := pubToAffine(pub)
		affineToPub(&a)
	}
}
