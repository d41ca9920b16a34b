package interop

import (
	"bytes"
	"encoding/hex"
	"math/big"
	"reflect"
	"testing"

	gethrlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/devp2p-go/devp2p/rlp"
)

// FuzzRLPDiff decodes random bytes with both libraries into several target
// types. Both must accept or both reject; when both accept they must agree on
// the value and re-encode it to the same bytes.
//
// Known, deliberate difference: we reject lists nested deeper than
// rlp.MaxNesting (1024) levels to bound stack use, go-ethereum has no such
// limit. Inputs that nest deeper are skipped.
func FuzzRLPDiff(f *testing.F) {
	g := newGen(1)
	for range 40 {
		enc, err := rlp.EncodeToBytes(g.next().val)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(enc)
	}
	for _, s := range []string{
		"", "00", "80", "8100", "817f", "8180", "b800", "b90038", "c0", "c180", "f800",
		"c3010203", "c5010203", "c28100", "c4c2c0c0c0", "8a00000000000000000001",
		"bf0f000000000000021111", "ff0f000000000000021111", "820001", "c20102",
	} {
		b, _ := hex.DecodeString(s)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if nestingDepth(data) > rlp.MaxNesting {
			t.Skip("deeper than rlp.MaxNesting")
		}
		targets := []func() any{
			func() any { return new(any) },
			func() any { return new(diffStruct) },
			func() any { return new(diffTail) },
			func() any { return new(diffNil) },
			func() any { return new([]uint64) },
			func() any { return new(*big.Int) },
			func() any { return new([][32]byte) },
			func() any { return new(string) },
			func() any { return new(bool) },
		}
		for _, newVal := range targets {
			ours, theirs := newVal(), newVal()
			errOurs := rlp.DecodeBytes(data, ours)
			errGeth := gethrlp.DecodeBytes(data, theirs)
			if (errOurs == nil) != (errGeth == nil) {
				t.Fatalf("%T: verdicts differ on %x\nours: %v\ngeth: %v", ours, data, errOurs, errGeth)
			}
			if errOurs != nil {
				continue
			}
			if !equalValues(reflect.ValueOf(ours).Elem(), reflect.ValueOf(theirs).Elem()) {
				t.Fatalf("%T: decoded values differ on %x", ours, data)
			}
			encOurs, err1 := rlp.EncodeToBytes(ours)
			encGeth, err2 := gethrlp.EncodeToBytes(theirs)
			if err1 != nil || err2 != nil || !bytes.Equal(encOurs, encGeth) {
				t.Fatalf("%T: re-encodings differ on %x\nours: %x %v\ngeth: %x %v", ours, data, encOurs, err1, encGeth, err2)
			}
		}
	})
}

// nestingDepth returns the deepest list nesting in data, following headers
// without validating them (a rough measure: malformed input stops the walk).
func nestingDepth(data []byte) int {
	deepest := 0
	var walk func(b []byte, depth int)
	walk = func(b []byte, depth int) {
		deepest = max(deepest, depth)
		for len(b) > 0 && deepest <= rlp.MaxNesting {
			k, content, rest, err := rlp.Split(b)
			if err != nil {
				return
			}
			if k == rlp.List {
				walk(content, depth+1)
			}
			b = rest
		}
	}
	walk(data, 0)
	return deepest
}
