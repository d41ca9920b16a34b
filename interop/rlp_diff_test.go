package interop

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	gethrlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/devp2p-go/devp2p/rlp"
)

// The differential tests run the same Go types through our rlp package and
// go-ethereum's: both must produce identical bytes, and each must decode the
// other's output back to an equal value.

type diffInner struct {
	A uint64
	B []byte
	C [4]byte
}

type diffStruct struct {
	U8      uint8
	U16     uint16
	U32     uint32
	U64     uint64
	U       uint
	Big     *big.Int
	BigVal  big.Int
	Str     string
	Bytes   []byte
	Addr    [20]byte
	One     [1]byte
	Bool    bool
	List    []uint64
	Nested  [][]byte
	Deep    [][][]uint16
	Arr     [3]uint16
	Inner   diffInner
	Ptr     *diffInner
	Inners  []diffInner
	Skipped uint64   `rlp:"-"`
	Opt1    uint64   `rlp:"optional"`
	Opt2    *big.Int `rlp:"optional"`
	Opt3    []byte   `rlp:"optional"`
}

type diffTail struct {
	Version uint
	Name    string
	Rest    []uint64 `rlp:"tail"`
}

type diffNil struct {
	P *uint64    `rlp:"nil"`
	L *diffInner `rlp:"nilList"`
	S *[]byte    `rlp:"nilString"`
	A *[8]byte   `rlp:"nil"`
}

// gen produces random values from a deterministic source.
type gen struct{ r *rand.Rand }

func newGen(seed uint64) *gen { return &gen{rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))} }

// size returns a length that often lands on the RLP boundaries (0, 1, 55, 56).
func (g *gen) size(max int) int {
	switch g.r.IntN(6) {
	case 0:
		return 0
	case 1:
		return 1
	case 2:
		return min(55+g.r.IntN(3), max)
	default:
		return g.r.IntN(max + 1)
	}
}

func (g *gen) bytes(max int) []byte {
	b := make([]byte, g.size(max))
	for i := range b {
		if g.r.IntN(3) == 0 {
			b[i] = byte(g.r.IntN(0x80)) // small bytes exercise the single-byte rule
		} else {
			b[i] = byte(g.r.Uint32())
		}
	}
	return b
}

func (g *gen) uint(bits int) uint64 {
	switch g.r.IntN(4) {
	case 0:
		return 0
	case 1:
		return uint64(g.r.IntN(0x81))
	default:
		x := g.r.Uint64()
		if bits < 64 {
			x &= 1<<bits - 1
		}
		return x >> g.r.IntN(bits)
	}
}

func (g *gen) big() *big.Int {
	switch g.r.IntN(4) {
	case 0:
		return new(big.Int)
	case 1:
		return new(big.Int).SetUint64(g.uint(64))
	default:
		return new(big.Int).SetBytes(g.bytes(40))
	}
}

func (g *gen) inner() diffInner {
	var c [4]byte
	copy(c[:], g.bytes(4))
	return diffInner{A: g.uint(64), B: g.bytes(70), C: c}
}

func (g *gen) diffStruct() *diffStruct {
	v := &diffStruct{
		U8:     uint8(g.uint(8)),
		U16:    uint16(g.uint(16)),
		U32:    uint32(g.uint(32)),
		U64:    g.uint(64),
		U:      uint(g.uint(64)),
		Big:    g.big(),
		BigVal: *g.big(),
		Str:    string(g.bytes(80)),
		Bytes:  g.bytes(100),
		Bool:   g.r.IntN(2) == 0,
		Inner:  g.inner(),
		Ptr:    ptrTo(g.inner()),
		Arr:    [3]uint16{uint16(g.uint(16)), uint16(g.uint(16)), uint16(g.uint(16))},
	}
	copy(v.Addr[:], g.bytes(20))
	v.One[0] = byte(g.uint(8))
	for range g.size(60) {
		v.List = append(v.List, g.uint(64))
	}
	for range g.size(8) {
		v.Nested = append(v.Nested, g.bytes(60))
	}
	for range g.size(4) {
		var l [][]uint16
		for range g.size(3) {
			var m []uint16
			for range g.size(5) {
				m = append(m, uint16(g.uint(16)))
			}
			l = append(l, m)
		}
		v.Deep = append(v.Deep, l)
	}
	for range g.size(3) {
		v.Inners = append(v.Inners, g.inner())
	}
	// Optional fields: any subset may be set; trailing zero ones are left out.
	if g.r.IntN(2) == 0 {
		v.Opt1 = g.uint(64)
	}
	if g.r.IntN(2) == 0 {
		v.Opt2 = g.big()
	}
	if g.r.IntN(3) == 0 {
		v.Opt3 = g.bytes(10)
	}
	return v
}

func (g *gen) diffTail() *diffTail {
	v := &diffTail{Version: uint(g.uint(32)), Name: string(g.bytes(10))}
	for range g.size(5) {
		v.Rest = append(v.Rest, g.uint(64))
	}
	return v
}

func (g *gen) diffNil() *diffNil {
	v := new(diffNil)
	// A pointer to an empty value encodes like nil and decodes to nil, so
	// only non-empty values are pointed to.
	if x := g.uint(64); x != 0 {
		v.P = &x
	}
	if g.r.IntN(2) == 0 {
		v.L = ptrTo(g.inner())
	}
	if b := g.bytes(3); len(b) > 0 {
		v.S = &b
	}
	if g.r.IntN(2) == 0 {
		var a [8]byte
		copy(a[:], g.bytes(8))
		v.A = &a
	}
	return v
}

// generic returns a random value of the shape interface{} decoding yields:
// []byte or []any.
func (g *gen) generic(depth int) any {
	if depth > 4 || g.r.IntN(3) == 0 {
		return g.bytes(70)
	}
	l := make([]any, g.size(6))
	for i := range l {
		l[i] = g.generic(depth + 1)
	}
	return l
}

func ptrTo[T any](v T) *T { return &v }

// diffCase is one randomly generated value with a constructor for its type.
type diffCase struct {
	kind   string
	val    any
	newVal func() any
}

func (g *gen) next() diffCase {
	switch n := g.r.IntN(8); n {
	case 0, 1:
		return diffCase{"struct", g.diffStruct(), func() any { return new(diffStruct) }}
	case 2:
		return diffCase{"tail", g.diffTail(), func() any { return new(diffTail) }}
	case 3:
		return diffCase{"nil", g.diffNil(), func() any { return new(diffNil) }}
	case 4:
		return diffCase{"bigint", g.big(), func() any { return new(*big.Int) }}
	case 5:
		var l [][32]byte
		for range g.size(60) {
			var h [32]byte
			copy(h[:], g.bytes(32))
			l = append(l, h)
		}
		return diffCase{"hashes", &l, func() any { return new([][32]byte) }}
	case 6:
		return diffCase{"generic", g.generic(0), func() any { return new(any) }}
	default:
		s := []string{string(g.bytes(60)), string(g.bytes(2))}
		return diffCase{"strings", s, func() any { return new([]string) }}
	}
}

func TestDifferentialRoundTrip(t *testing.T) {
	const n = 4000
	g := newGen(20261123)
	counts := map[string]int{}
	for i := range n {
		c := g.next()
		counts[c.kind]++
		ours, err := rlp.EncodeToBytes(c.val)
		if err != nil {
			t.Fatalf("case %d (%s): our encode: %v", i, c.kind, err)
		}
		theirs, err := gethrlp.EncodeToBytes(c.val)
		if err != nil {
			t.Fatalf("case %d (%s): geth encode: %v", i, c.kind, err)
		}
		if !bytes.Equal(ours, theirs) {
			t.Fatalf("case %d (%s): encodings differ\nours: %x\ngeth: %x", i, c.kind, ours, theirs)
		}
		// Each library decodes the other's output.
		fromGeth := c.newVal()
		if err := rlp.DecodeBytes(theirs, fromGeth); err != nil {
			t.Fatalf("case %d (%s): we reject geth's encoding %x: %v", i, c.kind, theirs, err)
		}
		fromOurs := c.newVal()
		if err := gethrlp.DecodeBytes(ours, fromOurs); err != nil {
			t.Fatalf("case %d (%s): geth rejects our encoding %x: %v", i, c.kind, ours, err)
		}
		want := reflect.ValueOf(c.val)
		for name, got := range map[string]any{"ours(geth bytes)": fromGeth, "geth(our bytes)": fromOurs} {
			if !equalValues(reflect.ValueOf(got).Elem(), want) {
				t.Fatalf("case %d (%s): %s decoded a different value from %x", i, c.kind, name, ours)
			}
		}
		// The generic decoders agree too.
		var gOurs, gGeth any
		if err := rlp.DecodeBytes(ours, &gOurs); err != nil {
			t.Fatalf("case %d (%s): our generic decode: %v", i, c.kind, err)
		}
		if err := gethrlp.DecodeBytes(ours, &gGeth); err != nil {
			t.Fatalf("case %d (%s): geth generic decode: %v", i, c.kind, err)
		}
		if !reflect.DeepEqual(gOurs, gGeth) {
			t.Fatalf("case %d (%s): generic decodes differ", i, c.kind)
		}
	}
	t.Logf("checked %d values: %v", n, counts)
}

// isEmpty reports whether v encodes like a nil pointer to its type.
func isEmpty(v reflect.Value) bool {
	if v.Type() == reflect.TypeFor[big.Int]() {
		i := v.Interface().(big.Int)
		return i.Sign() == 0
	}
	return v.IsZero()
}

// equalValues compares a decoded value with the original: nil and empty
// slices are equal, big integers compare by value, pointers by what they
// point to, ignored struct fields are skipped.
func equalValues(a, b reflect.Value) bool {
	if a.Kind() == reflect.Interface && b.Kind() != reflect.Interface && !a.IsNil() {
		return equalValues(a.Elem(), b)
	}
	if a.Kind() == reflect.Pointer && b.Kind() != reflect.Pointer {
		return equalValues(a.Elem(), b)
	}
	if b.Kind() == reflect.Pointer && a.Kind() != reflect.Pointer {
		return equalValues(a, b.Elem())
	}
	if a.Type() != b.Type() && a.Kind() != reflect.Interface {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer:
		// A nil pointer encodes as the empty value of its element, which
		// decodes to a pointer to the zero value.
		switch {
		case a.IsNil() && b.IsNil():
			return true
		case a.IsNil():
			return isEmpty(b.Elem())
		case b.IsNil():
			return isEmpty(a.Elem())
		}
		return equalValues(a.Elem(), b.Elem())
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return equalValues(a.Elem(), b.Elem())
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !equalValues(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Struct:
		if a.Type() == reflect.TypeFor[big.Int]() {
			ai, bi := a.Interface().(big.Int), b.Interface().(big.Int)
			return ai.Cmp(&bi) == 0
		}
		for i := range a.NumField() {
			f := a.Type().Field(i)
			if !f.IsExported() || strings.HasPrefix(f.Tag.Get("rlp"), "-") {
				continue
			}
			if !equalValues(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	default:
		return a.Interface() == b.Interface()
	}
}
