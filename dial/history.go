package dial

import (
	"time"

	"github.com/devp2p-go/devp2p/nodeid"
)

// history remembers recently dialled nodes until their entry expires. Every
// entry lives for the same duration and time never runs backwards, so
// entries expire in the order they were added: a FIFO queue is all the
// ordering needed, and add and expire are O(1) amortised.
//
// Owned by the scheduler's loop goroutine.
type history struct {
	ttl     time.Duration
	expires map[nodeid.ID]time.Time
	queue   []historyEntry // sorted by at; queue[head:] is live
	head    int
}

type historyEntry struct {
	id nodeid.ID
	at time.Time
}

func newHistory(ttl time.Duration) *history {
	return &history{ttl: ttl, expires: make(map[nodeid.ID]time.Time)}
}

// add records a dial of id at now. A node already in the history keeps its
// original expiry.
func (h *history) add(id nodeid.ID, now time.Time) {
	if _, ok := h.expires[id]; ok {
		return
	}
	at := now.Add(h.ttl)
	h.expires[id] = at
	h.queue = append(h.queue, historyEntry{id, at})
}

// contains reports whether id was dialled and has not expired yet.
func (h *history) contains(id nodeid.ID) bool {
	_, ok := h.expires[id]
	return ok
}

// len returns the number of live entries.
func (h *history) len() int { return len(h.expires) }

// next returns the time the oldest entry expires, and false if the history
// is empty.
func (h *history) next() (time.Time, bool) {
	if h.head == len(h.queue) {
		return time.Time{}, false
	}
	return h.queue[h.head].at, true
}

// expire removes every entry whose expiry is not after now.
func (h *history) expire(now time.Time) {
	for h.head < len(h.queue) && !h.queue[h.head].at.After(now) {
		delete(h.expires, h.queue[h.head].id)
		h.queue[h.head] = historyEntry{}
		h.head++
	}
	switch {
	case h.head == len(h.queue):
		h.queue, h.head = h.queue[:0], 0
	case h.head > 64 && h.head > len(h.queue)/2:
		n := copy(h.queue, h.queue[h.head:])
		h.queue, h.head = h.queue[:n], 0
	}
}
