package rlp

import (
	"bytes"
	"math/big"
	"testing"
)

// benchHeader resembles an Ethereum block header: 15 encoded fields plus an
// optional base fee.
type benchHeader struct {
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

func newBenchHeader() *benchHeader {
	h := &benchHeader{
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

func newBenchHashes(n int) [][32]byte {
	hs := make([][32]byte, n)
	for i := range hs {
		hs[i][0], hs[i][31] = byte(i), byte(i>>8)
	}
	return hs
}

func newBenchBigInts() []*big.Int {
	out := []*big.Int{big.NewInt(0), big.NewInt(127), big.NewInt(1 << 40)}
	for _, bits := range []uint{64, 128, 200, 255} {
		out = append(out, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits), big.NewInt(1)))
	}
	return out
}

func benchEncode(b *testing.B, val any) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeToBytes(val); err != nil {
			b.Fatal(err)
		}
	}
}

func benchAppend(b *testing.B, val any) {
	b.ReportAllocs()
	buf := make([]byte, 0, 64<<10)
	for b.Loop() {
		var err error
		if buf, err = AppendToBytes(buf[:0], val); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeHeader(b *testing.B)       { benchEncode(b, newBenchHeader()) }
func BenchmarkAppendHeader(b *testing.B)       { benchAppend(b, newBenchHeader()) }
func BenchmarkEncodeHashes1000(b *testing.B)   { hs := newBenchHashes(1000); benchEncode(b, &hs) }
func BenchmarkAppendHashes1000(b *testing.B)   { hs := newBenchHashes(1000); benchAppend(b, &hs) }
func BenchmarkEncodeBigInts(b *testing.B)      { benchEncode(b, newBenchBigInts()) }
func BenchmarkAppendBigInts(b *testing.B)      { benchAppend(b, newBenchBigInts()) }
func BenchmarkAppendUint64Helper(b *testing.B) { benchAppendUint64(b) }

func benchAppendUint64(b *testing.B) {
	b.ReportAllocs()
	buf := make([]byte, 0, 64)
	for b.Loop() {
		buf = AppendUint64(buf[:0], 0x0123456789ABCDEF)
	}
}

func BenchmarkDecodeHeader(b *testing.B) {
	enc, _ := EncodeToBytes(newBenchHeader())
	b.ReportAllocs()
	for b.Loop() {
		var h benchHeader
		if err := DecodeBytes(enc, &h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeHeaderReader(b *testing.B) {
	enc, _ := EncodeToBytes(newBenchHeader())
	b.ReportAllocs()
	r := bytes.NewReader(enc)
	for b.Loop() {
		var h benchHeader
		r.Reset(enc)
		if err := Decode(r, &h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeHashes1000(b *testing.B) {
	enc, _ := EncodeToBytes(newBenchHashes(1000))
	b.ReportAllocs()
	for b.Loop() {
		var hs [][32]byte
		if err := DecodeBytes(enc, &hs); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBigInts(b *testing.B) {
	enc, _ := EncodeToBytes(newBenchBigInts())
	b.ReportAllocs()
	for b.Loop() {
		var out []*big.Int
		if err := DecodeBytes(enc, &out); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeGeneric(b *testing.B) {
	enc, _ := EncodeToBytes(newBenchHeader())
	b.ReportAllocs()
	for b.Loop() {
		var v any
		if err := DecodeBytes(enc, &v); err != nil {
			b.Fatal(err)
		}
	}
}

// TestAppendNoAllocs pins the zero-allocation promise of AppendToBytes.
func TestAppendNoAllocs(t *testing.T) {
	h := newBenchHeader()
	hs := newBenchHashes(1000)
	tests := []struct {
		name string
		val  any
	}{
		{"header", h},
		{"hashes", &hs},
		{"bigints", newBenchBigInts()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			buf := make([]byte, 0, 64<<10)
			allocs := testing.AllocsPerRun(20, func() {
				buf, _ = AppendToBytes(buf[:0], tt.val)
			})
			if allocs != 0 {
				t.Fatalf("AppendToBytes allocated %v times per run, want 0", allocs)
			}
		})
	}
}
