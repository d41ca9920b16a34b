package interop

import (
	"bytes"
	"math/big"
	"testing"

	gethrlp "github.com/ethereum/go-ethereum/rlp"

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
	hashes := benchHashes(1000)
	cases := []struct {
		name   string
		val    any
		newVal func() any
	}{
		{"header", benchHeaderValue(), func() any { return new(Header) }},
		{"hashes1000", &hashes, func() any { return new([][32]byte) }},
		{"bigints", benchBigInts(), func() any { return new([]*big.Int) }},
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

// Header resembles an Ethereum block header: 15 fields plus an optional base
// fee.
type Header struct {
	ParentHash  [32]byte
	UncleHash   [32]byte
	Coinbase    [20]byte
	Root        [32]byte
	TxHash      [32]byte
	ReceiptHash [32]byte
	Bloom       [256]byte
	Difficulty  *big.Int
	Number      *big.Int
	GasLimit    uint64
	GasUsed     uint64
	Time        uint64
	Extra       []byte
	MixDigest   [32]byte
	Nonce       [8]byte
	BaseFee     *big.Int `rlp:"optional"`
}

func benchHeaderValue() *Header {
	h := &Header{
		Difficulty: new(big.Int).SetUint64(131072 * 1000),
		Number:     big.NewInt(19_000_000),
		GasLimit:   30_000_000,
		GasUsed:    12_345_678,
		Time:       1_700_000_000,
		Extra:      []byte("devp2p benchmark extra data"),
		BaseFee:    big.NewInt(7_000_000_000),
	}
	for i := range h.ParentHash {
		h.ParentHash[i] = byte(i)
		h.Root[i] = byte(i * 3)
		h.TxHash[i] = byte(i * 5)
		h.MixDigest[i] = byte(i * 7)
	}
	for i := range h.Bloom {
		h.Bloom[i] = byte(i)
	}
	h.Coinbase[0], h.Nonce[7] = 0xAB, 0x42
	return h
}

func benchHashes(n int) [][32]byte {
	hs := make([][32]byte, n)
	for i := range hs {
		hs[i][0], hs[i][31] = byte(i), byte(i>>8)
	}
	return hs
}

func benchBigInts() []*big.Int {
	out := []*big.Int{big.NewInt(0), big.NewInt(127), big.NewInt(1 << 40)}
	for _, bits := range []uint{64, 128, 200, 255} {
		out = append(out, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits), big.NewInt(1)))
	}
	return out
}
