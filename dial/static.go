package dial

import (
	"bytes"
	"slices"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

// staticEntry is a static node and its redial schedule.
//
// Owned by the scheduler's loop goroutine.
type staticEntry struct {
	node    *discover.Node
	next    time.Time     // not dialled before this time
	wait    time.Duration // delay applied by the next call to backoff
	resolve bool          // the last dial failed in the Dialer: resolve first
}

// backoff schedules e's next dial after its current wait and doubles the
// wait, up to StaticBackoffMax.
func (s *Scheduler) backoff(e *staticEntry, now time.Time) {
	e.next = now.Add(e.wait)
	e.wait = min(2*e.wait, s.cfg.StaticBackoffMax)
	s.emit(Event{Type: EventStaticBackoff, Node: e.node, Static: true, Time: now, Until: e.next})
}

// staticDue reports whether e may be dialled at now.
func (s *Scheduler) staticDue(e *staticEntry, now time.Time) bool {
	id := e.node.ID()
	return !s.busy(id) && !e.next.After(now)
}

// busy reports whether id is being dialled, connected, or completing an
// inbound handshake.
func (s *Scheduler) busy(id nodeid.ID) bool {
	if _, ok := s.dialing[id]; ok {
		return true
	}
	if _, ok := s.peers[id]; ok {
		return true
	}
	return s.inbound[id] > 0
}

// startStaticDials starts dials of every due static node, as far as the
// MaxActiveDials bound allows. When more are due than there are free slots,
// Rand picks which go first, so that a large static set is served fairly.
func (s *Scheduler) startStaticDials(now time.Time) {
	free := s.cfg.MaxActiveDials - len(s.dialing)
	if free <= 0 || len(s.static) == 0 {
		return
	}
	ready := s.scratch[:0]
	for _, e := range s.static {
		if s.staticDue(e, now) {
			ready = append(ready, e)
		}
	}
	if len(ready) > free {
		// Map order is random but not reproducible; sort first so that a
		// seeded Rand gives the same choice every run.
		slices.SortFunc(ready, func(a, b *staticEntry) int {
			ida, idb := a.node.ID(), b.node.ID()
			return bytes.Compare(ida[:], idb[:])
		})
		s.cfg.Rand.Shuffle(len(ready), func(i, j int) { ready[i], ready[j] = ready[j], ready[i] })
		ready = ready[:free]
	}
	for _, e := range ready {
		s.startDial(e.node, e, now)
	}
	clear(ready[:cap(ready)]) // drop the pointers, keep the array
	s.scratch = ready[:0]
}

// nextStaticDial returns the earliest time a static node that waits for its
// backoff becomes due, or the zero time if none waits.
func (s *Scheduler) nextStaticDial(now time.Time) time.Time {
	var at time.Time
	for _, e := range s.static {
		id := e.node.ID()
		if !e.next.After(now) || s.busy(id) {
			continue
		}
		if at.IsZero() || e.next.Before(at) {
			at = e.next
		}
	}
	return at
}
