package rlp

import (
	"bytes"
	"errors"
	"io"
	"math/big"
	"runtime"
	"testing"
)

func TestStreamWalk(t *testing.T) {
	// [ 1, "dog", [ 0x0400, [] ], 2^64 ]
	input := unhex("d4 01 83646f67 c4 820400 c0 89010000000000000000")
	sources := map[string]func() *Stream{
		"bytes":      func() *Stream { s := new(Stream); s.resetBytes(input); return s },
		"reader":     func() *Stream { return NewStream(bytes.NewReader(input), 0) },
		"unbuffered": func() *Stream { return NewStream(onlyReader{bytes.NewReader(input)}, 0) },
	}
	for name, newStream := range sources {
		t.Run(name, func(t *testing.T) {
			s := newStream()
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			k, size, err := s.Kind()
			must(err)
			if k != List || size != 20 {
				t.Fatalf("Kind = %v %d, want List 20", k, size)
			}
			_, err = s.List()
			must(err)
			if x, err := s.Uint64(); err != nil || x != 1 {
				t.Fatalf("Uint64 = %d, %v", x, err)
			}
			if b, err := s.Bytes(); err != nil || string(b) != "dog" {
				t.Fatalf("Bytes = %q, %v", b, err)
			}
			if size, err := s.List(); err != nil || size != 4 {
				t.Fatalf("List = %d, %v", size, err)
			}
			if !s.MoreDataInList() {
				t.Fatal("MoreDataInList = false, want true")
			}
			if err := s.ListEnd(); !errors.Is(err, ErrNotAtEOL) {
				t.Fatalf("early ListEnd error = %v, want ErrNotAtEOL", err)
			}
			if x, err := s.Uint16(); err != nil || x != 0x400 {
				t.Fatalf("Uint16 = %d, %v", x, err)
			}
			raw, err := s.Raw()
			must(err)
			if !bytes.Equal(raw, []byte{0xC0}) {
				t.Fatalf("Raw = %x, want c0", raw)
			}
			if _, _, err := s.Kind(); err != ErrEOL {
				t.Fatalf("Kind at end of list: %v, want ErrEOL", err)
			}
			must(s.ListEnd())
			bi, err := s.BigInt()
			must(err)
			if bi.Cmp(new(big.Int).Lsh(big.NewInt(1), 64)) != 0 {
				t.Fatalf("BigInt = %v", bi)
			}
			if _, err := s.Uint64(); err != ErrEOL {
				t.Fatalf("read past end of list: %v, want ErrEOL", err)
			}
			must(s.ListEnd())
			if _, _, err := s.Kind(); err != io.EOF {
				t.Fatalf("Kind at end of input: %v, want io.EOF", err)
			}
			if err := s.ListEnd(); !errors.Is(err, ErrNotInList) {
				t.Fatalf("ListEnd outside list: %v, want ErrNotInList", err)
			}
		})
	}
}

func TestStreamInputLimit(t *testing.T) {
	input := unhex("c3010203")
	s := NewStream(onlyReader{bytes.NewReader(input)}, 3)
	if _, err := s.List(); !errors.Is(err, ErrValueTooLarge) {
		t.Fatalf("List error = %v, want ErrValueTooLarge", err)
	}
	s.Reset(onlyReader{bytes.NewReader(input)}, 4)
	var v []uint
	if err := s.Decode(&v); err != nil || len(v) != 3 {
		t.Fatalf("Decode = %v, %v", v, err)
	}
}

func TestStreamHugeClaimUnlimited(t *testing.T) {
	// A string claiming 2^40 bytes from an unsized reader holding only a few:
	// the Stream must fail with ErrUnexpectedEOF without allocating the claim.
	input := unhex("bd010000000000 0102")
	s := NewStream(onlyReader{bytes.NewReader(input)}, 0)
	if _, err := s.Bytes(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("error = %v, want io.ErrUnexpectedEOF", err)
	}
	allocated := allocatedBytes(func() {
		s.Reset(onlyReader{bytes.NewReader(input)}, 0)
		s.Bytes()
	})
	if allocated > 1<<20 {
		t.Fatalf("allocated %d bytes for a 1 TiB claim", allocated)
	}
}

func TestStreamReadBytes(t *testing.T) {
	tests := []struct {
		name  string
		input string
		n     int
		err   error
	}{
		{"ok", "83010203", 3, nil},
		{"byte", "01", 1, nil},
		{"wrapped-byte", "8101", 1, ErrCanonSize},
		{"short", "820102", 3, ErrByteArrayLength},
		{"long", "8401020304", 3, ErrByteArrayLength},
		{"list", "c3010203", 3, ErrExpectedString},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := NewStream(bytes.NewReader(unhex(tt.input)), 0)
			err := s.ReadBytes(make([]byte, tt.n))
			if !errors.Is(err, tt.err) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
		})
	}
}

func TestStreamHugeClaimExplicitLimit(t *testing.T) {
	// An explicit limit on a network-like reader is only a cap: a header
	// claiming nearly all of it must not be allocated up front.
	input := unhex("bb40000000 0102")
	for _, decode := range []func(s *Stream) error{
		func(s *Stream) error { _, err := s.Bytes(); return err },
		func(s *Stream) error { _, err := s.Raw(); return err },
		func(s *Stream) error { var v []byte; return s.Decode(&v) },
	} {
		allocated := allocatedBytes(func() {
			s := NewStream(onlyReader{bytes.NewReader(input)}, 1<<31)
			if err := decode(s); !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("error = %v, want io.ErrUnexpectedEOF", err)
			}
		})
		if allocated > 1<<20 {
			t.Fatalf("allocated %d bytes for a 1 GiB claim", allocated)
		}
	}
}

// allocatedBytes returns the bytes allocated while running f.
func allocatedBytes(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

func TestStreamPeekedEmptyValue(t *testing.T) {
	// [""] : after Kind peeks the empty string, its one-byte header is
	// already charged to the list, but the value is still unread.
	for _, input := range []string{"c180", "c1c0"} {
		s := NewStream(bytes.NewReader(unhex(input)), 0)
		if _, err := s.List(); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Kind(); err != nil {
			t.Fatal(err)
		}
		if !s.MoreDataInList() {
			t.Errorf("%s: MoreDataInList = false with a peeked value", input)
		}
		if err := s.ListEnd(); !errors.Is(err, ErrNotAtEOL) {
			t.Errorf("%s: ListEnd with a peeked value: %v, want ErrNotAtEOL", input, err)
		}
		if _, err := s.Raw(); err != nil {
			t.Fatal(err)
		}
		if s.MoreDataInList() {
			t.Errorf("%s: MoreDataInList = true after reading the value", input)
		}
		if err := s.ListEnd(); err != nil {
			t.Errorf("%s: ListEnd: %v", input, err)
		}
	}
}
