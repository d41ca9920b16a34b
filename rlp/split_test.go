package rlp

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name          string
		input         string
		kind          Kind
		content, rest string
		err           error
	}{
		{"byte", "01ff", Byte, "01", "ff", nil},
		{"empty-string", "80", String, "", "", nil},
		{"string", "8301020304", String, "010203", "04", nil},
		{"list", "c20102", List, "0102", "", nil},
		{"long-string", "b838" + strings.Repeat("aa", 56), String, strings.Repeat("aa", 56), "", nil},
		{"empty-input", "", 0, "", "", io.ErrUnexpectedEOF},
		{"wrapped-byte", "8101", 0, "", "", ErrCanonSize},
		{"long-form-short", "b80100", 0, "", "", ErrCanonSize},
		{"size-leading-zero", "b90038" + strings.Repeat("aa", 56), 0, "", "", ErrCanonSize},
		{"list-long-form-short", "f80100", 0, "", "", ErrCanonSize},
		{"truncated-size", "b9", 0, "", "", io.ErrUnexpectedEOF},
		{"too-large", "830102", 0, "", "", ErrValueTooLarge},
		{"huge", "bfffffffffffffffff", 0, "", "", ErrValueTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, content, rest, err := Split(unhex(tt.input))
			if !errors.Is(err, tt.err) {
				t.Fatalf("error = %v, want %v", err, tt.err)
			}
			if err != nil {
				return
			}
			if k != tt.kind || !bytes.Equal(content, unhex(tt.content)) || !bytes.Equal(rest, unhex(tt.rest)) {
				t.Fatalf("got %v %x %x, want %v %s %s", k, content, rest, tt.kind, tt.content, tt.rest)
			}
		})
	}
}

func TestSplitHelpers(t *testing.T) {
	if _, _, err := SplitList(unhex("80")); !errors.Is(err, ErrExpectedList) {
		t.Errorf("SplitList(80) error = %v", err)
	}
	if _, _, err := SplitString(unhex("c0")); !errors.Is(err, ErrExpectedString) {
		t.Errorf("SplitString(c0) error = %v", err)
	}
	uintTests := []struct {
		input string
		want  uint64
		err   error
	}{
		{"80", 0, nil},
		{"01", 1, nil},
		{"8180", 128, nil},
		{"88ffffffffffffffff", 1<<64 - 1, nil},
		{"00", 0, ErrCanonInt},
		{"820001", 0, ErrCanonInt},
		{"89010000000000000000", 0, ErrUintOverflow},
		{"c0", 0, ErrExpectedString},
	}
	for _, tt := range uintTests {
		x, _, err := SplitUint64(unhex(tt.input))
		if !errors.Is(err, tt.err) || x != tt.want {
			t.Errorf("SplitUint64(%s) = %d, %v; want %d, %v", tt.input, x, err, tt.want, tt.err)
		}
	}
	if n, err := CountValues(unhex("01 80 c0 c20102 8180")); n != 5 || err != nil {
		t.Errorf("CountValues = %d, %v; want 5", n, err)
	}
	if _, err := CountValues(unhex("01 8101")); !errors.Is(err, ErrCanonSize) {
		t.Errorf("CountValues(bad) error = %v", err)
	}
}

func TestSizes(t *testing.T) {
	for _, x := range []uint64{0, 1, 127, 128, 255, 256, 1 << 16, 1<<64 - 1} {
		if got, want := IntSize(x), len(AppendUint64(nil, x)); got != want {
			t.Errorf("IntSize(%d) = %d, want %d", x, got, want)
		}
	}
	for _, n := range []uint64{0, 1, 55, 56, 255, 256, 1 << 20} {
		if got, want := ListSize(n), uint64(len(AppendListHeader(nil, n)))+n; got != want {
			t.Errorf("ListSize(%d) = %d, want %d", n, got, want)
		}
	}
}

func TestStartEndList(t *testing.T) {
	for _, n := range []int{0, 1, 55, 56, 300, 70000} {
		dst, mark := StartList([]byte{0xEE})
		for i := 0; i < n; i++ {
			dst = append(dst, 0x01)
		}
		dst = EndList(dst, mark)
		want := append([]byte{0xEE}, AppendListHeader(nil, uint64(n))...)
		want = append(want, bytes.Repeat([]byte{1}, n)...)
		if !bytes.Equal(dst, want) {
			t.Errorf("n=%d: got %x..., want %x...", n, dst[:min(8, len(dst))], want[:min(8, len(want))])
		}
	}
}
