package rlpx

import (
	"bytes"
	"crypto/rand"
	"errors"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

func TestECIESRoundTrip(t *testing.T) {
	key, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		msg, s2 []byte
	}{
		{"empty", nil, nil},
		{"one byte", []byte{1}, nil},
		{"with s2", []byte("hello ecies"), []byte{0x01, 0xb3}},
		{"multi block", bytes.Repeat([]byte{0xab}, 1000), []byte("shared")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ct, err := Encrypt(rand.Reader, key.PubKey(), tt.msg, tt.s2)
			if err != nil {
				t.Fatal(err)
			}
			if len(ct) != len(tt.msg)+ECIESOverhead {
				t.Fatalf("len(ct) = %d, want %d", len(ct), len(tt.msg)+ECIESOverhead)
			}
			pt, err := Decrypt(key, ct, tt.s2)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(pt, tt.msg) {
				t.Fatalf("plaintext = %x, want %x", pt, tt.msg)
			}
			if _, err := Decrypt(key, ct, append(tt.s2, 0)); !errors.Is(err, ErrInvalidMAC) {
				t.Fatalf("other s2: err = %v, want ErrInvalidMAC", err)
			}
			other, _ := secp256k1.GeneratePrivateKey()
			if _, err := Decrypt(other, ct, tt.s2); !errors.Is(err, ErrInvalidMAC) {
				t.Fatalf("other key: err = %v, want ErrInvalidMAC", err)
			}
		})
	}
}

// TestECIESVectors decrypts the EIP-8 handshake packets: their tags only
// verify if the KDF, MAC key derivation and S2 handling match the spec.
func TestECIESVectors(t *testing.T) {
	keyA, keyB := hexKey(t, hexStaticA), hexKey(t, hexStaticB)
	tests := []struct {
		name   string
		key    *secp256k1.PrivateKey
		eip8   bool
		ptSize int // 0: don't check
	}{
		{"auth1", keyB, false, 194},
		{"auth2", keyB, true, 0},
		{"auth3", keyB, true, 0},
		{"ack1", keyA, false, 97},
		{"ack2", keyA, true, 0},
		{"ack3", keyA, true, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkt := vector(t, tt.name)
			ct, s2 := pkt, []byte(nil)
			if tt.eip8 {
				ct, s2 = pkt[2:], pkt[:2]
			}
			pt, err := Decrypt(tt.key, ct, s2)
			if err != nil {
				t.Fatal(err)
			}
			if tt.ptSize != 0 && len(pt) != tt.ptSize {
				t.Fatalf("plaintext is %d bytes, want %d", len(pt), tt.ptSize)
			}
			if tt.eip8 {
				if _, err := Decrypt(tt.key, ct, nil); !errors.Is(err, ErrInvalidMAC) {
					t.Fatalf("without S2: err = %v, want ErrInvalidMAC", err)
				}
			}
		})
	}
}

// TestECIESTruncated covers CVE-2026-22862 (a truncated
// ciphertext panicked go-ethereum's ECIES): every input
// shorter than the overhead is an error, never a panic.
func TestECIESTruncated(t *testing.T) {
	key := hexKey(t, hexStaticB)
	pkt := vector(t, "auth1")
	for n := 0; n <= eciesOverhead; n++ {
		err := func() (err error) {
			defer func() {
				if r := recover(); r != nil {
					t.Fatalf("length %d: panic %v", n, r)
				}
			}()
			_, err = Decrypt(key, pkt[:n], nil)
			return err
		}()
		switch {
		case n < eciesOverhead && !errors.Is(err, ErrShortCiphertext):
			t.Errorf("length %d: err = %v, want ErrShortCiphertext", n, err)
		case n == eciesOverhead && !errors.Is(err, ErrInvalidMAC):
			// A valid R with an empty body: the tag cannot verify.
			t.Errorf("length %d: err = %v, want ErrInvalidMAC", n, err)
		}
	}
}

// TestECIESInvalidPoints covers GHSA-2gjw-fg97-vg3r (coordinates ≥ p)
// and go-ethereum #33669 (off-curve R reached ECDH): the ephemeral key R is
// rejected before any ECDH.
func TestECIESInvalidPoints(t *testing.T) {
	key := hexKey(t, hexStaticB)
	valid := vector(t, "auth1") // R is a valid point
	p := unhex(t, "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
	withR := func(r []byte) []byte {
		out := append([]byte{}, valid...)
		copy(out, r)
		return out
	}
	withPrefix := func(b byte) []byte {
		out := append([]byte{}, valid...)
		out[0] = b
		return out
	}
	offCurve := append([]byte{}, valid[:65]...)
	offCurve[64] ^= 1
	tests := map[string][]byte{
		"x = p":          withR(append([]byte{4}, append(append([]byte{}, p...), valid[33:65]...)...)),
		"y = p":          withR(append(append([]byte{}, valid[:33]...), p...)),
		"all ff":         withR(append([]byte{4}, bytes.Repeat([]byte{0xff}, 64)...)),
		"all zero":       withR(append([]byte{4}, make([]byte, 64)...)),
		"off curve":      withR(offCurve),
		"prefix 0x00":    withPrefix(0x00),
		"prefix 0x02":    withPrefix(0x02),
		"prefix 0x03":    withPrefix(0x03),
		"prefix 0x05":    withPrefix(0x05),
		"prefix 0x06":    withPrefix(0x06),
		"prefix 0x07":    withPrefix(0x07),
		"compressed R 1": withR(append([]byte{2}, valid[1:33]...)),
	}
	for name, ct := range tests {
		t.Run(name, func(t *testing.T) {
			if _, err := Decrypt(key, ct, nil); !errors.Is(err, ErrInvalidPublicKey) {
				t.Fatalf("err = %v, want ErrInvalidPublicKey", err)
			}
		})
	}
}

func FuzzECIESDecrypt(f *testing.F) {
	for _, name := range []string{"auth1", "auth2", "auth3", "ack1", "ack2", "ack3"} {
		f.Add(vector(f, name))
	}
	f.Add([]byte{})
	key := hexKey(f, hexStaticB)
	f.Fuzz(func(t *testing.T, ct []byte) {
		pt, err := Decrypt(key, ct, nil)
		if err == nil && len(pt) != len(ct)-ECIESOverhead {
			t.Fatalf("plaintext %d bytes from %d-byte input", len(pt), len(ct))
		}
		if len(ct) >= 2 {
			Decrypt(key, ct[2:], ct[:2])
		}
	})
}

func BenchmarkECIESDecrypt(b *testing.B) {
	key := hexKey(b, hexStaticB)
	pkt := vector(b, "auth2")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decrypt(key, pkt[2:], pkt[:2]); err != nil {
			b.Fatal(err)
		}
	}
}
