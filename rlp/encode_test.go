package rlp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"strings"
	"testing"
)

func unhex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func bigHex(s string) *big.Int {
	i, ok := new(big.Int).SetString(s, 16)
	if !ok {
		panic("bad hex " + s)
	}
	return i
}

type simpleStruct struct {
	A uint64
	B string
}

type tailStruct struct {
	A    uint
	Tail []RawValue `rlp:"tail"`
}

type optStruct struct {
	A uint
	B uint     `rlp:"optional"`
	C *big.Int `rlp:"optional"`
}

type ignoredStruct struct {
	A uint
	_ uint
	B uint `rlp:"-"`
	c uint
	D uint
}

type nilStruct struct {
	S *[]uint       `rlp:"nil"`
	U *uint         `rlp:"nil"`
	L *uint         `rlp:"nilList"`
	T *simpleStruct `rlp:"nilString"`
}

type recursive struct {
	V    uint
	Next *recursive `rlp:"nil"`
}

type selfEncoder struct{ n uint }

func (e selfEncoder) AppendRLP(dst []byte) ([]byte, error) {
	return AppendUint64(dst, uint64(e.n)*2), nil
}

type ptrEncoder struct{ n uint }

func (e *ptrEncoder) AppendRLP(dst []byte) ([]byte, error) {
	return AppendString(dst, "p"), nil
}

type failingEncoder struct{}

var errFail = errors.New("fail")

func (failingEncoder) AppendRLP(dst []byte) ([]byte, error) { return dst, errFail }

var encodeTests = []struct {
	name string
	val  any
	want string // hex; empty when err is set
	err  error
}{
	{"bool/false", false, "80", nil},
	{"bool/true", true, "01", nil},
	{"uint/0", uint(0), "80", nil},
	{"uint/1", uint8(1), "01", nil},
	{"uint/127", uint16(127), "7f", nil},
	{"uint/128", uint32(128), "8180", nil},
	{"uint/256", uint64(256), "820100", nil},
	{"uint/max64", uint64(0xFFFFFFFFFFFFFFFF), "88ffffffffffffffff", nil},
	{"uint/0xFFFFFF", uint(0xFFFFFF), "83ffffff", nil},
	{"big/nil", (*big.Int)(nil), "80", nil},
	{"big/0", big.NewInt(0), "80", nil},
	{"big/1", big.NewInt(1), "01", nil},
	{"big/127", big.NewInt(127), "7f", nil},
	{"big/128", big.NewInt(128), "8180", nil},
	{"big/2^64", bigHex("10000000000000000"), "89010000000000000000", nil},
	{"big/value", *big.NewInt(0xFFFF), "82ffff", nil},
	{"big/negative", big.NewInt(-1), "", ErrNegativeBigInt},
	{"bytes/empty", []byte{}, "80", nil},
	{"bytes/00", []byte{0}, "00", nil},
	{"bytes/7f", []byte{0x7f}, "7f", nil},
	{"bytes/80", []byte{0x80}, "8180", nil},
	{"bytes/3", []byte{1, 2, 3}, "83010203", nil},
	{"bytes/55", bytes.Repeat([]byte{0xAA}, 55), "b7" + strings.Repeat("aa", 55), nil},
	{"bytes/56", bytes.Repeat([]byte{0xAA}, 56), "b838" + strings.Repeat("aa", 56), nil},
	{"bytes/1024", bytes.Repeat([]byte{0xAA}, 1024), "b90400" + strings.Repeat("aa", 1024), nil},
	{"array/0", [0]byte{}, "80", nil},
	{"array/1-small", [1]byte{1}, "01", nil},
	{"array/1-big", [1]byte{0x80}, "8180", nil},
	{"array/3", [3]byte{1, 2, 3}, "83010203", nil},
	{"array/ptr", &[3]byte{1, 2, 3}, "83010203", nil},
	{"string/empty", "", "80", nil},
	{"string/dog", "dog", "83646f67", nil},
	{"string/lorem", "Lorem ipsum dolor sit amet, consectetur adipisicing elit",
		"b8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572206164697069736963696e6720656c6974", nil},
	{"list/empty", []uint{}, "c0", nil},
	{"list/nil", []uint(nil), "c0", nil},
	{"list/uints", []uint{1, 2, 3}, "c3010203", nil},
	{"list/nested", [][]uint{{}, {1}, {}}, "c4c0c101c0", nil},
	{"list/strings", []string{"cat", "dog"}, "c88363617483646f67", nil},
	{"list/56", make([]bool, 56), "f838" + strings.Repeat("80", 56), nil},
	{"list/set-theory", []any{[]any{}, []any{[]any{}}, []any{[]any{}, []any{[]any{}}}}, "c7c0c1c0c3c0c1c0", nil},
	{"array/uints", [2]uint16{1, 1024}, "c401820400", nil},
	{"struct/simple", simpleStruct{1, "x"}, "c20178", nil},
	{"struct/ptr", &simpleStruct{1, "x"}, "c20178", nil},
	{"struct/ignored", ignoredStruct{A: 1, B: 2, c: 3, D: 4}, "c20104", nil},
	{"struct/tail-empty", tailStruct{A: 1}, "c101", nil},
	{"struct/tail", tailStruct{A: 1, Tail: []RawValue{{0x02}, {0xc1, 0x03}}}, "c40102c103", nil},
	{"struct/opt-omitted", optStruct{A: 1}, "c101", nil},
	{"struct/opt-middle-zero", optStruct{A: 1, C: big.NewInt(5)}, "c3018005", nil},
	{"struct/opt-zero-big", optStruct{A: 1, C: big.NewInt(0)}, "c3018080", nil},
	{"struct/opt-set", optStruct{A: 1, B: 2}, "c20102", nil},
	{"ptr/nil-uint", (*uint)(nil), "80", nil},
	{"ptr/nil-struct", (*simpleStruct)(nil), "c0", nil},
	{"ptr/nil-bytes", (*[]byte)(nil), "80", nil},
	{"ptr/nil-array", (*[4]byte)(nil), "80", nil},
	{"ptr/nil-list", (*[]uint)(nil), "c0", nil},
	{"ptr/nil-tags", nilStruct{}, "c4c080c080", nil},
	{"recursive", &recursive{1, &recursive{2, nil}}, "c401c202c0", nil},
	{"iface/nil", []any{nil}, "c1c0", nil},
	{"iface/mixed", []any{uint(1), "a", []byte{0xff}}, "c4016181ff", nil},
	{"raw", RawValue(unhex("c3010203")), "c3010203", nil},
	{"raw/in-list", []RawValue{unhex("01"), unhex("c0")}, "c201c0", nil},
	{"encoder/value", selfEncoder{3}, "06", nil},
	{"encoder/in-list", []selfEncoder{{1}, {64}}, "c3028180", nil},
	{"encoder/ptr-method", []ptrEncoder{{}}, "c170", nil},
	{"encoder/error", []failingEncoder{{}}, "", errFail},
	{"unsupported/int", 1, "", ErrUnsupportedType},
	{"unsupported/float", []float64{1}, "", ErrUnsupportedType},
	{"unsupported/map", map[string]uint{}, "", ErrUnsupportedType},
	{"unsupported/field", struct{ A int }{1}, "", ErrUnsupportedType},
}

func TestEncode(t *testing.T) {
	for _, tt := range encodeTests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeToBytes(tt.val)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("error = %v, want %v", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if want := unhex(tt.want); !bytes.Equal(got, want) {
				t.Fatalf("got %x, want %x", got, want)
			}
			// The other entry points must agree.
			var buf bytes.Buffer
			if err := Encode(&buf, tt.val); err != nil || !bytes.Equal(buf.Bytes(), got) {
				t.Fatalf("Encode = %x, %v; want %x", buf.Bytes(), err, got)
			}
			prefix := []byte{0xEE}
			app, err := AppendToBytes(prefix, tt.val)
			if err != nil || !bytes.Equal(app, append([]byte{0xEE}, got...)) {
				t.Fatalf("AppendToBytes = %x, %v", app, err)
			}
		})
	}
}

func TestTagErrors(t *testing.T) {
	tests := []struct {
		name string
		val  any
	}{
		{"tail-not-last", &struct {
			A []uint `rlp:"tail"`
			B uint
		}{}},
		{"tail-not-slice", &struct {
			A uint `rlp:"tail"`
		}{}},
		{"optional-then-required", &struct {
			A uint `rlp:"optional"`
			B uint
		}{}},
		{"nil-on-non-pointer", &struct {
			A uint `rlp:"nil"`
		}{}},
		{"unknown-option", &struct {
			A uint `rlp:"bogus"`
		}{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := EncodeToBytes(tt.val)
			var te *TypeError
			if !errors.As(err, &te) || !errors.Is(err, ErrUnsupportedType) {
				t.Fatalf("encode error = %v, want *TypeError", err)
			}
			err = DecodeBytes([]byte{0xC0}, tt.val)
			if !errors.As(err, &te) {
				t.Fatalf("decode error = %v, want *TypeError", err)
			}
		})
	}
}

func TestEncodeNilEncoder(t *testing.T) {
	tests := []struct {
		name string
		val  any
		want string
	}{
		// selfEncoder has a value receiver: a nil pointer cannot call it and
		// encodes as the empty list (selfEncoder is a struct).
		{"value-receiver", []*selfEncoder{nil, {2}}, "c2c004"},
		// ptrEncoder has a pointer receiver, which is called even for nil.
		{"pointer-receiver", []*ptrEncoder{nil}, "c170"},
		{"top-level-nil", (*selfEncoder)(nil), "c0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeToBytes(tt.val)
			if err != nil || !bytes.Equal(got, unhex(tt.want)) {
				t.Fatalf("got %x, %v; want %s", got, err, tt.want)
			}
		})
	}
}

func TestConcurrentEncodeDecode(t *testing.T) {
	// Many goroutines build and use the type cache and list hints at once;
	// run with -race.
	type fresh struct {
		A []uint
		B struct{ C [][2]byte }
		D *recursive
	}
	val := fresh{A: []uint{1, 2, 3}, D: &recursive{V: 1}}
	val.B.C = [][2]byte{{1, 2}}
	want, err := EncodeToBytes(&val)
	if err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			for range 100 {
				got, err := EncodeToBytes(&val)
				if err == nil && !bytes.Equal(got, want) {
					err = errors.New("encoding differs")
				}
				if err == nil {
					var out fresh
					err = DecodeBytes(want, &out)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	var failed error
	for range 8 { // wait for every goroutine before reporting
		if err := <-errs; err != nil && failed == nil {
			failed = err
		}
	}
	if failed != nil {
		t.Fatal(failed)
	}
}
