package dial

import (
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/nodeid"
)

func histID(i int) nodeid.ID {
	var id nodeid.ID
	id[0], id[1] = byte(i>>8), byte(i)
	return id
}

func TestHistory(t *testing.T) {
	const ttl = 30 * time.Second
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	type add struct {
		id int
		at time.Duration
	}
	for _, tc := range []struct {
		name     string
		adds     []add
		expireAt time.Duration
		want     []int // ids still present
		next     time.Duration
	}{
		{"empty", nil, time.Hour, nil, -1},
		{"not yet expired", []add{{1, 0}}, ttl - 1, []int{1}, ttl},
		{"expires at the ttl", []add{{1, 0}}, ttl, nil, -1},
		{"in order", []add{{1, 0}, {2, 10 * time.Second}, {3, 20 * time.Second}}, ttl + 10*time.Second, []int{3}, ttl + 20*time.Second},
		{"re-add keeps the first expiry", []add{{1, 0}, {1, 20 * time.Second}}, ttl, nil, -1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHistory(ttl)
			for _, a := range tc.adds {
				h.add(histID(a.id), t0.Add(a.at))
			}
			h.expire(t0.Add(tc.expireAt))
			if h.len() != len(tc.want) {
				t.Fatalf("len = %d, want %d", h.len(), len(tc.want))
			}
			for _, id := range tc.want {
				if !h.contains(histID(id)) {
					t.Errorf("%d missing", id)
				}
			}
			at, ok := h.next()
			switch {
			case tc.next < 0 && ok:
				t.Errorf("next = %v, want none", at)
			case tc.next >= 0 && (!ok || !at.Equal(t0.Add(tc.next))):
				t.Errorf("next = %v %v, want %v", at, ok, t0.Add(tc.next))
			}
		})
	}
}

func TestHistoryCompacts(t *testing.T) {
	h := newHistory(time.Second)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for round := range 10 {
		base := t0.Add(time.Duration(round) * time.Minute)
		for i := range 1000 {
			h.add(histID(round*1000+i), base.Add(time.Duration(i)*time.Millisecond))
		}
		h.expire(base.Add(time.Second + 900*time.Millisecond)) // all but the last 100
		if h.len() != 99 {
			t.Fatalf("round %d: len = %d, want 99", round, h.len())
		}
		if live := len(h.queue) - h.head; live != 99 {
			t.Fatalf("round %d: %d queued, want 99", round, live)
		}
		if len(h.queue) > 2000 {
			t.Fatalf("round %d: queue grew to %d", round, len(h.queue))
		}
	}
}
