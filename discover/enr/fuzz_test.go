package enr

import (
	"bytes"
	"testing"
)

func FuzzDecodeENR(f *testing.F) {
	v := loadEIP778(f)
	f.Add(v.rlp)
	key := newKey(f, 3)
	f.Add(rawRecord(f, key, append([][]byte{u64(7)}, v4items(key)...)...))
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, b []byte) {
		r, err := Decode(b)
		if err != nil {
			if r != nil {
				t.Fatal("record returned with error")
			}
			return
		}
		// A decoded record is signed, prints, and re-encodes to its input.
		_ = r.String()
		_ = r.Keys()
		_, _ = r.IP4()
		_, _ = r.UDP()
		enc, err := r.AppendRLP(nil)
		if err != nil || !bytes.Equal(enc, b) {
			t.Fatalf("re-encoding differs: %x vs %x (%v)", enc, b, err)
		}
		back, err := Parse(r.String())
		if err != nil || back.NodeID() != r.NodeID() {
			t.Fatalf("text form does not parse back: %v", err)
		}
		// Re-signing a clone keeps every entry.
		c := r.Clone()
		c.SetSeq(c.Seq() + 1)
		if c.Signed() || !r.Signed() {
			t.Fatal("clone shares signature state")
		}
	})
}

func FuzzParseText(f *testing.F) {
	f.Add(loadEIP778(f).text)
	f.Add("enr:")
	f.Fuzz(func(t *testing.T, s string) {
		r, err := Parse(s)
		if err != nil {
			return
		}
		_ = r.String()
	})
}

func BenchmarkDecode(b *testing.B) {
	v := loadEIP778(b)
	b.Run("rlp", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Decode(v.rlp); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("text", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := Parse(v.text); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkSignV4(b *testing.B) {
	v := loadEIP778(b)
	r, err := Decode(v.rlp)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		r.SetSeq(uint64(i))
		if err := r.SignV4(v.key); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncode(b *testing.B) {
	v := loadEIP778(b)
	r, err := Decode(v.rlp)
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, MaxSize)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = r.AppendRLP(buf[:0])
	}
}
