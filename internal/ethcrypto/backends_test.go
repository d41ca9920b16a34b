package ethcrypto

import (
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// impl is one secp256k1 implementation under differential test. recover,
// verify and parse have the full semantics of Recover (but with recovery
// ids 0–3), VerifyENR and the two parsers.
type impl struct {
	name           string
	ecdh           func(*secp256k1.PrivateKey, *secp256k1.PublicKey) [32]byte
	ecdhCompressed func(*secp256k1.PrivateKey, *secp256k1.PublicKey) [33]byte
	pubkey         func(*secp256k1.PrivateKey) *secp256k1.PublicKey
	sign           func(priv *secp256k1.PrivateKey, hash []byte) ([64]byte, byte)
	recover        func(hash, sig []byte) (*secp256k1.PublicKey, error)
	verify         func(pub *secp256k1.PublicKey, hash, sig []byte) bool
	parse          func(b []byte) (*secp256k1.PublicKey, bool)
}

// impls lists the pure-Go backend and decred; the libsecp256k1 build adds
// its backend (backends_libsecp_test.go).
var impls = []impl{
	{
		name:           "go",
		ecdh:           ecdhGo,
		ecdhCompressed: ecdhCompressedGo,
		pubkey:         pubkeyGo,
		sign:           signGo,
		recover:        func(hash, sig []byte) (*secp256k1.PublicKey, error) { return checkedRecover(hash, sig, recoverGo) },
		verify: func(pub *secp256k1.PublicKey, hash, sig []byte) bool {
			return checkedVerify(pub, hash, sig, verifyGo)
		},
		parse: parseGo,
	},
	{
		name: "decred",
		ecdh: func(k *secp256k1.PrivateKey, p *secp256k1.PublicKey) [32]byte {
			return [32]byte(secp256k1.GenerateSharedSecret(k, p))
		},
		ecdhCompressed: decredECDHCompressed,
		pubkey:         (*secp256k1.PrivateKey).PubKey,
		sign:           decredSign,
		recover: func(hash, sig []byte) (*secp256k1.PublicKey, error) {
			if len(sig) == SignatureSize && sig[64] > 3 {
				return nil, ErrInvalidSignature // decred reads 4–7 as "compressed"
			}
			return decredRecover(hash, sig)
		},
		verify: decredVerifyENR,
		parse: func(b []byte) (*secp256k1.PublicKey, bool) {
			pub, err := secp256k1.ParsePubKey(b)
			return pub, err == nil
		},
	},
}

// checkedRecover applies Recover's input checks, allowing ids 2 and 3, and
// calls a backend.
func checkedRecover(hash, sig []byte, backend func(hash, sig []byte) ([PubkeySize]byte, error)) (*secp256k1.PublicKey, error) {
	if len(hash) != 32 || len(sig) != SignatureSize || sig[64] > 3 {
		return nil, ErrInvalidSignature
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || r.IsZero() || s.SetByteSlice(sig[32:64]) || s.IsZero() {
		return nil, ErrInvalidSignature
	}
	b, err := backend(hash, sig)
	if err != nil {
		return nil, err
	}
	return pubFromBytes(&b), nil
}

// checkedVerify applies VerifyENR's input checks and calls a backend.
func checkedVerify(pub *secp256k1.PublicKey, hash, sig []byte, backend func(*secp256k1.PublicKey, []byte, []byte) bool) bool {
	if len(hash) != 32 || len(sig) != ENRSignatureSize {
		return false
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) || r.IsZero() || s.IsZero() || s.IsOverHalfOrder() {
		return false
	}
	return backend(pub, hash, sig)
}

// decredECDHCompressed is discv5's shared secret as this module computed
// it before: decred's variable-time multiplication, compressed.
func decredECDHCompressed(k *secp256k1.PrivateKey, p *secp256k1.PublicKey) [33]byte {
	var pj, r secp256k1.JacobianPoint
	p.AsJacobian(&pj)
	secp256k1.ScalarMultNonConst(&k.Key, &pj, &r)
	r.ToAffine()
	return [33]byte(secp256k1.NewPublicKey(&r.X, &r.Y).SerializeCompressed())
}

// decredSign is decred's SignCompact in r‖s, v form.
func decredSign(priv *secp256k1.PrivateKey, hash []byte) ([64]byte, byte) {
	c := ecdsa.SignCompact(priv, hash, false)
	return [64]byte(c[1:]), c[0] - 27
}

// keyString renders a recovery or parse outcome for comparison.
func keyString(pub *secp256k1.PublicKey, ok bool) string {
	if !ok {
		return "rejected"
	}
	return hex.EncodeToString(pub.SerializeUncompressed())
}

// agree runs f on every implementation and fails unless all results match.
func agree(t testing.TB, what string, f func(impl) string) string {
	t.Helper()
	want := f(impls[0])
	for _, im := range impls[1:] {
		if got := f(im); got != want {
			t.Fatalf("%s: %s gives %s, %s gives %s", what, impls[0].name, want, im.name, got)
		}
	}
	return want
}

func recoverOutcome(im impl, hash, sig []byte) string {
	pub, err := im.recover(hash, sig)
	if err != nil && !errors.Is(err, ErrInvalidSignature) && im.name != "decred" {
		return "untyped error " + err.Error()
	}
	return keyString(pub, err == nil)
}

func TestBackendsAgreeRandom(t *testing.T) {
	rng := newTestRand("agree")
	parities := map[byte]int{}
	for i := range 300 / raceScale {
		priv, other := randomKey(t, rng), randomKey(t, rng)
		var hash [32]byte
		rng.Read(hash[:])
		what := fmt.Sprintf("case %d", i)
		agree(t, what+" pubkey", func(im impl) string { return keyString(im.pubkey(priv), true) })
		x := agree(t, what+" ecdh", func(im impl) string { s := im.ecdh(priv, other.PubKey()); return hex.EncodeToString(s[:]) })
		comp33 := agree(t, what+" ecdh compressed", func(im impl) string {
			s := im.ecdhCompressed(priv, other.PubKey())
			return hex.EncodeToString(s[:])
		})
		if comp33[2:] != x {
			t.Fatalf("%s: compressed ECDH %s does not carry the x-only secret %s", what, comp33, x)
		}
		parities[comp33[1]]++
		sigStr := agree(t, what+" sign", func(im impl) string {
			sig, v := im.sign(priv, hash[:])
			return hex.EncodeToString(append(sig[:], v))
		})
		sig, _ := hex.DecodeString(sigStr)
		if got := agree(t, what+" recover", func(im impl) string { return recoverOutcome(im, hash[:], sig) }); got != keyString(priv.PubKey(), true) {
			t.Fatalf("%s: recovered %s", what, got)
		}
		agree(t, what+" verify", func(im impl) string { return fmt.Sprint(im.verify(priv.PubKey(), hash[:], sig[:64])) })
		agree(t, what+" verify other key", func(im impl) string { return fmt.Sprint(im.verify(other.PubKey(), hash[:], sig[:64])) })
		comp := priv.PubKey().SerializeCompressed()
		agree(t, what+" parse compressed", func(im impl) string { return keyString(im.parse(comp)) })
		unc := priv.PubKey().SerializeUncompressed()
		agree(t, what+" parse uncompressed", func(im impl) string { return keyString(im.parse(unc)) })
	}
	// Both prefixes must have come up, or the parity byte went untested.
	if parities['2'] == 0 || parities['3'] == 0 || len(parities) != 2 {
		t.Fatalf("compressed ECDH prefixes seen: %v, want both 02 and 03 only", parities)
	}
}

// hexSig builds r‖s‖v from hex.
func hexSig(t testing.TB, r, s string, v byte) []byte {
	t.Helper()
	b, err := hex.DecodeString(r + s)
	if err != nil || len(b) != 64 {
		t.Fatalf("bad test signature %s %s", r, s)
	}
	return append(b, v)
}

const (
	hexN     = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
	hexNm1   = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364140"
	hexHalf  = "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0"
	hexHalf1 = "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1"
	hexPmN   = "000000000000000000000000000000014551231950b75fc4402da1722fc9baee" // p − n
	hexZero  = "0000000000000000000000000000000000000000000000000000000000000000"
	hexOne   = "0000000000000000000000000000000000000000000000000000000000000001"
	hexMax   = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
)

// overflowR returns an r for which r + n is the x coordinate of a curve
// point, so recovery ids 2 and 3 can succeed.
func overflowR(t testing.TB) string {
	t.Helper()
	for j := uint64(1); j < 100; j++ {
		var x, y2, y fe
		x.add(&feN, &fe{j})
		y2.sqr(&x)
		y2.mul(&y2, &x)
		y2.add(&y2, &feB)
		if y.sqrt(&y2) {
			return fmt.Sprintf("%064x", j)
		}
	}
	t.Fatal("no r with r + n on the curve")
	return ""
}

// noPointR returns an r that is not the x coordinate of any curve point.
func noPointR(t testing.TB) string {
	t.Helper()
	for j := uint64(1); j < 100; j++ {
		var x, y2, y fe
		x = fe{j}
		y2.sqr(&x)
		y2.mul(&y2, &x)
		y2.add(&y2, &feB)
		if !y.sqrt(&y2) {
			return fmt.Sprintf("%064x", j)
		}
	}
	t.Fatal("no r off the curve")
	return ""
}

// infinitySig returns a hash and signature whose recovered point is the
// point at infinity: with R = k·G and e = s·k, s·R − e·G = O.
func infinitySig(t testing.TB) (hash, sig []byte) {
	t.Helper()
	var k, s, e secp256k1.ModNScalar
	k.SetInt(7)
	s.SetInt(11)
	e.Mul2(&s, &k)
	var R secp256k1.JacobianPoint
	secp256k1.ScalarBaseMultNonConst(&k, &R)
	R.ToAffine()
	hb := e.Bytes()
	sig = make([]byte, 65)
	R.X.PutBytesUnchecked(sig[:32])
	s.PutBytesUnchecked(sig[32:64])
	sig[64] = byte(R.Y.IsOddBit())
	return hb[:], sig
}

func TestBackendsRecoverEdge(t *testing.T) {
	rng := newTestRand("recover-edge")
	priv := randomKey(t, rng)
	hash := Keccak256([]byte("edge"))
	good, v := decredSign(priv, hash[:])
	goodR, goodS := hex.EncodeToString(good[:32]), hex.EncodeToString(good[32:])
	ovR, noR := overflowR(t), noPointR(t)
	infHash, infSig := infinitySig(t)
	tests := []struct {
		name string
		hash []byte
		sig  []byte
	}{
		{"valid", hash[:], hexSig(t, goodR, goodS, v)},
		{"other parity", hash[:], hexSig(t, goodR, goodS, v^1)},
		{"high s", hash[:], hexSig(t, goodR, hexHalf1, v)},
		{"s = n−1", hash[:], hexSig(t, goodR, hexNm1, v)},
		{"s = n", hash[:], hexSig(t, goodR, hexN, v)},
		{"s = 0", hash[:], hexSig(t, goodR, hexZero, v)},
		{"r = 0", hash[:], hexSig(t, hexZero, goodS, v)},
		{"r = n", hash[:], hexSig(t, hexN, goodS, v)},
		{"r = max", hash[:], hexSig(t, hexMax, goodS, v)},
		{"r = n−1", hash[:], hexSig(t, hexNm1, goodS, 0)},
		{"r no point", hash[:], hexSig(t, noR, goodS, 0)},
		{"id 2 overflow x", hash[:], hexSig(t, ovR, goodS, 2)},
		{"id 3 overflow x", hash[:], hexSig(t, ovR, goodS, 3)},
		{"id 2 r + n ≥ p", hash[:], hexSig(t, hexPmN, goodS, 2)},
		{"id 3 r = n−1", hash[:], hexSig(t, hexNm1, goodS, 3)},
		{"id 2 valid r", hash[:], hexSig(t, goodR, goodS, 2)},
		{"id 4", hash[:], hexSig(t, goodR, goodS, 4)},
		{"hash zero", make([]byte, 32), hexSig(t, goodR, goodS, v)},
		{"hash = n", mustHex(t, hexN), hexSig(t, goodR, goodS, v)},
		{"hash max", mustHex(t, hexMax), hexSig(t, goodR, goodS, v)},
		{"r = 1, s = 1", hash[:], hexSig(t, hexOne, hexOne, 0)},
		{"infinity", infHash, infSig},
		{"infinity other parity", infHash, append(infSig[:64:64], infSig[64]^1)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := agree(t, "recover", func(im impl) string { return recoverOutcome(im, tt.hash, tt.sig) })
			if tt.name == "infinity" && got != "rejected" {
				t.Fatal("recovered a key from a signature whose point is infinity")
			}
			// Recover itself must agree on ids 0 and 1 and reject the rest.
			pub, err := Recover(tt.hash, tt.sig)
			want := got
			if tt.sig[64] > 1 {
				want = "rejected"
			}
			if keyString(pub, err == nil) != want {
				t.Fatalf("Recover gives %s, want %s", keyString(pub, err == nil), want)
			}
			raw, rawErr := RecoverPubkey(tt.hash, tt.sig)
			if (rawErr == nil) != (err == nil) || (err == nil && raw != MarshalPubkey(pub)) {
				t.Fatalf("RecoverPubkey gives %x, %v; Recover %v", raw, rawErr, err)
			}
			if rawErr != nil && !errors.Is(rawErr, ErrInvalidSignature) {
				t.Fatalf("RecoverPubkey error %v does not wrap ErrInvalidSignature", rawErr)
			}
		})
	}
}

func TestBackendsVerifyEdge(t *testing.T) {
	rng := newTestRand("verify-edge")
	priv := randomKey(t, rng)
	pub := priv.PubKey()
	hash := Keccak256([]byte("edge"))
	good, _ := decredSign(priv, hash[:])
	goodR, goodS := hex.EncodeToString(good[:32]), hex.EncodeToString(good[32:])
	var sn secp256k1.ModNScalar
	sn.SetByteSlice(good[32:])
	sn.Negate()
	snb := sn.Bytes()
	highS := hex.EncodeToString(snb[:])

	// X = (e + r·d)/s·G is infinity when e ≡ −r·d.
	var r, e secp256k1.ModNScalar
	r.SetByteSlice(good[:32])
	e.Mul2(&r, &priv.Key).Negate()
	infHash := e.Bytes()

	tests := []struct {
		name string
		hash []byte
		sig  []byte
	}{
		{"valid", hash[:], hexSig(t, goodR, goodS, 0)},
		{"high s", hash[:], hexSig(t, goodR, highS, 0)},
		{"s = half", hash[:], hexSig(t, goodR, hexHalf, 0)},
		{"s = half+1", hash[:], hexSig(t, goodR, hexHalf1, 0)},
		{"r = 0", hash[:], hexSig(t, hexZero, goodS, 0)},
		{"s = 0", hash[:], hexSig(t, goodR, hexZero, 0)},
		{"r = n", hash[:], hexSig(t, hexN, goodS, 0)},
		{"r = max", hash[:], hexSig(t, hexMax, goodS, 0)},
		{"hash = n", mustHex(t, hexN), hexSig(t, goodR, goodS, 0)},
		{"infinity", infHash[:], hexSig(t, goodR, goodS, 0)},
		{"r = 1", hash[:], hexSig(t, hexOne, goodS, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := agree(t, "verify", func(im impl) string { return fmt.Sprint(im.verify(pub, tt.hash, tt.sig[:64])) })
			if got != fmt.Sprint(VerifyENR(pub, tt.hash, tt.sig[:64])) {
				t.Fatalf("VerifyENR disagrees with the backends (%s)", got)
			}
			if tt.name == "valid" && got != "true" {
				t.Fatal("valid signature rejected")
			}
			if tt.name != "valid" && got == "true" {
				t.Fatal("invalid signature accepted")
			}
		})
	}
}

func TestBackendsParseEdge(t *testing.T) {
	rng := newTestRand("parse-edge")
	pub := randomKey(t, rng).PubKey()
	unc := hex.EncodeToString(pub.SerializeUncompressed()[1:])
	x, y := unc[:64], unc[64:]
	const p = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"
	noX := noPointR(t)
	tests := map[string]string{
		"uncompressed valid":   "04" + x + y,
		"uncompressed x = p":   "04" + p + y,
		"uncompressed y = p":   "04" + x + p,
		"uncompressed y + p":   "04" + x + strings.Repeat("f", 64),
		"uncompressed off":     "04" + x + x,
		"uncompressed zero":    "04" + strings.Repeat("0", 128),
		"compressed even":      "02" + x,
		"compressed odd":       "03" + x,
		"compressed x = p":     "02" + p,
		"compressed x max":     "03" + strings.Repeat("f", 64),
		"compressed no point":  "02" + noX,
		"compressed zero":      "02" + strings.Repeat("0", 64),
		"compressed x = p + 1": "02" + "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc30",
	}
	for name, h := range tests {
		t.Run(name, func(t *testing.T) {
			b := mustHex(t, h)
			got := agree(t, "parse", func(im impl) string { return keyString(im.parse(b)) })
			var pub *secp256k1.PublicKey
			var err error
			if len(b) == 33 {
				pub, err = ParseCompressed(b)
			} else {
				pub, err = ParseUncompressed(b)
			}
			if keyString(pub, err == nil) != got {
				t.Fatalf("public parser gives %s, backends %s", keyString(pub, err == nil), got)
			}
			if strings.HasSuffix(name, "valid") || strings.HasSuffix(name, "even") || strings.HasSuffix(name, "odd") {
				if got == "rejected" {
					t.Fatal("valid key rejected")
				}
			} else if got != "rejected" {
				t.Fatal("invalid key accepted")
			}
		})
	}
}

// TestBackendsZeroKey checks that a zero private key, which no generator
// makes but PrivKeyFromBytes accepts, gives no ECDH secret and the same
// public key everywhere.
func TestBackendsZeroKey(t *testing.T) {
	zero := secp256k1.PrivKeyFromBytes(make([]byte, 32))
	pub := randomKey(t, newTestRand("zero")).PubKey()
	agree(t, "pubkey of zero", func(im impl) string { return keyString(im.pubkey(zero), true) })
	for _, im := range impls {
		if im.name == "decred" {
			continue
		}
		if got := im.ecdh(zero, pub); got != [32]byte{} {
			t.Errorf("%s: ECDH with a zero key = %x, want zeros", im.name, got)
		}
		if got := im.ecdhCompressed(zero, pub); got != [33]byte{} {
			t.Errorf("%s: compressed ECDH with a zero key = %x, want zeros", im.name, got)
		}
	}
}

// TestBackendsECDHOffCurve checks that a key built around the parsers (off
// the curve) gives zeros rather than a product on another curve. decred
// does not check, so it is left out.
func TestBackendsECDHOffCurve(t *testing.T) {
	rng := newTestRand("ecdh-off")
	priv := randomKey(t, rng)
	var x, y secp256k1.FieldVal
	x.SetInt(1)
	y.SetInt(1)
	bad := secp256k1.NewPublicKey(&x, &y)
	for _, im := range impls {
		if im.name == "decred" {
			continue
		}
		if got := im.ecdh(priv, bad); got != [32]byte{} {
			t.Errorf("%s: ECDH with an off-curve key = %x, want zeros", im.name, got)
		}
		if got := im.ecdhCompressed(priv, bad); got != [33]byte{} {
			t.Errorf("%s: compressed ECDH with an off-curve key = %x, want zeros", im.name, got)
		}
		hash := Keccak256([]byte("off"))
		sig, _ := im.sign(priv, hash[:])
		if im.verify(bad, hash[:], sig[:]) {
			t.Errorf("%s: verified a signature against an off-curve key", im.name)
		}
	}
}

// newTestRand returns a deterministic generator seeded by name.
func newTestRand(name string) *rand.ChaCha8 {
	var seed [32]byte
	copy(seed[:], name)
	return rand.NewChaCha8(seed)
}
