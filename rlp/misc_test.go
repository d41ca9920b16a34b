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

func TestByteArrayLists(t *testing.T) {
	tests := []struct {
		name string
		val  any
		want string
	}{
		{"slice", [][2]byte{{1, 2}, {3, 4}}, "c6820102820304"},
		{"empty-slice", [][2]byte{}, "c0"},
		{"array-unaddressable", [2][2]byte{{1, 2}, {3, 4}}, "c6820102820304"},
		{"array-addressable", &[2][2]byte{{1, 2}, {3, 4}}, "c6820102820304"},
		{"zero-length-arrays", [][0]byte{{}, {}}, "c28080"},
		{"single-bytes", [][1]byte{{1}, {0x80}}, "c3018180"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := EncodeToBytes(tt.val)
			if err != nil || !bytes.Equal(got, unhex(tt.want)) {
				t.Fatalf("encode = %x, %v; want %s", got, err, tt.want)
			}
			// Decode back into a slice of the element type, from both
			// input kinds (the reader path grows the slice).
			elem := reflect.TypeOf(tt.val)
			if elem.Kind() == reflect.Pointer {
				elem = elem.Elem()
			}
			for _, fromReader := range []bool{false, true} {
				out := reflect.New(reflect.SliceOf(elem.Elem()))
				var err error
				if fromReader {
					err = Decode(onlyReader{bytes.NewReader(got)}, out.Interface())
				} else {
					err = DecodeBytes(got, out.Interface())
				}
				if err != nil {
					t.Fatalf("decode (reader=%v): %v", fromReader, err)
				}
				re, _ := EncodeToBytes(out.Interface())
				if !bytes.Equal(re, got) {
					t.Fatalf("round trip (reader=%v) = %x, want %x", fromReader, re, got)
				}
			}
		})
	}
}

func TestByteArraySliceGrowth(t *testing.T) {
	hs := make([][3]byte, 100)
	for i := range hs {
		hs[i] = [3]byte{byte(i), 1, 2}
	}
	enc, _ := EncodeToBytes(hs)
	var out [][3]byte
	if err := Decode(onlyReader{bytes.NewReader(enc)}, &out); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(out, hs) {
		t.Fatal("decoded slice differs")
	}
	// An element of the wrong size names its index.
	bad := unhex("c9 83010203 8401020304")
	err := DecodeBytes(bad, &out)
	var de *DecodeError
	if !errors.Is(err, ErrByteArrayLength) || !errors.As(err, &de) || de.Path() != "([][3]uint8)[1]" {
		t.Fatalf("error = %v", err)
	}
}

func TestErrorStrings(t *testing.T) {
	_, err := EncodeToBytes(struct{ A int }{})
	if err == nil || err.Error() != "rlp: type int is not RLP-serializable" {
		t.Fatalf("TypeError = %q", err)
	}
	for k, want := range map[Kind]string{Byte: "Byte", String: "String", List: "List", Kind(7): "Kind(7)"} {
		if k.String() != want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(k), k.String(), want)
		}
	}
}

func TestRawValueKind(t *testing.T) {
	for _, tt := range []struct {
		raw  string
		kind Kind
		err  error
	}{
		{"01", Byte, nil},
		{"8180", String, nil},
		{"c0", List, nil},
		{"8101", 0, ErrCanonSize},
	} {
		k, err := RawValue(unhex(tt.raw)).Kind()
		if k != tt.kind || !errors.Is(err, tt.err) {
			t.Errorf("RawValue(%s).Kind() = %v, %v", tt.raw, k, err)
		}
	}
}

func TestStreamIntegerWidths(t *testing.T) {
	s := NewStream(bytes.NewReader(unhex("ca 8203e8 84ffffffff 8100")), 0)
	s.List()
	if x, err := s.Uint32(); x != 1000 || err != nil {
		t.Fatalf("Uint32 = %d, %v", x, err)
	}
	if x, err := s.Uint32(); x != 0xFFFFFFFF || err != nil {
		t.Fatalf("Uint32 = %d, %v", x, err)
	}
	if _, err := s.Uint8(); !errors.Is(err, ErrCanonInt) {
		t.Fatalf("Uint8(8100) error = %v", err)
	}
	s = NewStream(bytes.NewReader(unhex("850100000000")), 0)
	if _, err := s.Uint32(); !errors.Is(err, ErrUintOverflow) {
		t.Fatalf("Uint32 of 5 bytes: %v", err)
	}
}

func TestNewStreamLimits(t *testing.T) {
	input := unhex("c3010203")
	sources := map[string]io.Reader{
		"bytes.Reader":   bytes.NewReader(input[:3]),
		"bytes.Buffer":   bytes.NewBuffer(input[:3]),
		"strings.Reader": strings.NewReader(string(input[:3])),
	}
	for name, r := range sources {
		t.Run(name, func(t *testing.T) {
			// The derived limit (3 bytes) is below the list's claim.
			if _, err := NewStream(r, 0).List(); !errors.Is(err, ErrValueTooLarge) {
				t.Fatalf("error = %v, want ErrValueTooLarge", err)
			}
		})
	}
}

type failingDecoder struct{}

func (*failingDecoder) DecodeRLP(s *Stream) error { return errFail }

func TestDecoderError(t *testing.T) {
	var v struct{ F failingDecoder }
	err := DecodeBytes(unhex("c101"), &v)
	var de *DecodeError
	if !errors.Is(err, errFail) || !errors.As(err, &de) || de.Path() != "(struct { F rlp.failingDecoder }).F" {
		t.Fatalf("error = %v", err)
	}
}

func TestEncoderAddrUnaddressable(t *testing.T) {
	// ptrEncoder's method has a pointer receiver; a value in an interface
	// is not addressable and must be copied to call it.
	got, err := EncodeToBytes([]any{ptrEncoder{}})
	if err != nil || !bytes.Equal(got, unhex("c170")) {
		t.Fatalf("got %x, %v", got, err)
	}
}

// badCycleE and badCycleS form a cycle through a tail field in which
// badCycleE is unsupported. Building the codecs from badCycleE first leaves
// badCycleS with a tail element whose codec failed after it was built.
type badCycleE struct {
	S   *badCycleS
	Bad int
}

type badCycleS struct {
	Rest []badCycleE `rlp:"tail"`
}

func TestRecursiveTypeErrorThroughTail(t *testing.T) {
	if _, err := EncodeToBytes(&badCycleE{}); !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("encode badCycleE: %v", err)
	}
	if _, err := EncodeToBytes(&badCycleS{Rest: make([]badCycleE, 1)}); !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("encode badCycleS: %v", err)
	}
	var s badCycleS
	if err := DecodeBytes(unhex("c2c180"), &s); !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("decode badCycleS: %v", err)
	}
}

// badCycleA holds badCycleB by value, and badCycleB (unsupported) points
// back to badCycleA. Building from badCycleB first leaves badCycleA with a
// field whose codec failed after badCycleA was built.
type badCycleA struct {
	F badCycleB
}

type badCycleB struct {
	P   *badCycleA
	Bad int
}

func TestRecursiveTypeErrorThroughField(t *testing.T) {
	if _, err := EncodeToBytes(&badCycleB{}); !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("encode badCycleB: %v", err)
	}
	if _, err := EncodeToBytes(&badCycleA{}); !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("encode badCycleA: %v", err)
	}
	var a badCycleA
	if err := DecodeBytes(unhex("c2c180"), &a); !errors.Is(err, ErrUnsupportedType) {
		t.Fatalf("decode badCycleA: %v", err)
	}
}

// hashEncoder is a byte array with its own encoding.
type hashEncoder [4]byte

func (h hashEncoder) AppendRLP(dst []byte) ([]byte, error) {
	return AppendUint64(dst, uint64(h[3])), nil
}

// hashDecoder is a byte array with its own decoding.
type hashDecoder [4]byte

func (h *hashDecoder) DecodeRLP(s *Stream) error {
	x, err := s.Uint8()
	h[3] = x
	return err
}

func TestByteArrayElementsWithMethods(t *testing.T) {
	got, err := EncodeToBytes([]hashEncoder{{0, 0, 0, 5}, {0, 0, 0, 0x80}})
	if err != nil || !bytes.Equal(got, unhex("c3058180")) {
		t.Fatalf("encode = %x, %v; want c3058180", got, err)
	}
	var out []hashDecoder
	if err := DecodeBytes(unhex("c3058180"), &out); err != nil || !reflect.DeepEqual(out, []hashDecoder{{0, 0, 0, 5}, {0, 0, 0, 0x80}}) {
		t.Fatalf("decode = %v, %v", out, err)
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errFail }

func TestEncodeWriterError(t *testing.T) {
	if err := Encode(failingWriter{}, uint64(1)); !errors.Is(err, errFail) {
		t.Fatalf("Encode error = %v, want the writer's error", err)
	}
	var buf bytes.Buffer
	if err := Encode(&buf, []int{1}); !errors.Is(err, ErrUnsupportedType) || buf.Len() != 0 {
		t.Fatalf("Encode of unsupported type: %v, wrote %d bytes", err, buf.Len())
	}
	if b, err := EncodeToBytes([]int{1}); err == nil || b != nil {
		t.Fatalf("EncodeToBytes of unsupported type = %x, %v", b, err)
	}
}

func TestDecodeLargeValueFromReader(t *testing.T) {
	// Values above maxBuffered are streamed rather than buffered whole.
	type msg struct {
		ID   uint64
		Data []byte
		List [][8]byte
	}
	in := msg{ID: 7, Data: bytes.Repeat([]byte{0xAB}, maxBuffered), List: make([][8]byte, 1000)}
	enc, err := EncodeToBytes(&in)
	if err != nil {
		t.Fatal(err)
	}
	for name, r := range map[string]io.Reader{
		"bytes.Reader": bytes.NewReader(enc),
		"unsized":      onlyReader{bytes.NewReader(enc)},
	} {
		var out msg
		if err := Decode(r, &out); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(out, in) {
			t.Fatalf("%s: decoded value differs", name)
		}
	}
}

func TestEncodeToBytesSizeChanges(t *testing.T) {
	// EncodeToBytes sizes its result from the previous value of the same
	// type; results must stay correct and independent as sizes change.
	type payload struct{ Data []byte }
	var prev []byte
	for _, n := range []int{10, 5000, 3, 3, 70000, 1, 200} {
		v := &payload{Data: bytes.Repeat([]byte{byte(n)}, n)}
		got, err := EncodeToBytes(v)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := AppendToBytes(nil, v)
		if !bytes.Equal(got, want) || len(got) != cap(got) {
			t.Fatalf("n=%d: got %d bytes (cap %d), want %d", n, len(got), cap(got), len(want))
		}
		if prev != nil && len(prev) > 0 && &prev[0] == &got[0] {
			t.Fatalf("n=%d: result shares memory with the previous one", n)
		}
		prev = got
	}
}

type (
	namedHash  [4]byte
	namedBytes []byte
	namedStr   string
	namedU16   uint16
)

type allSimple struct {
	U8   uint8
	U16  namedU16
	U32  uint32
	U64  uint64
	U    uint
	UP   uintptr
	B    bool
	S    namedStr
	Raw  namedBytes
	H    namedHash
	One  [1]byte
	Big  *big.Int
	Opt  uint32   `rlp:"optional"`
	OptB *big.Int `rlp:"optional"`
}

func TestDirectFieldCodecs(t *testing.T) {
	v := allSimple{
		U8: 200, U16: 0x1234, U32: 1 << 31, U64: 1<<64 - 1, U: 0x80, UP: 5, B: true,
		S: "hi", Raw: namedBytes{0x80}, H: namedHash{1, 2, 3, 4}, One: [1]byte{0x7F},
		Big: new(big.Int).Lsh(big.NewInt(1), 100), Opt: 9,
	}
	enc, err := EncodeToBytes(&v)
	if err != nil {
		t.Fatal(err)
	}
	// Field by field: 81c8 821234 8480000000 88ff..ff 8180 05 01 826869
	// 8180 8401020304 7f 8d10..00 09
	want := unhex("f1 81c8 821234 8480000000 88ffffffffffffffff 8180 05 01 826869 8180 8401020304 7f 8d10000000000000000000000000 09")
	if !bytes.Equal(enc, want) {
		t.Fatalf("encode = %x\nwant     %x", enc, want)
	}
	// The value-based reflection path agrees.
	if byValue, _ := EncodeToBytes(v); !bytes.Equal(byValue, enc) {
		t.Fatalf("by value = %x", byValue)
	}
	var out allSimple
	out.Big = big.NewInt(99) // reused, not replaced
	bigPtr := out.Big
	if err := DecodeBytes(enc, &out); err != nil {
		t.Fatal(err)
	}
	if out.Big != bigPtr {
		t.Error("existing *big.Int was replaced instead of reused")
	}
	re, _ := EncodeToBytes(&out)
	if !bytes.Equal(re, enc) {
		t.Fatalf("round trip = %x", re)
	}
	// Errors name the field.
	bad := bytes.Clone(enc)
	bad[2] = 0x00 // U8 = 81 00: non-canonical
	err = DecodeBytes(bad, &out)
	var de *DecodeError
	if !errors.As(err, &de) || !strings.HasSuffix(de.Path(), ".U8") {
		t.Fatalf("error = %v", err)
	}
	overflow := unhex("c3 820100") // 256 into uint8
	if err := DecodeBytes(overflow, &out); !errors.Is(err, ErrUintOverflow) {
		t.Fatalf("overflow error = %v", err)
	}
}

// ptrUint has a pointer-receiver encoder on a non-struct type.
type ptrUint uint

func (u *ptrUint) AppendRLP(dst []byte) ([]byte, error) {
	return AppendUint64(dst, uint64(*u)+1), nil
}

func TestEncoderAddrNonStruct(t *testing.T) {
	// Held by value in an interface the uint is not addressable; it is
	// copied to call the pointer method.
	got, err := EncodeToBytes([]any{ptrUint(4), big.NewInt(3), *big.NewInt(300)})
	if err != nil || !bytes.Equal(got, unhex("c5050382012c")) {
		t.Fatalf("got %x, %v", got, err)
	}
}
