package ethcrypto

import (
	"bytes"
	"encoding/hex"
	"errors"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestKeccak256(t *testing.T) {
	// keccak256("") is the well-known empty hash.
	got := Keccak256()
	want := "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
	if hex.EncodeToString(got[:]) != want {
		t.Fatalf("keccak256(\"\") = %x, want %s", got, want)
	}
	if a, b := Keccak256([]byte("ab"), []byte("c")), Keccak256([]byte("abc")); a != b {
		t.Fatal("Keccak256 of split input differs from joined input")
	}
}

func TestPubkeyVectors(t *testing.T) {
	// EIP-8 / EIP-778 test key (EIP-8 "RLPx Discovery Protocol" test vectors).
	priv := secp256k1.PrivKeyFromBytes(mustHex(t, "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"))
	want := "ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f"
	got := MarshalPubkey(priv.PubKey())
	if hex.EncodeToString(got[:]) != want {
		t.Fatalf("pubkey = %x, want %s", got, want)
	}
	id := Keccak256(got[:])
	if hex.EncodeToString(id[:]) != "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7" {
		t.Fatalf("node id = %x", id)
	}
	back, err := UnmarshalPubkey(got[:])
	if err != nil || !back.IsEqual(priv.PubKey()) {
		t.Fatalf("UnmarshalPubkey round trip failed: %v", err)
	}
}

func TestUnmarshalPubkeyRejects(t *testing.T) {
	p := "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f" // field prime
	valid := MarshalPubkey(mustKey(t).PubKey())
	tests := map[string][]byte{
		"empty":     nil,
		"short":     valid[:63],
		"long":      append(valid[:], 0),
		"all zero":  make([]byte, 64),
		"all ff":    bytes.Repeat([]byte{0xff}, 64),
		"x = p":     append(mustHex(t, p), valid[32:]...),
		"y = p":     append(append([]byte{}, valid[:32]...), mustHex(t, p)...),
		"off curve": append(append([]byte{}, valid[:32]...), append(append([]byte{}, valid[32:63]...), valid[63]^1)...),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := UnmarshalPubkey(in); !errors.Is(err, ErrInvalidPubkey) {
				t.Fatalf("err = %v, want ErrInvalidPubkey", err)
			}
		})
	}
	for _, prefix := range []byte{0x00, 0x02, 0x03, 0x05, 0x06, 0x07} {
		in := append([]byte{prefix}, valid[:]...)
		if _, err := ParseUncompressed(in); !errors.Is(err, ErrInvalidPubkey) {
			t.Errorf("prefix %#x: err = %v, want ErrInvalidPubkey", prefix, err)
		}
	}
}

func mustKey(t *testing.T) *secp256k1.PrivateKey {
	t.Helper()
	k, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSignRecover(t *testing.T) {
	k := mustKey(t)
	hash := Keccak256([]byte("hello"))
	sig, err := Sign(k, hash[:])
	if err != nil {
		t.Fatal(err)
	}
	if sig[64] > 1 {
		t.Fatalf("v = %d, want 0 or 1", sig[64])
	}
	pub, err := Recover(hash[:], sig[:])
	if err != nil || !pub.IsEqual(k.PubKey()) {
		t.Fatalf("Recover: %v", err)
	}
	bad := sig
	bad[64] = 2
	if _, err := Recover(hash[:], bad[:]); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("v=2: err = %v", err)
	}
	if _, err := Recover(hash[:], sig[:64]); !errors.Is(err, ErrInvalidSignature) {
		t.Fatalf("short sig: err = %v", err)
	}
}

func TestSignVerifyENR(t *testing.T) {
	k := mustKey(t)
	hash := Keccak256([]byte("record"))
	sig, err := SignENR(k, hash[:])
	if err != nil {
		t.Fatal(err)
	}
	if !VerifyENR(k.PubKey(), hash[:], sig[:]) {
		t.Fatal("valid signature rejected")
	}
	other := Keccak256([]byte("other"))
	if VerifyENR(k.PubKey(), other[:], sig[:]) {
		t.Fatal("signature over another hash accepted")
	}
	// The high-S twin of a valid signature verifies mathematically but is rejected.
	var s secp256k1.ModNScalar
	s.SetByteSlice(sig[32:])
	s.Negate()
	high := sig
	s.PutBytesUnchecked(high[32:])
	if VerifyENR(k.PubKey(), hash[:], high[:]) {
		t.Fatal("high-S signature accepted")
	}
}

func TestECDHSymmetric(t *testing.T) {
	a, b := mustKey(t), mustKey(t)
	if ECDH(a, b.PubKey()) != ECDH(b, a.PubKey()) {
		t.Fatal("ECDH is not symmetric")
	}
}

// TestECDHCompressed checks the discv5 vector of discv5-wire-test-vectors.md,
// "ECDH" (ethereum/devp2p cc0d2eb), and symmetry.
func TestECDHCompressed(t *testing.T) {
	priv := secp256k1.PrivKeyFromBytes(mustHex(t, "fb757dc581730490a1d7a00deea65e9b1936924caaea8f44d476014856b68736"))
	pub, err := ParseCompressed(mustHex(t, "039961e4c2356d61bedb83052c115d311acb3a96f5777296dcf297351130266231"))
	if err != nil {
		t.Fatal(err)
	}
	want := "033b11a2a1f214567e1537ce5e509ffd9b21373247f2a3ff6841f4976f53165e7e"
	if got := ECDHCompressed(priv, pub); hex.EncodeToString(got[:]) != want {
		t.Fatalf("ECDHCompressed = %x, want %s", got, want)
	}
	a, b := mustKey(t), mustKey(t)
	if ECDHCompressed(a, b.PubKey()) != ECDHCompressed(b, a.PubKey()) {
		t.Fatal("ECDHCompressed is not symmetric")
	}
}
