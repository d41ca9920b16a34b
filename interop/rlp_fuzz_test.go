package interop

import (
	"bytes"
	"encoding/hex"
	"errors"
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
// Known, deliberate differences (see TestRLPKnownDifferences):
//   - we reject lists nested deeper than rlp.MaxNesting (1024) levels to
//     bound stack use; go-ethereum has no such limit. Deeper inputs are
//     skipped here.
//   - rlp:"nil" on a *big.Int field: we decode 0x80 to nil, go-ethereum to
//     a zero big.Int. The targets here avoid that tag combination.
//   - RawValue: we check that a raw value is canonical all the way down,
//     go-ethereum only checks its outer header. The targets here hold no
//     RawValue (the two packages' RawValue types differ anyway).
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
			func() any { return new(uint8) },
			func() any { return new([1]byte) },
			func() any { return new([][]string) },
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

type bigNilTag struct {
	A *big.Int `rlp:"nil"`
}

// TestRLPKnownDifferences pins the places where we deliberately differ from
// go-ethereum, so a change on either side is noticed.
func TestRLPKnownDifferences(t *testing.T) {
	t.Run("nesting-limit", func(t *testing.T) {
		// MaxNesting+1 levels of lists: we refuse (bounded recursion),
		// go-ethereum accepts.
		enc := []byte{0xC0}
		for range rlp.MaxNesting {
			enc = append(rlp.AppendListHeader(nil, uint64(len(enc))), enc...)
		}
		var ours, geth any
		if err := rlp.DecodeBytes(enc, &ours); !errors.Is(err, rlp.ErrTooDeep) {
			t.Errorf("ours: %v, want ErrTooDeep", err)
		}
		if err := gethrlp.DecodeBytes(enc, &geth); err != nil {
			t.Errorf("geth now rejects deep nesting too (%v): drop this difference", err)
		}
	})
	t.Run("raw-value-contents", func(t *testing.T) {
		// A list whose element wraps a byte below 0x80 as 0x81xx. As a
		// RawValue, go-ethereum keeps it; we reject it, as we would when
		// decoding it into any other type.
		input := []byte{0xC2, 0x81, 0x05}
		var ours rlp.RawValue
		var geth gethrlp.RawValue
		if err := rlp.DecodeBytes(input, &ours); !errors.Is(err, rlp.ErrCanonSize) {
			t.Errorf("ours: %v, want ErrCanonSize", err)
		}
		if err := gethrlp.DecodeBytes(input, &geth); err != nil {
			t.Errorf("geth now rejects non-canonical raw contents (%v): drop this difference", err)
		}
	})
	t.Run("nil-tag-on-big-int", func(t *testing.T) {
		// go-ethereum gives *big.Int the empty list as its "nil" value,
		// which it then cannot decode, so 0x80 yields a zero big.Int. We
		// treat the empty string as nil, as for every other string-like
		// type. Both encode nil as 0x80 and both reject 0xC0.
		input := []byte{0xC1, 0x80}
		var ours, geth bigNilTag
		if err := rlp.DecodeBytes(input, &ours); err != nil || ours.A != nil {
			t.Errorf("ours: %v, %v; want nil", ours.A, err)
		}
		if err := gethrlp.DecodeBytes(input, &geth); err != nil || geth.A == nil || geth.A.Sign() != 0 {
			t.Errorf("geth: %v, %v; want 0", geth.A, err)
		}
		for _, v := range []any{&ours, &geth} {
			a, _ := rlp.EncodeToBytes(v)
			b, _ := gethrlp.EncodeToBytes(v)
			if !bytes.Equal(a, b) {
				t.Errorf("encodings differ: %x vs %x", a, b)
			}
		}
	})
}
