package rlp

import (
	"bytes"
	"math/big"
	"testing"

	"github.com/devp2p-go/devp2p/internal/rlpbench"
)

// The benchmark values are shared with interop's side-by-side benchmarks.
type benchHeader = rlpbench.Header

var (
	newBenchHeader  = rlpbench.NewHeader
	newBenchHashes  = rlpbench.Hashes
	newBenchBigInts = rlpbench.BigInts
)

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
