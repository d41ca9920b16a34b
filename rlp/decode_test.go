package rlp

import (
	"bytes"
	"errors"
	"io"
	"math/big"
	"reflect"
	"strings"
	"testing"
)

type byteArrays struct {
	A [1]byte
	B [3]byte
}

type nilTags struct {
	S *[]uint       `rlp:"nil"`
	U *uint         `rlp:"nil"`
	L *uint         `rlp:"nilList"`
	T *simpleStruct `rlp:"nilString"`
}

type selfDecoder struct{ n uint64 }

func (d *selfDecoder) DecodeRLP(s *Stream) error {
	x, err := s.Uint64()
	d.n = x / 2
	return err
}

type bigStruct struct {
	I big.Int
	P *big.Int
}

// errTruncated marks inputs that end early: with a known input length
// (DecodeBytes, *bytes.Reader) the declared size exceeds it
// (ErrValueTooLarge); from an unsized reader the read hits io.ErrUnexpectedEOF.
var errTruncated = errors.New("truncated")

func isErr(err, want error) bool {
	if want == errTruncated {
		return errors.Is(err, ErrValueTooLarge) || errors.Is(err, io.ErrUnexpectedEOF)
	}
	return errors.Is(err, want)
}

func ptr[T any](v T) *T { return &v }

var decodeTests = []struct {
	name  string
	input string
	ptr   any // pointer to a zero value of the target type
	want  any // expected value (not pointer)
	err   error
	path  string // expected DecodeError path, if any
}{
	// Booleans.
	{"bool/false", "80", new(bool), false, nil, ""},
	{"bool/true", "01", new(bool), true, nil, ""},
	{"bool/2", "02", new(bool), nil, ErrInvalidBool, ""},
	{"bool/00", "00", new(bool), nil, ErrCanonInt, ""},
	{"bool/list", "c0", new(bool), nil, ErrExpectedString, ""},

	// Unsigned integers.
	{"uint/0", "80", new(uint), uint(0), nil, ""},
	{"uint/1", "01", new(uint8), uint8(1), nil, ""},
	{"uint/127", "7f", new(uint16), uint16(127), nil, ""},
	{"uint/128", "8180", new(uint32), uint32(128), nil, ""},
	{"uint/max8", "81ff", new(uint8), uint8(255), nil, ""},
	{"uint/max64", "88ffffffffffffffff", new(uint64), uint64(1<<64 - 1), nil, ""},
	{"uint/256-into-uint8", "820100", new(uint8), nil, ErrUintOverflow, ""},
	{"uint/65536-into-uint16", "83010000", new(uint16), nil, ErrUintOverflow, ""},
	{"uint/9-bytes-into-uint64", "89010000000000000000", new(uint64), nil, ErrUintOverflow, ""},
	{"uint/leading-zero", "820001", new(uint64), nil, ErrCanonInt, ""},
	{"uint/zero-byte", "00", new(uint64), nil, ErrCanonInt, ""},
	{"uint/8100", "8100", new(uint64), nil, ErrCanonInt, ""},
	{"uint/single-byte-wrapped", "8105", new(uint64), nil, ErrCanonSize, ""},
	{"uint/list", "c0", new(uint64), nil, ErrExpectedString, ""},
	{"uint/truncated", "8201", new(uint64), nil, errTruncated, ""},

	// Big integers.
	{"big/0", "80", new(*big.Int), big.NewInt(0), nil, ""},
	{"big/1", "01", new(*big.Int), big.NewInt(1), nil, ""},
	{"big/2^64", "89010000000000000000", new(*big.Int), bigHex("10000000000000000"), nil, ""},
	{"big/value", "c4820102 80", new(bigStruct), bigStruct{I: *big.NewInt(0x102), P: big.NewInt(0)}, nil, ""},
	{"big/leading-zero", "820001", new(*big.Int), nil, ErrCanonInt, ""},
	{"big/zero-byte", "00", new(*big.Int), nil, ErrCanonInt, ""},
	{"big/single-byte-wrapped", "8105", new(*big.Int), nil, ErrCanonSize, ""},
	{"big/list", "c0", new(*big.Int), nil, ErrExpectedString, ""},

	// Byte strings.
	{"bytes/empty", "80", new([]byte), []byte{}, nil, ""},
	{"bytes/byte", "01", new([]byte), []byte{1}, nil, ""},
	{"bytes/00", "00", new([]byte), []byte{0}, nil, ""},
	{"bytes/3", "83010203", new([]byte), []byte{1, 2, 3}, nil, ""},
	{"bytes/56", "b838" + strings.Repeat("aa", 56), new([]byte), bytes.Repeat([]byte{0xAA}, 56), nil, ""},
	{"bytes/single-byte-wrapped", "8105", new([]byte), nil, ErrCanonSize, ""},
	{"bytes/8100", "8100", new([]byte), nil, ErrCanonSize, ""},
	{"bytes/long-form-short", "b803616263", new([]byte), nil, ErrCanonSize, ""},
	{"bytes/long-form-55", "b837" + strings.Repeat("aa", 55), new([]byte), nil, ErrCanonSize, ""},
	{"bytes/size-leading-zero", "b90038" + strings.Repeat("aa", 56), new([]byte), nil, ErrCanonSize, ""},
	{"bytes/too-short", "830102", new([]byte), nil, errTruncated, ""},
	{"bytes/huge-claim", "bf7fffffffffffffff01", new([]byte), nil, errTruncated, ""},
	{"bytes/list", "c0", new([]byte), nil, ErrExpectedString, ""},
	{"string/dog", "83646f67", new(string), "dog", nil, ""},
	{"string/list", "c0", new(string), nil, ErrExpectedString, ""},

	// Byte arrays.
	{"array/ok", "c50183010203", new(byteArrays), byteArrays{[1]byte{1}, [3]byte{1, 2, 3}}, nil, ""},
	{"array/1-big", "c6818083010203", new(byteArrays), byteArrays{[1]byte{0x80}, [3]byte{1, 2, 3}}, nil, ""},
	{"array/too-short", "c401820102", new(byteArrays), nil, ErrByteArrayLength, ".B"},
	{"array/too-long", "c6018401020304", new(byteArrays), nil, ErrByteArrayLength, ".B"},
	{"array/byte-for-3", "c20101", new(byteArrays), nil, ErrByteArrayLength, ".B"},
	{"array/wrapped-byte", "c3810183010203", new(byteArrays), nil, ErrCanonSize, ".A"},
	{"array/list", "c2c083010203", new(byteArrays), nil, ErrExpectedString, ".A"},
	{"array/empty-for-1", "c28083010203", new(byteArrays), nil, ErrByteArrayLength, ".A"},

	// Lists.
	{"list/uints", "c3010203", new([]uint), []uint{1, 2, 3}, nil, ""},
	{"list/empty", "c0", new([]uint), []uint{}, nil, ""},
	{"list/nested", "c4c0c101c0", new([][]uint), [][]uint{{}, {1}, {}}, nil, ""},
	{"list/long", "f838" + strings.Repeat("01", 56), new([]uint16), []uint16{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, nil, ""},
	{"list/long-form-short", "f803010203", new([]uint), nil, ErrCanonSize, ""},
	{"list/size-leading-zero", "f90038" + strings.Repeat("01", 56), new([]uint), nil, ErrCanonSize, ""},
	{"list/string", "80", new([]uint), nil, ErrExpectedList, ""},
	{"list/elem-bad", "c3010200", new([]uint), nil, ErrCanonInt, "[2]"},
	{"list/elem-exceeds-list", "c3018301", new([]uint), nil, ErrElemTooLarge, "[1]"},
	{"list/exceeds-input", "c501020304", new([]uint), nil, errTruncated, ""},
	{"array/uints", "c401820400", new([2]uint16), [2]uint16{1, 1024}, nil, ""},
	{"array/too-few", "c101", new([2]uint16), nil, ErrTooFewElements, ""},
	{"array/too-many", "c3010203", new([2]uint16), nil, ErrTooManyElements, ""},

	// Structs.
	{"struct/simple", "c20178", new(simpleStruct), simpleStruct{1, "x"}, nil, ""},
	{"struct/too-few", "c101", new(simpleStruct), nil, ErrTooFewElements, ""},
	{"struct/too-many", "c3017801", new(simpleStruct), nil, ErrTooManyElements, ""},
	{"struct/string", "80", new(simpleStruct), nil, ErrExpectedList, ""},
	{"struct/field-error", "c3820001", new(simpleStruct), nil, ErrCanonInt, ".A"},
	{"struct/ignored", "c20104", new(ignoredStruct), ignoredStruct{A: 1, D: 4}, nil, ""},
	{"struct/tail-empty", "c101", new(tailStruct), tailStruct{A: 1, Tail: []RawValue{}}, nil, ""},
	{"struct/tail", "c40102c103", new(tailStruct), tailStruct{A: 1, Tail: []RawValue{{0x02}, {0xc1, 0x03}}}, nil, ""},
	{"struct/opt-absent", "c101", new(optStruct), optStruct{A: 1}, nil, ""},
	{"struct/opt-some", "c20102", new(optStruct), optStruct{A: 1, B: 2}, nil, ""},
	{"struct/opt-all", "c3010203", new(optStruct), optStruct{A: 1, B: 2, C: big.NewInt(3)}, nil, ""},
	{"struct/opt-too-many", "c401020304", new(optStruct), nil, ErrTooManyElements, ""},
	{"struct/nil-tags-empty", "c4c080c080", new(nilTags), nilTags{}, nil, ""},
	{"struct/nil-tags-set", "c8c101818101c20178", new(nilTags), nilTags{S: &[]uint{1}, U: ptr(uint(0x81)), L: ptr(uint(1)), T: &simpleStruct{1, "x"}}, nil, ""},
	{"struct/nil-tags-other-empty", "c4c08080c0", new(nilTags), nil, ErrTooFewElements, ".T"},
	{"struct/nil-tags-wrong-kind", "c4808080c0", new(nilTags), nil, ErrExpectedList, ".S"},
	{"struct/nil-tags-list-empty-string", "c4c0808080", new(nilTags), nilTags{L: ptr(uint(0))}, nil, ""},
	{"struct/recursive", "c401c202c0", new(recursive), recursive{1, &recursive{2, nil}}, nil, ""},
	{"struct/nested-path", "c2c180", new([]recursive), nil, ErrTooFewElements, "[0]"},

	// Pointers without nil tags allocate even for empty values.
	{"ptr/uint-empty", "80", new(*uint), ptr(uint(0)), nil, ""},
	{"ptr/struct", "c20178", new(*simpleStruct), &simpleStruct{1, "x"}, nil, ""},

	// interface{}.
	{"iface/bytes", "83010203", new(any), []byte{1, 2, 3}, nil, ""},
	{"iface/list", "c7c0c1c0c3c0c1c0", new(any), []any{[]any{}, []any{[]any{}}, []any{[]any{}, []any{[]any{}}}}, nil, ""},
	{"iface/bad", "c28100", new(any), nil, ErrCanonSize, ""},

	// RawValue.
	{"raw/list", "c3010203", new(RawValue), RawValue(unhex("c3010203")), nil, ""},
	{"raw/byte", "01", new(RawValue), RawValue{1}, nil, ""},
	{"raw/wrapped", "8101", new(RawValue), nil, ErrCanonSize, ""},

	// Decoder.
	{"decoder", "c20204", new([]selfDecoder), []selfDecoder{{1}, {2}}, nil, ""},

	// Unsupported.
	{"unsupported/int", "01", new(int), nil, ErrUnsupportedType, ""},
	{"unsupported/stringer", "01", new(interface{ String() string }), nil, ErrUnsupportedType, ""},
}

func TestDecode(t *testing.T) {
	for _, tt := range decodeTests {
		t.Run(tt.name, func(t *testing.T) {
			input := unhex(tt.input)
			run := func(t *testing.T, decode func(any) error) {
				val := reflect.New(reflect.TypeOf(tt.ptr).Elem())
				err := decode(val.Interface())
				if tt.err != nil {
					if !isErr(err, tt.err) {
						t.Fatalf("error = %v, want %v", err, tt.err)
					}
					var de *DecodeError
					if tt.path != "" && (!errors.As(err, &de) || !strings.HasSuffix(de.Path(), tt.path)) {
						t.Fatalf("error %q does not carry path %q", err, tt.path)
					}
					return
				}
				if err != nil {
					t.Fatalf("unexpected error: %v", err)
				}
				if got := val.Elem().Interface(); !reflect.DeepEqual(got, tt.want) {
					t.Fatalf("got %#v, want %#v", got, tt.want)
				}
			}
			t.Run("DecodeBytes", func(t *testing.T) {
				run(t, func(v any) error { return DecodeBytes(input, v) })
			})
			t.Run("Decode", func(t *testing.T) {
				run(t, func(v any) error { return Decode(bytes.NewReader(input), v) })
			})
			t.Run("unbuffered", func(t *testing.T) {
				run(t, func(v any) error { return Decode(onlyReader{bytes.NewReader(input)}, v) })
			})
		})
	}
}

// onlyReader hides every method but Read, so the Stream sees an unsized,
// non-ByteReader source.
type onlyReader struct{ r io.Reader }

func (o onlyReader) Read(p []byte) (int, error) { return o.r.Read(p) }

func TestDecodeBytesTrailing(t *testing.T) {
	var x uint
	if err := DecodeBytes(unhex("0102"), &x); !errors.Is(err, ErrMoreThanOneValue) {
		t.Fatalf("error = %v, want ErrMoreThanOneValue", err)
	}
}

func TestDecodeNonPointer(t *testing.T) {
	for _, v := range []any{nil, uint(1), (*uint)(nil)} {
		if err := DecodeBytes(unhex("01"), v); !errors.Is(err, ErrNonPointer) {
			t.Errorf("DecodeBytes(%T) error = %v, want ErrNonPointer", v, err)
		}
	}
}

func TestDecodeErrorMessage(t *testing.T) {
	type inner struct{ X []uint64 }
	type outer struct {
		A uint
		B inner
	}
	var v outer
	err := DecodeBytes(unhex("c601c4c3018200"), &v)
	want := "rlp: element is larger than containing list for uint64, decoding into (rlp.outer).B.X[1]"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %q\nwant     %q", err, want)
	}
	err = DecodeBytes(unhex("c501c3c20100"), &v)
	want = "rlp: non-canonical integer (leading zero bytes) for uint64, decoding into (rlp.outer).B.X[1]"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %q\nwant     %q", err, want)
	}
}

func TestDecodeEOF(t *testing.T) {
	var x uint
	if err := Decode(bytes.NewReader(nil), &x); err != io.EOF {
		t.Fatalf("empty input: error = %v, want io.EOF", err)
	}
	if err := DecodeBytes(nil, &x); err != io.EOF {
		t.Fatalf("empty bytes: error = %v, want io.EOF", err)
	}
}

func TestDecodeDeepNesting(t *testing.T) {
	// MaxNesting+1 nested empty lists, built from the inside out.
	enc := []byte{0xC0}
	for i := 0; i < MaxNesting; i++ {
		enc = append(AppendListHeader(nil, uint64(len(enc))), enc...)
	}
	var v any
	if err := DecodeBytes(enc, &v); !errors.Is(err, ErrTooDeep) {
		t.Fatalf("error = %v, want ErrTooDeep", err)
	}
	// One level less is fine.
	_, inner, _, _ := Split(enc)
	if err := DecodeBytes(inner, &v); err != nil {
		t.Fatalf("MaxNesting levels: %v", err)
	}
}
