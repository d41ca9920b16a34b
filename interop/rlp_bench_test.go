package interop

import (
	"bytes"
	"math/big"
	"testing"

	gethrlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/devp2p-go/devp2p/internal/rlpbench"
	"github.com/devp2p-go/devp2p/rlp"
)

// BenchmarkRLP runs the same values through our rlp package and
// go-ethereum's, side by side: BenchmarkRLP/<case>/<op>/{ours,geth}.
//
//   - encode: EncodeToBytes (a fresh result slice each time).
//   - append: encoding into a reused buffer; ours is AppendToBytes, geth's is
//     Encode into a reset bytes.Buffer (its zero-copy path).
//   - decode: DecodeBytes into a fresh value.
//   - decode-reader: Decode from a *bytes.Reader into a fresh value.
func BenchmarkRLP(b *testing.B) {
	hashes := rlpbench.Hashes(1000)
	cases := []struct {
		name   string
		val    any
		newVal func() any
	}{
		{"header", rlpbench.NewHeader(), func() any { return new(rlpbench.Header) }},
		{"hashes1000", &hashes, func() any { return new([][32]byte) }},
		{"bigints", rlpbench.BigInts(), func() any { return new([]*big.Int) }},
	}
	for _, c := range cases {
		enc, err := rlp.EncodeToBytes(c.val)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(c.name+"/encode/ours", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := rlp.EncodeToBytes(c.val); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/encode/geth", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := gethrlp.EncodeToBytes(c.val); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/append/ours", func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 2*len(enc))
			for b.Loop() {
				if buf, err = rlp.AppendToBytes(buf[:0], c.val); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/append/geth", func(b *testing.B) {
			b.ReportAllocs()
			var buf bytes.Buffer
			buf.Grow(2 * len(enc))
			for b.Loop() {
				buf.Reset()
				if err := gethrlp.Encode(&buf, c.val); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/decode/ours", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := rlp.DecodeBytes(enc, c.newVal()); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/decode/geth", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := gethrlp.DecodeBytes(enc, c.newVal()); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/decode-reader/ours", func(b *testing.B) {
			b.ReportAllocs()
			r := bytes.NewReader(enc)
			for b.Loop() {
				r.Reset(enc)
				if err := rlp.Decode(r, c.newVal()); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"/decode-reader/geth", func(b *testing.B) {
			b.ReportAllocs()
			r := bytes.NewReader(enc)
			for b.Loop() {
				r.Reset(enc)
				if err := gethrlp.Decode(r, c.newVal()); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
