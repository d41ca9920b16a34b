package rlp

import (
	"bytes"
	"errors"
	"io"
	"math"
	"testing"
)

// endpoint is [ip, udp, tcp] as in discv4 packets.
func appendEndpoint(dst []byte, ip []byte, udp, tcp uint64) []byte {
	dst, m := StartList(dst)
	dst = AppendBytes(dst, ip)
	dst = AppendUint64(dst, udp)
	dst = AppendUint64(dst, tcp)
	return EndList(dst, m)
}

// readPing reads [version, from, to, expiration, enr-seq?, rest...], the
// shape of a discv4 Ping.
type ping struct {
	Version    uint64
	IP         []byte
	UDP, TCP   uint16
	To         [4]byte
	Expiration uint64
	Seq        uint64
	HasSeq     bool
	Rest       []RawValue
}

func readPing(b []byte) (ping, error) {
	var p ping
	r, _ := NewListReader(b)
	p.Version = r.Uint64("Version")
	r.List("From")
	p.IP = r.Bytes("IP")
	p.UDP = r.Uint16("UDP")
	p.TCP = r.Uint16("TCP")
	r.End()
	r.List("To")
	r.FixedBytes("IP", p.To[:])
	r.End()
	p.Expiration = r.Uint64("Expiration")
	p.Seq, p.HasSeq = r.TryUint64()
	p.Rest = r.Rest()
	return p, r.Err()
}

func TestListReader(t *testing.T) {
	ep := appendEndpoint(nil, []byte{127, 0, 0, 1}, 30303, 30304)
	list := func(elems ...[]byte) []byte {
		dst, m := StartList(nil)
		for _, e := range elems {
			dst = append(dst, e...)
		}
		return EndList(dst, m)
	}
	u := func(x uint64) []byte { return AppendUint64(nil, x) }
	tests := []struct {
		name     string
		input    []byte
		want     ping
		wantErr  error  // nil for success
		wantPath string // ListError.Path
	}{
		{
			name:  "all fields",
			input: list(u(4), ep, ep, u(1700000000)),
			want:  ping{Version: 4, IP: []byte{127, 0, 0, 1}, UDP: 30303, TCP: 30304, To: [4]byte{127, 0, 0, 1}, Expiration: 1700000000},
		},
		{
			name:  "optional and rest",
			input: list(u(4), ep, ep, u(1), u(7), list(u(1)), u(2)),
			want: ping{Version: 4, IP: []byte{127, 0, 0, 1}, UDP: 30303, TCP: 30304, To: [4]byte{127, 0, 0, 1}, Expiration: 1,
				Seq: 7, HasSeq: true, Rest: []RawValue{unhex("c101"), unhex("02")}},
		},
		{
			name:  "optional not an integer goes to rest",
			input: list(u(4), ep, ep, u(1), list()),
			want:  ping{Version: 4, IP: []byte{127, 0, 0, 1}, UDP: 30303, TCP: 30304, To: [4]byte{127, 0, 0, 1}, Expiration: 1, Rest: []RawValue{unhex("c0")}},
		},
		{
			name:  "extra endpoint elements ignored",
			input: list(u(4), list(AppendBytes(nil, []byte{1, 2, 3, 4}), u(1), u(2), u(99)), list(AppendBytes(nil, []byte{1, 2, 3, 4}), u(5), u(6)), u(1)),
			want:  ping{Version: 4, UDP: 1, TCP: 2, To: [4]byte{1, 2, 3, 4}, Expiration: 1, IP: []byte{1, 2, 3, 4}},
		},
		{name: "not a list", input: unhex("8204d2"), wantErr: ErrExpectedList, wantPath: ""},
		{name: "truncated list", input: unhex("c504"), wantErr: ErrValueTooLarge, wantPath: ""},
		{name: "empty", input: list(), wantErr: ErrTooFewElements, wantPath: "Version"},
		{name: "nested missing", input: list(u(4), list(AppendBytes(nil, []byte{1}))), wantErr: ErrTooFewElements, wantPath: "From.UDP"},
		{name: "nested not a list", input: list(u(4), u(1)), wantErr: ErrExpectedList, wantPath: "From"},
		{name: "integer is a list", input: list(list()), wantErr: ErrExpectedString, wantPath: "Version"},
		{name: "integer over 64 bits", input: list(unhex("89010000000000000000")), wantErr: ErrUintOverflow, wantPath: "Version"},
		{name: "non-canonical integer", input: list(unhex("820001")), wantErr: ErrCanonInt, wantPath: "Version"},
		{name: "port out of range", input: list(u(4), list(u(0), u(65536), u(0))), wantErr: ErrUintOverflow, wantPath: "From.UDP"},
		{name: "fixed bytes too short", input: list(u(4), ep, list(u(1), u(1), u(1))), wantErr: ErrByteArrayLength, wantPath: "To.IP"},
		{name: "missing after nested", input: list(u(4), ep, ep), wantErr: ErrTooFewElements, wantPath: "Expiration"},
		{name: "malformed rest", input: list(u(4), ep, ep, u(1), u(7), u(8), unhex("82ff")), wantErr: ErrValueTooLarge, wantPath: "[6]"},
		{name: "malformed nested element", input: list(u(4), list(unhex("b8"))), wantErr: io.ErrUnexpectedEOF, wantPath: "From.IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := readPing(tt.input)
			if tt.wantErr != nil {
				var le *ListError
				if !errors.As(err, &le) || !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want a *ListError wrapping %v", err, tt.wantErr)
				}
				if le.Path != tt.wantPath {
					t.Errorf("path = %q, want %q (%v)", le.Path, tt.wantPath, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("err = %v", err)
			}
			if got.Version != tt.want.Version || !bytes.Equal(got.IP, tt.want.IP) || got.UDP != tt.want.UDP ||
				got.TCP != tt.want.TCP || got.To != tt.want.To || got.Expiration != tt.want.Expiration ||
				got.Seq != tt.want.Seq || got.HasSeq != tt.want.HasSeq || len(got.Rest) != len(tt.want.Rest) {
				t.Fatalf("got %+v\nwant %+v", got, tt.want)
			}
			for i := range got.Rest {
				if !bytes.Equal(got.Rest[i], tt.want.Rest[i]) {
					t.Errorf("rest[%d] = %x, want %x", i, got.Rest[i], tt.want.Rest[i])
				}
			}
		})
	}
}

func TestListReaderErrorMessage(t *testing.T) {
	_, err := readPing(unhex("c3048180"))
	if got, want := err.Error(), "rlp: From: expected list"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
	_, err = readPing(unhex("c0"))
	if got, want := err.Error(), "rlp: Version: input list has too few elements"; got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

// TestListReaderUnnamed checks the paths of elements read without a name.
func TestListReaderUnnamed(t *testing.T) {
	// [[1, [2]], [3, [[]]]]: the second item's inner list holds a list
	// where an integer is read.
	input := unhex("c8c301c102c303c1c0")
	r, _ := NewListReader(input)
	for r.More() {
		r.List("")
		r.Uint64("A")
		r.List("B")
		r.Uint64("")
		r.End()
		r.End()
	}
	var le *ListError
	if !errors.As(r.Err(), &le) || le.Path != "[1].B[0]" || !errors.Is(le, ErrExpectedString) {
		t.Fatalf("err = %v, want [1].B[0] expected string", r.Err())
	}
}

// TestListReaderFirstFailure checks that the first failure sticks and later
// reads return zero values, in the failing list and the ones around it.
func TestListReaderFirstFailure(t *testing.T) {
	// [[], 5, "abc", [6]]
	r, _ := NewListReader(unhex("c8c00583616263c106"))
	r.List("A")
	r.Uint64("X") // missing: the first failure
	first := r.Err()
	if r.Uint64("Y") != 0 {
		t.Error("read after failure")
	}
	r.End()
	if r.Uint64("B") != 0 || r.Bytes("C") != nil || r.Raw("D") != nil || r.More() || r.Count() != 0 || r.Rest() != nil {
		t.Error("reads after failure")
	}
	if x, ok := r.TryUint64(); ok || x != 0 {
		t.Error("TryUint64 after failure")
	}
	r.List("D")
	if r.More() || r.Uint64("E") != 0 {
		t.Error("list entered after failure reads")
	}
	r.End()
	var dst [2]byte
	r.FixedBytes("F", dst[:])
	var le *ListError
	if r.Err() != first || !errors.As(first, &le) || le.Path != "A.X" || !errors.Is(first, ErrTooFewElements) {
		t.Fatalf("err = %v, want the first failure A.X missing", r.Err())
	}
}

// TestListReaderNesting checks that End returns to the enclosing list,
// ignoring unread elements, and the depth limit.
func TestListReaderNesting(t *testing.T) {
	// [[1, [2, 3], 4], 5]
	r, _ := NewListReader(unhex("c7c501c2020304" + "05"))
	r.List("A")
	if x := r.Uint64("A1"); x != 1 {
		t.Errorf("A1 = %d", x)
	}
	r.List("B")
	if x := r.Uint64("B1"); x != 2 {
		t.Errorf("B1 = %d", x)
	}
	r.End() // 3 left unread
	r.End() // 4 left unread
	if x := r.Uint64("C"); x != 5 || r.More() || r.Err() != nil {
		t.Fatalf("C = %d, more %v, err %v", x, r.More(), r.Err())
	}
	r.End()
	if !errors.Is(r.Err(), errEndOutsideList) {
		t.Errorf("End outside a list: err = %v", r.Err())
	}

	// Lists nested one level deeper than the limit.
	deep := []byte{0xC0}
	for range MaxListReaderDepth + 1 {
		deep = append([]byte{0xC0 + byte(len(deep))}, deep...)
	}
	r, _ = NewListReader(deep)
	for range MaxListReaderDepth {
		r.List("")
	}
	if r.Err() != nil {
		t.Fatalf("at the depth limit: %v", r.Err())
	}
	r.List("Deep")
	var le *ListError
	if !errors.As(r.Err(), &le) || !errors.Is(le, ErrTooDeep) || le.Path != "[0][0][0][0][0][0][0].Deep" {
		t.Fatalf("too deep: err = %v", r.Err())
	}
	for range MaxListReaderDepth + 1 {
		r.End()
	}
	if r.Err() != le {
		t.Errorf("End after too deep: %v", r.Err())
	}
}

func TestListReaderRawAndRest(t *testing.T) {
	// [[1, 2], "dog", 3, [4]]
	input := unhex("cac2010283646f6703c104aabb")
	r, rest := NewListReader(input)
	if !bytes.Equal(rest, []byte{0xAA, 0xBB}) {
		t.Fatalf("bytes after list = %x", rest)
	}
	raw := r.Raw("Pair")
	if !bytes.Equal(raw, unhex("c20102")) || cap(raw) != len(raw) {
		t.Errorf("raw = %x (cap %d)", raw, cap(raw))
	}
	if n := r.Count(); n != 3 {
		t.Errorf("count = %d, want 3", n)
	}
	if s := r.Bytes("Name"); string(s) != "dog" {
		t.Errorf("bytes = %q", s)
	}
	got := r.Rest()
	if len(got) != 2 || !bytes.Equal(got[0], []byte{3}) || !bytes.Equal(got[1], unhex("c104")) {
		t.Fatalf("rest = %x", got)
	}
	// Rest copies; appending to an element does not clobber the next one.
	input[len(input)-5] = 0xFF
	_ = append(got[0], 0xEE)
	if got[0][0] != 3 || got[1][0] != 0xC1 {
		t.Errorf("rest aliases input or neighbours: %x", got)
	}
	if r.More() || r.Rest() != nil || r.Err() != nil {
		t.Errorf("after rest: more %v, err %v", r.More(), r.Err())
	}
}

func TestListReaderZero(t *testing.T) {
	var r ListReader
	if r.More() || r.Count() != 0 || r.Rest() != nil || r.Err() != nil {
		t.Fatal("zero reader is not an empty list")
	}
	r.Uint64("X")
	if !errors.Is(r.Err(), ErrTooFewElements) {
		t.Fatalf("err = %v", r.Err())
	}
}

func TestListReaderUintMax(t *testing.T) {
	r, _ := NewListReader(unhex("c582010081ff"))
	if x := r.UintMax("A", 256); x != 256 {
		t.Errorf("A = %d", x)
	}
	if x := r.UintMax("B", math.MaxUint8-1); x != 0 || !errors.Is(r.Err(), ErrUintOverflow) {
		t.Errorf("B = %d, err %v", x, r.Err())
	}
}

func TestListReaderAllocs(t *testing.T) {
	ep := appendEndpoint(nil, []byte{127, 0, 0, 1}, 30303, 30304)
	dst, m := StartList(nil)
	dst = AppendUint64(dst, 4)
	dst = append(dst, ep...)
	dst = append(dst, ep...)
	dst = AppendUint64(dst, 1700000000)
	input := EndList(dst, m)
	if n := testing.AllocsPerRun(100, func() {
		if _, err := readPing(input); err != nil {
			t.Fatal(err)
		}
	}); n != 0 {
		t.Errorf("%v allocations per read, want 0", n)
	}
}

// FuzzListReader walks input with a random sequence of reads. It must not
// panic; values read must alias the input; on success, Raw values and Rest
// re-encode to the list read.
func FuzzListReader(f *testing.F) {
	for i, s := range fuzzSeeds(f) {
		f.Add(s, []byte{byte(i), 1, 2, 3, 4, 5, 6, 7, 8})
	}
	f.Fuzz(func(t *testing.T, data, ops []byte) {
		if len(ops) > 256 {
			ops = ops[:256]
		}
		r, _ := NewListReader(data)
		content, _, _ := SplitList(data)
		depth := 0
		for _, op := range ops {
			before := r.Err()
			switch op % 9 {
			case 0:
				r.List("")
				depth++
			case 1:
				if depth > 0 {
					r.End()
					depth--
				}
			case 2:
				r.Uint64("")
			case 3:
				if b := r.Bytes(""); len(b) > len(data) {
					t.Fatal("bytes longer than input")
				}
			case 4:
				if v := r.Raw(""); len(v) > len(data) {
					t.Fatal("raw value longer than input")
				}
			case 5:
				r.TryUint64()
			case 6:
				r.Count()
			case 7:
				dst := make([]byte, op>>4)
				r.FixedBytes("", dst)
			case 8:
				r.Uint16("")
			}
			if before != nil && r.Err() != before {
				t.Fatalf("failure replaced: %v, then %v", before, r.Err())
			}
		}
		if r.Err() != nil {
			return
		}
		// Reading only with Raw and Rest reproduces the content.
		walk, _ := NewListReader(data)
		var all []byte
		for walk.More() && len(all) < len(content)/2 {
			all = append(all, walk.Raw("")...)
		}
		for _, v := range walk.Rest() {
			all = append(all, v...)
		}
		if walk.Err() == nil && !bytes.Equal(all, content) {
			t.Fatalf("raw elements %x, list content %x", all, content)
		}
	})
}

func BenchmarkListReader(b *testing.B) {
	ep := appendEndpoint(nil, []byte{127, 0, 0, 1}, 30303, 30304)
	dst, m := StartList(nil)
	dst = AppendUint64(dst, 4)
	dst = append(dst, ep...)
	dst = append(dst, ep...)
	dst = AppendUint64(dst, 1700000000)
	input := EndList(dst, m)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readPing(input); err != nil {
			b.Fatal(err)
		}
	}
}
