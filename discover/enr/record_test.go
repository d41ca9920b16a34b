package enr

import (
	"bytes"
	"encoding/hex"
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlp"
)

func TestEIP778Vector(t *testing.T) {
	v := loadEIP778(t)
	check := func(t *testing.T, r *Record) {
		require.Equal(t, v.seq, r.Seq())
		require.True(t, r.Signed())
		require.Equal(t, SchemeV4, r.IDScheme())
		ip, ok := r.IP4()
		require.True(t, ok)
		require.Equal(t, v.ip, ip.String())
		udp, ok := r.UDP()
		require.True(t, ok)
		require.Equal(t, v.udp, udp)
		_, ok = r.TCP()
		require.False(t, ok)
		_, ok = r.IP6()
		require.False(t, ok)
		id := r.NodeID()
		require.Equal(t, v.nodeID, id[:])
		require.Equal(t, v.sig, r.Signature())
		pub, err := r.Pubkey()
		require.NoError(t, err)
		require.True(t, pub.IsEqual(v.key.PubKey()))
		require.Equal(t, []string{"id", "ip", "secp256k1", "udp"}, r.Keys())

		enc, err := r.AppendRLP(nil)
		require.NoError(t, err)
		require.Equal(t, v.rlp, enc)
		require.Equal(t, v.text, r.String())
	}
	t.Run("text", func(t *testing.T) {
		r, err := Parse(v.text)
		require.NoError(t, err)
		check(t, r)
	})
	t.Run("rlp", func(t *testing.T) {
		r, err := Decode(v.rlp)
		require.NoError(t, err)
		check(t, r)
	})
	t.Run("rlp.DecodeBytes", func(t *testing.T) {
		var r Record
		require.NoError(t, rlp.DecodeBytes(v.rlp, &r))
		check(t, &r)
		enc, err := rlp.EncodeToBytes(&r)
		require.NoError(t, err)
		require.Equal(t, v.rlp, enc)
	})
	t.Run("sign", func(t *testing.T) {
		// Build the same content by hand. Signing uses RFC 6979
		// deterministic nonces, like the code that made the vector, so
		// the whole encoding must come out identical.
		var r Record
		r.SetSeq(1)
		r.SetIP(netip.MustParseAddr("127.0.0.1"))
		r.SetUDP(30303)
		require.NoError(t, r.SignV4(v.key))
		enc, err := r.AppendRLP(nil)
		require.NoError(t, err)
		require.Equal(t, v.rlp, enc)
		dec, err := Decode(enc)
		require.NoError(t, err)
		require.Equal(t, r.NodeID(), dec.NodeID())
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
		require.NoError(t, err)
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
			require.ErrorIs(t, err, tt.want)
			require.Nil(t, r)
			// The same through the text form and through an rlp.Stream.
			_, err = Parse("enr:" + textEncoding.EncodeToString(tt.input))
			require.ErrorIs(t, err, tt.want)
			var rec Record
			require.ErrorIs(t, rlp.DecodeBytes(tt.input, &rec), tt.want)
			require.False(t, rec.Signed(), "receiver must stay untouched")
		})
	}

	t.Run("malformed rlp", func(t *testing.T) {
		for _, in := range [][]byte{nil, {0x80}, {0xc5, 0x01}, {0xf8, 0x02, 0x80, 0x80}} {
			_, err := Decode(in)
			require.Error(t, err, "%x", in)
		}
	})
	t.Run("signature not a string", func(t *testing.T) {
		in := append([]byte{0xc2, 0xc0}, u64(1)...)
		_, err := Decode(in)
		require.Error(t, err)
	})
	t.Run("trailing bytes", func(t *testing.T) {
		good := rawRecord(t, key, u64(1), v4[0], v4[1], v4[2], v4[3])
		_, err := Decode(append(good, 0x80))
		require.Error(t, err)
		_, err = Decode(good)
		require.NoError(t, err)
	})
	t.Run("non-canonical seq", func(t *testing.T) {
		_, err := Decode(rawRecord(t, key, []byte{0x81, 0x01}, v4[0], v4[1], v4[2], v4[3]))
		require.Error(t, err)
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
	require.Equal(t, byte(1), enc[68])
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
			require.ErrorIs(t, err, tt.want)
		})
	}
	t.Run("surrounding space", func(t *testing.T) {
		r, err := Parse("  " + v.text + "\n")
		require.NoError(t, err)
		require.Equal(t, v.text, r.String())
	})
	t.Run("MarshalText", func(t *testing.T) {
		r, err := Parse(v.text)
		require.NoError(t, err)
		txt, err := r.MarshalText()
		require.NoError(t, err)
		require.Equal(t, v.text, string(txt))
		var unsigned Record
		_, err = unsigned.MarshalText()
		require.ErrorIs(t, err, ErrNotSigned)
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
		require.NoError(t, r.SetValue("eth", []any{[]any{[]byte{1, 2, 3, 4}, uint64(0)}}))
		require.NoError(t, r.SignV4(key))
		require.True(t, r.Signed())

		dec, err := Parse(r.String())
		require.NoError(t, err)
		require.Equal(t, uint64(5), dec.Seq())
		ip4, _ := dec.IP4()
		ip6, _ := dec.IP6()
		require.Equal(t, "10.1.2.3", ip4.String())
		require.Equal(t, "2001:db8::1", ip6.String())
		for _, c := range []struct {
			get  func() (uint16, bool)
			want uint16
		}{{dec.TCP, 30303}, {dec.UDP, 30301}, {dec.TCP6, 30304}, {dec.UDP6, 30305}} {
			p, ok := c.get()
			require.True(t, ok)
			require.Equal(t, c.want, p)
		}
		eth, ok := dec.Get("eth")
		require.True(t, ok)
		want, _ := r.Get("eth")
		require.Equal(t, want, eth)
		pub := ethcrypto.MarshalPubkey(key.PubKey())
		require.Equal(t, ethcrypto.Keccak256(pub[:]), dec.NodeID())
	})
	t.Run("too big", func(t *testing.T) {
		var r Record
		// Signature, seq, id and secp256k1 take 117 bytes, "big" 4, the
		// value's header 2 and the list header 3: 174 value bytes make
		// exactly 300.
		require.NoError(t, r.Set("big", bin(bytes.Repeat([]byte{1}, 175))))
		require.ErrorIs(t, r.SignV4(key), ErrTooBig)
		require.False(t, r.Signed())
		_, err := r.AppendRLP(nil)
		require.ErrorIs(t, err, ErrNotSigned)
		// Just under the limit is fine.
		var ok Record
		require.NoError(t, ok.Set("big", bin(bytes.Repeat([]byte{1}, 174))))
		require.NoError(t, ok.SignV4(key))
		enc, _ := ok.AppendRLP(nil)
		require.Len(t, enc, MaxSize)
		_, err = Decode(enc)
		require.NoError(t, err)
	})
	t.Run("changes unsign", func(t *testing.T) {
		var r Record
		r.SetUDP(1)
		require.NoError(t, r.SignV4(key))
		sig := r.Signature()
		r.SetUDP(1) // same value: still signed
		require.True(t, r.Signed())
		require.Equal(t, sig, r.Signature())

		changes := map[string]func(r *Record){
			"SetSeq":  func(r *Record) { r.SetSeq(9) },
			"SetUDP":  func(r *Record) { r.SetUDP(2) },
			"Set":     func(r *Record) { require.NoError(t, r.Set("x", []byte{0x01})) },
			"Delete":  func(r *Record) { require.True(t, r.Delete("udp")) },
			"SetIP":   func(r *Record) { r.SetIP(netip.MustParseAddr("1.1.1.1")) },
			"SetTCP6": func(r *Record) { r.SetTCP6(1) },
		}
		for name, change := range changes {
			t.Run(name, func(t *testing.T) {
				c := r.Clone()
				change(c)
				require.False(t, c.Signed())
				require.Nil(t, c.Signature())
				require.True(t, r.Signed(), "clone must not affect the original")
				require.NoError(t, c.SignV4(key))
				_, err := Decode(mustEncode(t, c))
				require.NoError(t, err)
			})
		}
	})
	t.Run("does not bump seq", func(t *testing.T) {
		var r Record
		r.SetSeq(3)
		require.NoError(t, r.SignV4(key))
		require.Equal(t, uint64(3), r.Seq())
	})
}

func mustEncode(t *testing.T, r *Record) []byte {
	t.Helper()
	b, err := r.AppendRLP(nil)
	require.NoError(t, err)
	return b
}

func TestGetSet(t *testing.T) {
	var r Record
	t.Run("Set validates value", func(t *testing.T) {
		for _, bad := range [][]byte{nil, {}, {0x82, 1}, {0x01, 0x02}, {0xc1}} {
			err := r.Set("k", bad)
			require.ErrorIs(t, err, ErrInvalidValue, "%x", bad)
			var ke *KeyError
			require.True(t, errors.As(err, &ke))
			require.Equal(t, "k", ke.Key)
		}
		require.Equal(t, 0, r.Len())
	})
	t.Run("keys stay sorted", func(t *testing.T) {
		for _, k := range []string{"udp", "ip", "zz", "a", "tcp"} {
			require.NoError(t, r.Set(k, []byte{0x01}))
		}
		require.Equal(t, []string{"a", "ip", "tcp", "udp", "zz"}, r.Keys())
		require.True(t, r.Has("zz"))
		require.True(t, r.Delete("zz"))
		require.False(t, r.Delete("zz"))
		require.False(t, r.Has("zz"))
	})
	t.Run("Load", func(t *testing.T) {
		var x uint64
		require.NoError(t, r.Load("a", &x))
		require.Equal(t, uint64(1), x)
		err := r.Load("missing", &x)
		require.ErrorIs(t, err, ErrNotFound)
		require.NoError(t, r.SetValue("s", "hello"))
		var s string
		require.NoError(t, r.Load("s", &s))
		require.Equal(t, "hello", s)
		var b []byte
		require.NoError(t, r.Load("s", &b))
		require.Equal(t, []byte("hello"), b)
	})
	t.Run("typed getters reject wrong shapes", func(t *testing.T) {
		var r Record
		require.NoError(t, r.Set(KeyIP, bin([]byte{1, 2, 3})))
		require.NoError(t, r.Set(KeyIP6, bin([]byte{1, 2, 3, 4})))
		require.NoError(t, r.Set(KeyUDP, u64(70000)))
		require.NoError(t, r.Set(KeyTCP, []byte{0xc0}))
		require.NoError(t, r.Set(KeyID, []byte{0xc0}))
		_, ok := r.IP4()
		require.False(t, ok)
		_, ok = r.IP6()
		require.False(t, ok)
		_, ok = r.UDP()
		require.False(t, ok)
		_, ok = r.TCP()
		require.False(t, ok)
		require.Equal(t, "", r.IDScheme())
		_, err := r.Pubkey()
		require.ErrorIs(t, err, ErrMissingPubkey)
		require.Equal(t, [32]byte{}, r.NodeID())
	})
	t.Run("SetIP", func(t *testing.T) {
		var r Record
		r.SetIP(netip.MustParseAddr("::ffff:1.2.3.4"))
		ip, ok := r.IP4()
		require.True(t, ok)
		require.Equal(t, "1.2.3.4", ip.String())
		require.False(t, r.Has(KeyIP6))
		r.SetIP(netip.Addr{})
		require.Equal(t, []string{"ip"}, r.Keys())
	})
	t.Run("String of unsigned record", func(t *testing.T) {
		var r Record
		r.SetSeq(4)
		require.NoError(t, r.Set("we\x00ird", []byte{1}))
		r.SetUDP(3)
		require.Equal(t, `enr:unsigned{seq=4 udp "we\x00ird"}`, r.String())
	})
}

// TestRLPIntegration embeds records in larger RLP values through the rlp
// package's Encoder and Decoder interfaces.
func TestRLPIntegration(t *testing.T) {
	v := loadEIP778(t)
	r1, err := Decode(v.rlp)
	require.NoError(t, err)
	var r2 Record
	r2.SetUDP(9)
	require.NoError(t, r2.SignV4(newKey(t, 9)))

	type wrapper struct {
		N       uint64
		Records []*Record
		Last    Record
	}
	enc, err := rlp.EncodeToBytes(&wrapper{N: 3, Records: []*Record{r1, &r2}, Last: *r1})
	require.NoError(t, err)
	var dec wrapper
	require.NoError(t, rlp.DecodeBytes(enc, &dec))
	require.Equal(t, uint64(3), dec.N)
	require.Len(t, dec.Records, 2)
	require.Equal(t, r1.String(), dec.Records[0].String())
	require.Equal(t, r2.String(), dec.Records[1].String())
	require.Equal(t, r1.String(), dec.Last.String())

	// An invalid record inside fails the whole decode.
	bad := bytes.Clone(enc)
	i := bytes.Index(bad, v.rlp)
	bad[i+10] ^= 1
	require.ErrorIs(t, rlp.DecodeBytes(bad, &dec), ErrInvalidSig)

	// Unsigned records cannot be encoded.
	_, err = rlp.EncodeToBytes(&wrapper{Records: []*Record{{}}})
	require.ErrorIs(t, err, ErrNotSigned)
}
