package rlp

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"math/big"
	"os"
	"reflect"
	"strings"
	"testing"
)

// The vectors in testdata come from ethereum/tests (see testdata/README.md).

type vector struct {
	In  any    `json:"in"`
	Out string `json:"out"`
}

func loadVectors(t testing.TB, file string) map[string]vector {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]vector
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func vectorBytes(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(strings.TrimPrefix(s, "0x"))
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

// vectorValue converts a JSON "in" value to a Go value for encoding.
func vectorValue(t testing.TB, in any) any {
	switch in := in.(type) {
	case json.Number:
		x, ok := new(big.Int).SetString(string(in), 10)
		if !ok {
			t.Fatalf("bad number %v", in)
		}
		return x
	case string:
		if strings.HasPrefix(in, "#") {
			x, ok := new(big.Int).SetString(in[1:], 10)
			if !ok {
				t.Fatalf("bad big integer %q", in)
			}
			return x
		}
		return in
	case []any:
		out := make([]any, len(in))
		for i, x := range in {
			out[i] = vectorValue(t, x)
		}
		return out
	default:
		t.Fatalf("unexpected input type %T", in)
		return nil
	}
}

// genericForm returns what decoding into interface{} yields for a value
// produced by vectorValue.
func genericForm(v any) any {
	switch v := v.(type) {
	case *big.Int:
		return trimmed(v.Bytes())
	case string:
		return []byte(v)
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = genericForm(x)
		}
		return out
	}
	panic("unreachable")
}

func trimmed(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

func TestValidVectors(t *testing.T) {
	for name, vec := range loadVectors(t, "testdata/rlptest.json") {
		t.Run(name, func(t *testing.T) {
			want := vectorBytes(t, vec.Out)
			val := vectorValue(t, vec.In)
			got, err := EncodeToBytes(val)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if !bytes.Equal(got, want) {
				t.Fatalf("encode = %x, want %x", got, want)
			}
			var dec any
			if err := DecodeBytes(want, &dec); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !reflect.DeepEqual(dec, genericForm(val)) {
				t.Fatalf("decode = %#v, want %#v", dec, genericForm(val))
			}
			var raw RawValue
			if err := DecodeBytes(want, &raw); err != nil || !bytes.Equal(raw, want) {
				t.Fatalf("RawValue decode = %x, %v", raw, err)
			}
		})
	}
}

func TestInvalidVectors(t *testing.T) {
	vectors := loadVectors(t, "testdata/invalidRLPTest.json")
	if len(vectors) != 26 {
		t.Fatalf("loaded %d invalid vectors, want 26", len(vectors))
	}
	for name, vec := range vectors {
		t.Run(name, func(t *testing.T) {
			input := vectorBytes(t, vec.Out)
			var v any
			if err := DecodeBytes(input, &v); err == nil {
				t.Errorf("decoding into interface{} accepted: %#v", v)
			}
			if err := Decode(bytes.NewReader(input), &v); err == nil {
				t.Errorf("Decode from reader into interface{} accepted: %#v", v)
			}
			if err := Decode(onlyReader{bytes.NewReader(input)}, &v); err == nil {
				t.Errorf("Decode from unsized reader into interface{} accepted: %#v", v)
			}
			var raw RawValue
			if err := DecodeBytes(input, &raw); err == nil {
				t.Errorf("decoding into RawValue accepted: %x", raw)
			}
		})
	}
}
