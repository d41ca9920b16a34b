package enr

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlp"
)

func TestEIP778Vector(t *testing.T) {
	v := loadEIP778(t)
	check := func(t *testing.T, r *Record) {
		is.Equal(t, v.seq, r.Seq())
		is.True(t, r.Signed())
		is.Equal(t, SchemeV4, r.IDScheme())
		ip, ok := r.IP4()
		is.True(t, ok)
		is.Equal(t, v.ip, ip.String())
		udp, ok := r.UDP()
		is.True(t, ok)
		is.Equal(t, v.udp, udp)
		_, ok = r.TCP()
		is.False(t, ok)
		_, ok = r.IP6()
		is.False(t, ok)
		id := r.NodeID()
		is.Equal(t, v.nodeID, id[:])
		is.Equal(t, v.sig, r.Signature())
		pub, err := r.Pubkey()
		is.NoError(t, err)
		is.True(t, pub.IsEqual(v.key.PubKey()))
		is.Equal(t, []string{"id", "ip", "secp256k1", "udp"}, r.Keys())

		enc, err := r.AppendRLP(nil)
		is.NoError(t, err)
		is.Equal(t, v.rlp, enc)
		is.Equal(t, v.text, r.String())
	}
	t.Run("text", func(t *testing.T) {
		r, err := Parse(v.text)
		is.NoError(t, err)
		check(t, r)
	})
	t.Run("rlp", func(t *testing.T) {
		r, err := Decode(v.rlp)
		is.NoError(t, err)
		check(t, r)
	})
	t.Run("rlp.DecodeBytes", func(t *testing.T) {
		var r Record
		is.NoError(t, rlp.DecodeBytes(v.rlp, &r))
		check(t, &r)
		enc, err := rlp.EncodeToBytes(&r)
		is.NoError(t, err)
		is.Equal(t, v.rlp, enc)
	})
	t.Run("sign", func(t *testing.T) {
		// Build the same content by hand. Signing uses RFC 6979
		// deterministic nonces, like the code that made the vector, so
		// the whole encoding must come out identical.
		var r Record
		r.SetSeq(1)
		r.SetIP(netip.MustParseAddr("127.0.0.1"))
		r.SetUDP(30303)
		is.NoError(t, r.SignV4(v.key))
		enc, err := r.AppendRLP(nil)
		is.NoError(t, err)
		is.Equal(t, v.rlp, enc)
		dec, err := Decode(enc)
		is.NoError(t, err)
		is.Equal(t, r.NodeID(), dec.NodeID())
	})
}

func TestDecodeRejects(t *testing.T) {
	key := newKey(t, 1)
	other := newKey(t, 2)
	v4 := v4items(key)
	tooBigValue := bin(bytes.Repeat([]byte{0xaa}, 200))

	// A signature with S above half the group order: valid for ECDSA but
	// malleable, so VerifyENR must reject it.
	highS := func() []byte {
		items := [][]byte{u64(1), v4[0], v4[1], v4[2], v4[3]}
		good := rawRecord(t, key, items...)
		r, err := Decode(good)
		is.NoError(t, err)
		sig := r.Signature()
		n, _ := hex.DecodeString("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
		// s' = n - s
		var s [32]byte
		borrow := 0
		for i := 31; i >= 0; i-- {
			d := int(n[i]) - int(sig[32+i]) - borrow
			borrow = 0
			if d < 0 {
				d += 256
				borrow = 1
			}
			s[i] = byte(d)
		}
		copy(sig[32:], s[:])
		out := bytes.Clone(good)
		copy(out[4:], sig) // list header f8xx, string header b840, then the signature
		return out
	}

	tests := []struct {
		name  string
		input []byte
		want  error
	}{
		{"empty list", []byte{0xc0}, ErrTooShort},
		{"signature only", rawRecordNoSeq(), ErrTooShort},
		{"odd items", rawRecord(t, key, u64(1), v4[0], v4[1], v4[2], v4[3], str("udp")), ErrOddItems},
		{"unsorted keys", rawRecord(t, key, u64(1), v4[0], v4[1], str("zz"), bin([]byte{1, 2, 3, 4}), v4[2], v4[3]), ErrNotSorted},
		{"unsorted first keys", rawRecord(t, key, u64(1), str("udp"), u64(1), v4[0], v4[1], v4[2], v4[3]), ErrNotSorted},
		{"duplicate key", rawRecord(t, key, u64(1), v4[0], v4[1], v4[0], v4[1], v4[2], v4[3]), ErrDuplicateKey},
		{"too big", rawRecord(t, key, u64(1), str("aaa"), tooBigValue, v4[0], v4[1], v4[2], v4[3]), ErrTooBig},
		{"missing id", rawRecord(t, key, u64(1), v4[2], v4[3]), ErrMissingID},
		{"unknown scheme", rawRecord(t, key, u64(1), v4[0], str("v5"), v4[2], v4[3]), ErrUnknownScheme},
		{"id is a list", rawRecord(t, key, u64(1), v4[0], []byte{0xc2, 0x76, 0x34}, v4[2], v4[3]), ErrMissingID},
		{"missing secp256k1", rawRecord(t, key, u64(1), v4[0], v4[1]), ErrMissingPubkey},
		{"secp256k1 not on curve", rawRecord(t, key, u64(1), v4[0], v4[1], v4[2], bin(append([]byte{2}, bytes.Repeat([]byte{0xff}, 32)...))), ErrMissingPubkey},
		{"signed by another key", rawRecord(t, other, u64(1), v4[0], v4[1], v4[2], v4[3]), ErrInvalidSig},
		{"zero signature", rawRecord(t, nil, u64(1), v4[0], v4[1], v4[2], v4[3]), ErrInvalidSig},
		{"high S signature", highS(), ErrInvalidSig},
		{"seq changed after signing", resign(t, key, 2), ErrInvalidSig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Decode(tt.input)
			is.ErrorIs(t, err, tt.want)
			is.Nil(t, r)
			// The same through the text form and through an rlp.Stream.
			_, err = Parse("enr:" + textEncoding.EncodeToString(tt.input))
			is.ErrorIs(t, err, tt.want)
			var rec Record
			is.ErrorIs(t, rlp.DecodeBytes(tt.input, &rec), tt.want)
			is.False(t, rec.Signed(), "receiver must stay untouched")
		})
	}

	t.Run("malformed rlp", func(t *testing.T) {
		for _, in := range [][]byte{nil, {0x80}, {0xc5, 0x01}, {0xf8, 0x02, 0x80, 0x80}} {
			_, err := Decode(in)
			is.Error(t, err, "%x", in)
		}
	})
	t.Run("signature not a string", func(t *testing.T) {
		in := append([]byte{0xc2, 0xc0}, u64(1)...)
		_, err := Decode(in)
		is.Error(t, err)
	})
	t.Run("trailing bytes", func(t *testing.T) {
		good := rawRecord(t, key, u64(1), v4[0], v4[1], v4[2], v4[3])
		_, err := Decode(append(good, 0x80))
		is.Error(t, err)
		_, err = Decode(good)
		is.NoError(t, err)
	})
	t.Run("non-canonical seq", func(t *testing.T) {
		_, err := Decode(rawRecord(t, key, []byte{0x81, 0x01}, v4[0], v4[1], v4[2], v4[3]))
		is.Error(t, err)
	})
}

// rawRecordNoSeq returns [sig] alone.
func rawRecordNoSeq() []byte {
	inner := rlp.AppendBytes(nil, make([]byte, 64))
	return append(rlp.AppendListHeader(nil, uint64(len(inner))), inner...)
}

// resign returns a record signed at seq 1 whose seq was then changed.
func resign(t *testing.T, k *secp256k1.PrivateKey, seq byte) []byte {
	t.Helper()
	enc := rawRecord(t, k, append([][]byte{u64(1)}, v4items(k)...)...)
	// The seq byte follows header(2) + sig(66).
	is.Equal(t, byte(1), enc[68])
	enc = bytes.Clone(enc)
	enc[68] = seq
	return enc
}

func TestParseText(t *testing.T) {
	v := loadEIP778(t)
	tests := []struct {
		name string
		text string
		want error
	}{
		{"no prefix", strings.TrimPrefix(v.text, "enr:"), ErrInvalidText},
		{"wrong prefix", "enode:" + strings.TrimPrefix(v.text, "enr:"), ErrInvalidText},
		{"padding", v.text + "==", ErrInvalidText},
		{"std alphabet", strings.ReplaceAll(v.text, "_", "/"), ErrInvalidText},
		{"too long", "enr:" + strings.Repeat("A", 401), ErrTooBig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.text)
			is.ErrorIs(t, err, tt.want)
		})
	}
	t.Run("surrounding space", func(t *testing.T) {
		r, err := Parse("  " + v.text + "\n")
		is.NoError(t, err)
		is.Equal(t, v.text, r.String())
	})
	t.Run("MarshalText", func(t *testing.T) {
		r, err := Parse(v.text)
		is.NoError(t, err)
		txt, err := r.MarshalText()
		is.NoError(t, err)
		is.Equal(t, v.text, string(txt))
		var unsigned Record
		_, err = unsigned.MarshalText()
		is.ErrorIs(t, err, ErrNotSigned)
	})
}

func TestSignV4(t *testing.T) {
	key := newKey(t, 7)
	t.Run("round trip", func(t *testing.T) {
		var r Record
		r.SetSeq(5)
		r.SetIP(netip.MustParseAddr("10.1.2.3"))
		r.SetIP(netip.MustParseAddr("2001:db8::1"))
		r.SetTCP(30303)
		r.SetUDP(30301)
		r.SetTCP6(30304)
		r.SetUDP6(30305)
		is.NoError(t, r.SetValue("eth", []any{[]any{[]byte{1, 2, 3, 4}, uint64(0)}}))
		is.NoError(t, r.SignV4(key))
		is.True(t, r.Signed())

		dec, err := Parse(r.String())
		is.NoError(t, err)
		is.Equal(t, uint64(5), dec.Seq())
		ip4, _ := dec.IP4()
		ip6, _ := dec.IP6()
		is.Equal(t, "10.1.2.3", ip4.String())
		is.Equal(t, "2001:db8::1", ip6.String())
		for _, c := range []struct {
			get  func() (uint16, bool)
			want uint16
		}{{dec.TCP, 30303}, {dec.UDP, 30301}, {dec.TCP6, 30304}, {dec.UDP6, 30305}} {
			p, ok := c.get()
			is.True(t, ok)
			is.Equal(t, c.want, p)
		}
		eth, ok := dec.Get("eth")
		is.True(t, ok)
		want, _ := r.Get("eth")
		is.Equal(t, want, eth)
		pub := ethcrypto.MarshalPubkey(key.PubKey())
		is.Equal(t, ethcrypto.Keccak256(pub[:]), dec.NodeID())
	})
	t.Run("too big", func(t *testing.T) {
		var r Record
		// Signature, seq, id and secp256k1 take 117 bytes, "big" 4, the
		// value's header 2 and the list header 3: 174 value bytes make
		// exactly 300.
		is.NoError(t, r.Set("big", bin(bytes.Repeat([]byte{1}, 175))))
		is.ErrorIs(t, r.SignV4(key), ErrTooBig)
		is.False(t, r.Signed())
		_, err := r.AppendRLP(nil)
		is.ErrorIs(t, err, ErrNotSigned)
		// Just under the limit is fine.
		var ok Record
		is.NoError(t, ok.Set("big", bin(bytes.Repeat([]byte{1}, 174))))
		is.NoError(t, ok.SignV4(key))
		enc, _ := ok.AppendRLP(nil)
		is.Len(t, enc, MaxSize)
		_, err = Decode(enc)
		is.NoError(t, err)
	})
	t.Run("changes unsign", func(t *testing.T) {
		var r Record
		r.SetUDP(1)
		is.NoError(t, r.SignV4(key))
		sig := r.Signature()
		r.SetUDP(1) // same value: still signed
		is.True(t, r.Signed())
		is.Equal(t, sig, r.Signature())

		changes := map[string]func(r *Record){
			"SetSeq":  func(r *Record) { r.SetSeq(9) },
			"SetUDP":  func(r *Record) { r.SetUDP(2) },
			"Set":     func(r *Record) { is.NoError(t, r.Set("x", []byte{0x01})) },
			"Delete":  func(r *Record) { is.True(t, r.Delete("udp")) },
			"SetIP":   func(r *Record) { r.SetIP(netip.MustParseAddr("1.1.1.1")) },
			"SetTCP6": func(r *Record) { r.SetTCP6(1) },
		}
		for name, change := range changes {
			t.Run(name, func(t *testing.T) {
				c := r.Clone()
				change(c)
				is.False(t, c.Signed())
				is.Nil(t, c.Signature())
				is.True(t, r.Signed(), "clone must not affect the original")
				is.NoError(t, c.SignV4(key))
				_, err := Decode(mustEncode(t, c))
				is.NoError(t, err)
			})
		}
	})
	t.Run("does not bump seq", func(t *testing.T) {
		var r Record
		r.SetSeq(3)
		is.NoError(t, r.SignV4(key))
		is.Equal(t, uint64(3), r.Seq())
	})
}

func mustEncode(t *testing.T, r *Record) []byte {
	t.Helper()
	b, err := r.AppendRLP(nil)
	is.NoError(t, err)
	return b
}

func TestGetSet(t *testing.T) {
	var r Record
	t.Run("Set validates value", func(t *testing.T) {
		for _, bad := range [][]byte{nil, {}, {0x82, 1}, {0x01, 0x02}, {0xc1}} {
			err := r.Set("k", bad)
			is.ErrorIs(t, err, ErrInvalidValue, "%x", bad)
			var ke *KeyError
			is.True(t, errors.As(err, &ke))
			is.Equal(t, "k", ke.Key)
		}
		is.Equal(t, 0, r.Len())
	})
	t.Run("keys stay sorted", func(t *testing.T) {
		for _, k := range []string{"udp", "ip", "zz", "a", "tcp"} {
			is.NoError(t, r.Set(k, []byte{0x01}))
		}
		is.Equal(t, []string{"a", "ip", "tcp", "udp", "zz"}, r.Keys())
		is.True(t, r.Has("zz"))
		is.True(t, r.Delete("zz"))
		is.False(t, r.Delete("zz"))
		is.False(t, r.Has("zz"))
	})
	t.Run("Load", func(t *testing.T) {
		var x uint64
		is.NoError(t, r.Load("a", &x))
		is.Equal(t, uint64(1), x)
		err := r.Load("missing", &x)
		is.ErrorIs(t, err, ErrNotFound)
		is.NoError(t, r.SetValue("s", "hello"))
		var s string
		is.NoError(t, r.Load("s", &s))
		is.Equal(t, "hello", s)
		var b []byte
		is.NoError(t, r.Load("s", &b))
		is.Equal(t, []byte("hello"), b)
	})
	t.Run("typed getters reject wrong shapes", func(t *testing.T) {
		var r Record
		is.NoError(t, r.Set(KeyIP, bin([]byte{1, 2, 3})))
		is.NoError(t, r.Set(KeyIP6, bin([]byte{1, 2, 3, 4})))
		is.NoError(t, r.Set(KeyUDP, u64(70000)))
		is.NoError(t, r.Set(KeyTCP, []byte{0xc0}))
		is.NoError(t, r.Set(KeyID, []byte{0xc0}))
		_, ok := r.IP4()
		is.False(t, ok)
		_, ok = r.IP6()
		is.False(t, ok)
		_, ok = r.UDP()
		is.False(t, ok)
		_, ok = r.TCP()
		is.False(t, ok)
		is.Equal(t, "", r.IDScheme())
		_, err := r.Pubkey()
		is.ErrorIs(t, err, ErrMissingPubkey)
		is.Equal(t, [32]byte{}, r.NodeID())
	})
	t.Run("SetIP", func(t *testing.T) {
		var r Record
		r.SetIP(netip.MustParseAddr("::ffff:1.2.3.4"))
		ip, ok := r.IP4()
		is.True(t, ok)
		is.Equal(t, "1.2.3.4", ip.String())
		is.False(t, r.Has(KeyIP6))
		r.SetIP(netip.Addr{})
		is.Equal(t, []string{"ip"}, r.Keys())
	})
	t.Run("String of unsigned record", func(t *testing.T) {
		var r Record
		r.SetSeq(4)
		is.NoError(t, r.Set("we\x00ird", []byte{1}))
		r.SetUDP(3)
		is.Equal(t, `enr:unsigned{seq=4 udp "we\x00ird"}`, r.String())
	})
}

// TestRLPIntegration embeds records in larger RLP values through the rlp
// package's Encoder and Decoder interfaces.
func TestRLPIntegration(t *testing.T) {
	v := loadEIP778(t)
	r1, err := Decode(v.rlp)
	is.NoError(t, err)
	var r2 Record
	r2.SetUDP(9)
	is.NoError(t, r2.SignV4(newKey(t, 9)))

	type wrapper struct {
		N       uint64
		Records []*Record
		Last    Record
	}
	enc, err := rlp.EncodeToBytes(&wrapper{N: 3, Records: []*Record{r1, &r2}, Last: *r1})
	is.NoError(t, err)
	var dec wrapper
	is.NoError(t, rlp.DecodeBytes(enc, &dec))
	is.Equal(t, uint64(3), dec.N)
	is.Len(t, dec.Records, 2)
	is.Equal(t, r1.String(), dec.Records[0].String())
	is.Equal(t, r2.String(), dec.Records[1].String())
	is.Equal(t, r1.String(), dec.Last.String())

	// An invalid record inside fails the whole decode.
	bad := bytes.Clone(enc)
	i := bytes.Index(bad, v.rlp)
	bad[i+10] ^= 1
	is.ErrorIs(t, rlp.DecodeBytes(bad, &dec), ErrInvalidSig)

	// Unsigned records cannot be encoded.
	_, err = rlp.EncodeToBytes(&wrapper{Records: []*Record{{}}})
	is.ErrorIs(t, err, ErrNotSigned)
}
