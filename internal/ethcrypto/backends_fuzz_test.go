package ethcrypto

import (
	"fmt"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// The fuzz targets feed arbitrary bytes to every backend in impls (the
// pure-Go one, decred, and libsecp256k1 in that build) and require the
// same outcome from each.

func fuzzSeedSig(f *testing.F) (hash, sig []byte) {
	rng := newTestRand("fuzz")
	priv := randomKey(f, rng)
	h := Keccak256([]byte("fuzz"))
	s, v := decredSign(priv, h[:])
	return h[:], append(s[:], v)
}

func FuzzBackendsRecover(f *testing.F) {
	hash, sig := fuzzSeedSig(f)
	f.Add(hash, sig)
	infHash, infSig := infinitySig(f)
	f.Add(infHash, infSig)
	f.Add(hash, hexSig(f, overflowR(f), hexOne, 2))
	f.Fuzz(func(t *testing.T, hash, sig []byte) {
		if len(hash) != 32 || len(sig) != SignatureSize {
			return
		}
		agree(t, "recover", func(im impl) string { return recoverOutcome(im, hash, sig) })
	})
}

func FuzzBackendsVerify(f *testing.F) {
	hash, sig := fuzzSeedSig(f)
	key := bytesOfKey(newTestRand("fuzz"))
	f.Add(key, hash, sig[:64])
	f.Add(key, hash, hexSig(f, hexOne, hexHalf, 0)[:64])
	f.Fuzz(func(t *testing.T, key, hash, sig []byte) {
		if len(key) != 32 || len(hash) != 32 || len(sig) != ENRSignatureSize {
			return
		}
		var k secp256k1.ModNScalar
		if k.SetByteSlice(key) || k.IsZero() {
			return
		}
		pub := secp256k1.NewPrivateKey(&k).PubKey()
		agree(t, "verify", func(im impl) string { return fmt.Sprint(im.verify(pub, hash, sig)) })
	})
}

func FuzzBackendsParse(f *testing.F) {
	pub := randomKey(f, newTestRand("fuzz")).PubKey()
	f.Add(pub.SerializeUncompressed())
	f.Add(pub.SerializeCompressed())
	f.Fuzz(func(t *testing.T, b []byte) {
		switch {
		case len(b) == 65 && b[0] == 4:
		case len(b) == 33 && (b[0] == 2 || b[0] == 3):
		default:
			return
		}
		agree(t, "parse", func(im impl) string { return keyString(im.parse(b)) })
	})
}

func FuzzBackendsECDHSign(f *testing.F) {
	rng := newTestRand("fuzz")
	f.Add(bytesOfKey(rng), randomKey(f, rng).PubKey().SerializeCompressed(), make([]byte, 32))
	f.Fuzz(func(t *testing.T, key, peer, hash []byte) {
		if len(key) != 32 || len(hash) != 32 {
			return
		}
		var k secp256k1.ModNScalar
		if k.SetByteSlice(key) || k.IsZero() {
			return
		}
		priv := secp256k1.NewPrivateKey(&k)
		agree(t, "sign", func(im impl) string { s, v := im.sign(priv, hash); return fmt.Sprintf("%x %d", s, v) })
		agree(t, "pubkey", func(im impl) string { return keyString(im.pubkey(priv), true) })
		pub, err := secp256k1.ParsePubKey(peer)
		if err != nil {
			return
		}
		agree(t, "ecdh", func(im impl) string { return fmt.Sprintf("%x", im.ecdh(priv, pub)) })
		agree(t, "ecdh compressed", func(im impl) string { return fmt.Sprintf("%x", im.ecdhCompressed(priv, pub)) })
	})
}

// bytesOfKey returns a random private key's 32 bytes.
func bytesOfKey(rng interface{ Read([]byte) (int, error) }) []byte {
	b := make([]byte, 32)
	rng.Read(b)
	return b
}
