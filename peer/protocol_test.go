package peer

import (
	"fmt"
	"testing"
)

func TestCapString(t *testing.T) {
	if got := (Cap{"eth", 68}).String(); got != "eth/68" {
		t.Errorf("got %q", got)
	}
}

func TestMatchProtocols(t *testing.T) {
	proto := func(name string, version uint, length uint64) Protocol {
		return Protocol{Name: name, Version: version, Length: length}
	}
	type match struct {
		cap    string
		offset uint64
	}
	tests := []struct {
		name   string
		ours   []Protocol
		theirs []Cap
		want   []match
	}{
		{
			name:   "nothing offered",
			ours:   []Protocol{proto("eth", 68, 17)},
			theirs: nil,
		},
		{
			name:   "disjoint names",
			ours:   []Protocol{proto("eth", 68, 17)},
			theirs: []Cap{{"snap", 1}, {"les", 4}},
		},
		{
			name:   "same name, different versions",
			ours:   []Protocol{proto("eth", 68, 17)},
			theirs: []Cap{{"eth", 67}, {"eth", 69}},
		},
		{
			name:   "names are case-sensitive",
			ours:   []Protocol{proto("eth", 68, 17)},
			theirs: []Cap{{"ETH", 68}},
		},
		{
			name:   "one shared",
			ours:   []Protocol{proto("eth", 68, 17)},
			theirs: []Cap{{"eth", 68}},
			want:   []match{{"eth/68", 0x10}},
		},
		{
			name:   "highest shared version wins",
			ours:   []Protocol{proto("eth", 66, 17), proto("eth", 68, 17), proto("eth", 67, 17), proto("eth", 69, 18)},
			theirs: []Cap{{"eth", 66}, {"eth", 67}, {"eth", 68}},
			want:   []match{{"eth/68", 0x10}},
		},
		{
			name:   "sorted by name, offsets by length",
			ours:   []Protocol{proto("snap", 1, 8), proto("eth", 68, 17), proto("bzz", 2, 3)},
			theirs: []Cap{{"snap", 1}, {"bzz", 2}, {"eth", 68}},
			want:   []match{{"bzz/2", 0x10}, {"eth/68", 0x13}, {"snap/1", 0x24}},
		},
		{
			name:   "unshared capabilities take no codes",
			ours:   []Protocol{proto("eth", 68, 17), proto("les", 4, 23), proto("snap", 1, 8)},
			theirs: []Cap{{"aaa", 1}, {"eth", 68}, {"les", 3}, {"snap", 1}},
			want:   []match{{"eth/68", 0x10}, {"snap/1", 0x21}},
		},
		{
			name:   "several versions of two names",
			ours:   []Protocol{proto("eth", 67, 17), proto("eth", 68, 17), proto("abc", 1, 5), proto("abc", 2, 7)},
			theirs: []Cap{{"abc", 1}, {"abc", 2}, {"eth", 67}},
			want:   []match{{"abc/2", 0x10}, {"eth/67", 0x17}},
		},
		{
			name:   "zero length protocol",
			ours:   []Protocol{proto("a", 1, 0), proto("b", 1, 2)},
			theirs: []Cap{{"a", 1}, {"b", 1}},
			want:   []match{{"a/1", 0x10}, {"b/1", 0x10}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := MatchProtocols(tt.ours, tt.theirs)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d matches %v, want %d", len(got), got, len(tt.want))
			}
			for i, m := range got {
				if s := m.Protocol.Cap().String(); s != tt.want[i].cap || m.Offset != tt.want[i].offset {
					t.Errorf("match %d = %s@%#x, want %s@%#x", i, s, m.Offset, tt.want[i].cap, tt.want[i].offset)
				}
			}
		})
	}
}

func ExampleMatchProtocols() {
	ours := []Protocol{
		{Name: "snap", Version: 1, Length: 8},
		{Name: "eth", Version: 67, Length: 17},
		{Name: "eth", Version: 68, Length: 17},
	}
	theirs := []Cap{{"eth", 67}, {"eth", 68}, {"snap", 1}, {"les", 4}}
	for _, m := range MatchProtocols(ours, theirs) {
		fmt.Printf("%s at %#x\n", m.Protocol.Cap(), m.Offset)
	}
	// Output:
	// eth/68 at 0x10
	// snap/1 at 0x21
}
