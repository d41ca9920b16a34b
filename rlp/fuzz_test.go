package rlp

import (
	"bytes"
	"errors"
	"io"
	"math/big"
	"os"
	"testing"
)

// fuzzSeeds returns encodings of the test tables and vector files.
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, tt := range decodeTests {
		seeds = append(seeds, unhex(tt.input))
	}
	for _, tt := range encodeTests {
		if tt.err == nil {
			seeds = append(seeds, unhex(tt.want))
		}
	}
	for _, file := range []string{"testdata/rlptest.json", "testdata/invalidRLPTest.json"} {
		if _, err := os.Stat(file); err != nil {
			continue
		}
		for _, v := range loadVectors(f, file) {
			seeds = append(seeds, vectorBytes(f, v.Out))
		}
	}
	return seeds
}

// canonicalTargets are types whose decoding is one-to-one: anything that
// decodes must re-encode to exactly the input.
var canonicalTargets = []func() any{
	func() any { return new(any) },
	func() any { return new(RawValue) },
	func() any { return new(uint64) },
	func() any { return new(uint8) },
	func() any { return new(bool) },
	func() any { return new(*big.Int) },
	func() any { return new([]byte) },
	func() any { return new([4]byte) },
	func() any { return new(string) },
	func() any { return new([][]uint16) },
	func() any { return new(simpleStruct) },
	func() any { return new(tailStruct) },
	func() any { return new(byteArrays) },
	func() any { return new(recursive) },
	func() any { return new(nilTags) },
}

// FuzzDecode checks that whatever decodes re-encodes to the same bytes, and
// that DecodeBytes, Decode and an unsized reader agree.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, newVal := range canonicalTargets {
			v := newVal()
			err := DecodeBytes(data, v)
			v2 := newVal()
			err2 := Decode(onlyReader{bytes.NewReader(data)}, v2)
			if err == nil {
				if err2 != nil {
					t.Fatalf("%T: DecodeBytes accepts %x, Decode rejects: %v", v, data, err2)
				}
				enc, err := EncodeToBytes(v)
				if err != nil {
					t.Fatalf("%T: decoded %x but cannot re-encode: %v", v, data, err)
				}
				if !bytes.Equal(enc, data) {
					t.Fatalf("%T: decoded %x, re-encoded %x", v, data, enc)
				}
			} else if err2 == nil && !errors.Is(err, ErrMoreThanOneValue) {
				t.Fatalf("%T: Decode accepts %x, DecodeBytes rejects: %v", v, data, err)
			}
		}
		// Split agrees with generic decoding about validity.
		var v any
		err := DecodeBytes(data, &v)
		if err == nil {
			if _, _, rest, err := Split(data); err != nil || len(rest) != 0 {
				t.Fatalf("Split disagrees on %x: %v", data, err)
			}
		}
	})
}

// countingReader records the total size of reads.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// FuzzStream walks random input with a random sequence of Stream calls. It
// must never panic or hang, and no returned slice may exceed the input.
func FuzzStream(f *testing.F) {
	for i, s := range fuzzSeeds(f) {
		f.Add(s, []byte{byte(i), 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11})
	}
	f.Fuzz(func(t *testing.T, data, ops []byte) {
		if len(ops) > 512 {
			ops = ops[:512]
		}
		sources := []func() *Stream{
			func() *Stream { s := new(Stream); s.resetBytes(data); return s },
			func() *Stream { return NewStream(bytes.NewReader(data), 0) },
			func() *Stream { return NewStream(&countingReader{r: bytes.NewReader(data)}, 0) },
			func() *Stream { return NewStream(onlyReader{bytes.NewReader(data)}, uint64(len(data))/2+1) },
		}
		for _, newStream := range sources {
			s := newStream()
			check := func(b []byte) {
				if len(b) > len(data) {
					t.Fatalf("returned %d bytes from %d bytes of input", len(b), len(data))
				}
			}
			walk := func() {
				for _, op := range ops {
					switch op % 12 {
					case 0:
						s.Kind()
					case 1:
						s.List()
					case 2:
						s.ListEnd()
					case 3:
						b, _ := s.Bytes()
						check(b)
					case 4:
						s.Uint64()
					case 5:
						b, _ := s.Raw()
						check(b)
					case 6:
						s.BigInt()
					case 7:
						s.Bool()
					case 8:
						s.MoreDataInList()
					case 9:
						var v any
						s.Decode(&v)
					case 10:
						s.ReadBytes(make([]byte, int(op>>4)))
					case 11:
						s.Uint8()
					}
				}
			}
			// Memory follows the input, whatever its headers claim: a
			// generous bound that a claim-sized allocation would break.
			if n := allocatedBytes(walk); n > uint64(64*len(data))+8<<20 {
				t.Fatalf("allocated %d bytes walking %d bytes of input", n, len(data))
			}
		}
	})
}
