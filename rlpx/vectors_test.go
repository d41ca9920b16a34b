package rlpx

import (
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// EIP-8 "RLPx Handshake" test keys (EIP-8 "RLPx Handshake"): node A initiates to B.
const (
	hexStaticA = "49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee"
	hexStaticB = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"
	hexEphA    = "869d6ecf5211f1cc60418a13b9d870b22959d0c16f02bec714c960dd2298a32d"
	hexEphB    = "e238eb8e04fee6511ab04c6dd3c89ce097b11f25d584863ac2b6d5b35b1847e4"
	hexNonceA  = "7e968bba13b6c50e2c4cd7f241cc0d64d1ac25c7f5952df231ac6a2bda8ee5d6"
	hexNonceB  = "559aead08264d5795d3909718cdd05abd49572e84fe55590eef31a88a08fdffd"

	// Derived secrets for (Auth₂, Ack₂) as computed by node B.
	hexAESSecret  = "80e8632c05fed6fc2a13b0f8d31a3cf645366239170ea067065aba8e28bac487"
	hexMACSecret  = "2ea74ec5dae199227dff1af715362700e989d889d7a493cb0639691efb8e5f98"
	hexIngressFoo = "0c7ec6340062cc46f5e9f1e3cf86f8c8c403c5a0964f5df0ebd34a75ddc86db5"

	// Decoded auth signature of Auth₂ and Auth₃ (go-ethereum rlpx_test.go).
	hexAuthSig = "299ca6acfd35e3d72d8ba3d1e2b60b5561d5af5218eb5bc182045769eb4226910a301acae3b369fffc4a4899d6b02531e89fd4fe36a2cf0d93607ba470b50f7800"
)

func unhex(tb testing.TB, s string) []byte {
	tb.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

func hexKey(tb testing.TB, s string) *secp256k1.PrivateKey {
	tb.Helper()
	return secp256k1.PrivKeyFromBytes(unhex(tb, s))
}

func hex32(tb testing.TB, s string) (out [32]byte) {
	tb.Helper()
	copy(out[:], unhex(tb, s))
	return out
}

// vector reads testdata/name.hex.
func vector(tb testing.TB, name string) []byte {
	tb.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name+".hex"))
	if err != nil {
		tb.Fatal(err)
	}
	return unhex(tb, strings.TrimSpace(string(raw)))
}
