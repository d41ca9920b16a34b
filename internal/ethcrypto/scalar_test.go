package ethcrypto

import (
	"math/rand/v2"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

func TestInvNonce(t *testing.T) {
	rng := rand.NewChaCha8([32]byte{'i', 'n', 'v'})
	for i := range 200 {
		priv := randomKey(t, rng)
		var hash [32]byte
		rng.Read(hash[:])
		db := priv.Key.Bytes()
		k := secp256k1.NonceRFC6979(db[:], hash[:], nil, nil, 0)
		b := secp256k1.NonceRFC6979(db[:], hash[:], blindInfo[:], nil, 0)
		if b.Equals(k) {
			t.Fatalf("case %d: blinding factor equals the nonce", i)
		}
		inv := invNonce(k, db[:], hash[:])
		var one secp256k1.ModNScalar
		if !one.Mul2(&inv, k).Equals(new(secp256k1.ModNScalar).SetInt(1)) {
			t.Fatalf("case %d: k·k⁻¹ ≠ 1", i)
		}
	}
}
