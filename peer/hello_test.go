package peer

import (
	"bytes"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/rlp"
)

func readHex(t testing.TB, file string) []byte {
	t.Helper()
	text, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	b, err := hex.DecodeString(strings.Join(strings.Fields(string(text)), ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustHex(s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		panic(err)
	}
	return b
}

func encode(t testing.TB, v any) []byte {
	t.Helper()
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestHelloEIP8Vector(t *testing.T) {
	h, err := decodeHello(readHex(t, "testdata/eip8-hello.hex"))
	if err != nil {
		t.Fatal(err)
	}
	wantID := mustHex("fda1cff674c90c9a197539fe3dfb53086ace64f83ed7c6eabec741f7f381cc803e52ab2cd55d5569bce4347107a310dfd5f88a010cd2ffd1005ca406f1842877")
	if h.Version != 55 {
		t.Errorf("version %d, want 55", h.Version)
	}
	if h.Name != "kneth/v0.91/plan9" {
		t.Errorf("name %q", h.Name)
	}
	if len(h.Caps) != 2 || h.Caps[0] != (Cap{"eth", 61}) || h.Caps[1] != (Cap{"mork", 22}) {
		t.Errorf("caps %v", h.Caps)
	}
	if h.ListenPort != 9999 {
		t.Errorf("listen port %d", h.ListenPort)
	}
	if !bytes.Equal(h.ID, wantID) {
		t.Errorf("id %x", h.ID)
	}
	wantRest := [][]byte{mustHex("c883666f6f83626172"), {0x03}, {0x04}}
	if len(h.Rest) != len(wantRest) {
		t.Fatalf("rest %x", h.Rest)
	}
	for i := range wantRest {
		if !bytes.Equal(h.Rest[i], wantRest[i]) {
			t.Errorf("rest[%d] = %x, want %x", i, h.Rest[i], wantRest[i])
		}
	}
	// Encoding the decoded Hello gives the vector back.
	enc, err := encodeHello(h)
	if err != nil {
		t.Fatal(err)
	}
	if want := readHex(t, "testdata/eip8-hello.hex"); !bytes.Equal(enc, want) {
		t.Errorf("re-encoded\n%x\nwant\n%x", enc, want)
	}
}

func TestHelloRoundTrip(t *testing.T) {
	in := helloFor(newKey(t), Cap{"eth", 68}, Cap{"snap", 1})
	enc, err := encodeHello(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := decodeHello(enc)
	if err != nil {
		t.Fatal(err)
	}
	if out.Version != in.Version || out.Name != in.Name || out.ListenPort != in.ListenPort ||
		!bytes.Equal(out.ID, in.ID) || len(out.Caps) != 2 || out.Caps[1] != in.Caps[1] || len(out.Rest) != 0 {
		t.Errorf("round trip gave %v, want %v", out, in)
	}
}

// TestHelloEncode checks the hand-written encoder against the generic RLP
// encoding of the same list, and that it refuses a Rest element that is
// not one RLP value.
func TestHelloEncode(t *testing.T) {
	id := bytes.Repeat([]byte{0x11}, 64)
	long := strings.Repeat("n", 60) // long string and list headers
	tests := []struct {
		name  string
		hello Hello
		want  []any
	}{
		{"no caps", Hello{Version: 5, Name: "x", ID: id}, []any{uint(5), "x", []any{}, uint(0), id}},
		{"caps and port", Hello{Version: 5, Name: long, Caps: []Cap{{"eth", 68}, {"snap", 1}}, ListenPort: 30303, ID: id},
			[]any{uint(5), long, []any{[]any{"eth", uint(68)}, []any{"snap", uint(1)}}, uint(30303), id}},
		{"rest", Hello{Version: 6, Name: "", ID: id, Rest: []rlp.RawValue{{0x03}, mustHex("c20102")}},
			[]any{uint(6), "", []any{}, uint(0), id, uint(3), []any{uint(1), uint(2)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := encodeHello(&tt.hello)
			if err != nil {
				t.Fatal(err)
			}
			if want := encode(t, tt.want); !bytes.Equal(got, want) {
				t.Errorf("encoded\n%x\nwant\n%x", got, want)
			}
		})
	}
	for _, rest := range []rlp.RawValue{nil, {0x82, 0x01}, {0x01, 0x02}} {
		h := Hello{Version: 5, ID: id, Rest: []rlp.RawValue{rest}}
		if _, err := encodeHello(&h); err == nil {
			t.Errorf("Rest element %x encoded", rest)
		}
	}
}

// malformedHellos lists Hello payloads that must be rejected (nim-eth
// #721 crashed on an empty list) and the error each must give.
func malformedHellos(t testing.TB) []struct {
	name    string
	payload []byte
	want    error
} {
	id := bytes.Repeat([]byte{0x11}, 64)
	caps := []any{[]any{"eth", uint(68)}}
	return []struct {
		name    string
		payload []byte
		want    error
	}{
		{"empty payload", nil, ErrInvalidHello},
		{"empty list", mustHex("c0"), ErrInvalidHello},
		{"not a list", mustHex("8405050505"), ErrInvalidHello},
		{"truncated list", mustHex("f8ff05"), ErrInvalidHello},
		{"version only", encode(t, []any{uint(5)}), ErrInvalidHello},
		{"version is a list", encode(t, []any{[]any{}, "n", caps, uint(0), id}), ErrInvalidHello},
		{"no caps", encode(t, []any{uint(5), "n"}), ErrInvalidHello},
		{"caps not a list", encode(t, []any{uint(5), "n", "eth", uint(0), id}), ErrInvalidHello},
		{"cap not a list", encode(t, []any{uint(5), "n", []any{"eth"}, uint(0), id}), ErrInvalidHello},
		{"cap without version", encode(t, []any{uint(5), "n", []any{[]any{"eth"}}, uint(0), id}), ErrInvalidHello},
		{"cap version is a list", encode(t, []any{uint(5), "n", []any{[]any{"eth", []any{}}}, uint(0), id}), ErrInvalidHello},
		{"no listen port", encode(t, []any{uint(5), "n", caps}), ErrInvalidHello},
		{"listen port is a list", encode(t, []any{uint(5), "n", caps, []any{}, id}), ErrInvalidHello},
		{"no node id", encode(t, []any{uint(5), "n", caps, uint(0)}), ErrInvalidIdentity},
		{"node id of 0 bytes", encode(t, []any{uint(5), "n", caps, uint(0), []byte{}}), ErrInvalidIdentity},
		{"node id of 63 bytes", encode(t, []any{uint(5), "n", caps, uint(0), id[:63]}), ErrInvalidIdentity},
		{"node id of 65 bytes", encode(t, []any{uint(5), "n", caps, uint(0), append(id, 1)}), ErrInvalidIdentity},
		{"node id all zero", encode(t, []any{uint(5), "n", caps, uint(0), make([]byte, 64)}), ErrInvalidIdentity},
		{"node id is a list", encode(t, []any{uint(5), "n", caps, uint(0), []any{id}}), ErrInvalidIdentity},
		{"over 2 KiB", encode(t, []any{uint(5), strings.Repeat("x", 2048), caps, uint(0), id}), ErrHelloTooLarge},
	}
}

func TestDecodeHelloMalformed(t *testing.T) {
	for _, tt := range malformedHellos(t) {
		t.Run(tt.name, func(t *testing.T) {
			h, err := decodeHello(tt.payload)
			if !errors.Is(err, tt.want) {
				t.Fatalf("got (%v, %v), want error %v", h, err, tt.want)
			}
		})
	}
}

func TestDecodeHelloLenient(t *testing.T) {
	id := bytes.Repeat([]byte{0x22}, 64)
	tests := []struct {
		name     string
		payload  []byte
		version  uint64
		restSize int
	}{
		{"version 4", encode(t, []any{uint(4), "n", []any{}, uint(0), id}), 4, 0},
		{"version 0", encode(t, []any{uint(0), "n", []any{}, uint(0), id}), 0, 0},
		{"huge version", encode(t, []any{^uint64(0), "n", []any{}, uint(0), id}), ^uint64(0), 0},
		{"extra elements", encode(t, []any{uint(5), "n", []any{}, uint(0), id, "x", []any{uint(1)}}), 5, 2},
		{"cap with extra element", encode(t, []any{uint(5), "n", []any{[]any{"eth", uint(68), uint(1)}}, uint(0), id}), 5, 0},
		{"trailing bytes after the list", append(encode(t, []any{uint(5), "n", []any{}, uint(0), id}), 0x01, 0x02), 5, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, err := decodeHello(tt.payload)
			if err != nil {
				t.Fatal(err)
			}
			if h.Version != tt.version || len(h.Rest) != tt.restSize {
				t.Errorf("got version %d and %d extra elements, want %d and %d", h.Version, len(h.Rest), tt.version, tt.restSize)
			}
		})
	}
}

func TestHelloString(t *testing.T) {
	h := &Hello{Version: 5, Name: "evil\nname\x1b[31m", Caps: []Cap{{"eth", 68}}, ID: bytes.Repeat([]byte{0xab}, 64)}
	s := h.String()
	if strings.ContainsAny(s, "\n\x1b") {
		t.Errorf("String() lets control characters through: %q", s)
	}
	if want := `hello{version: 5, name: "evil\nname\x1b[31m", caps: ["eth/68"], port: 0, id: abababababababab}`; s != want {
		t.Errorf("String() = %s\nwant       %s", s, want)
	}
}
