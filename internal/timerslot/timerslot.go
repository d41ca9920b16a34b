// Package timerslot provides Slot, the one timer an owner loop keeps armed
// at the earliest deadline it waits for (the dial scheduler's history
// expiry and static redials, discovery's reply timeouts).
package timerslot

import (
	"time"

	"github.com/devp2p-go/devp2p/clock"
)

// Slot is a reusable timer that its owner re-arms, once per turn of its
// loop, for the next deadline it cares about:
//
//	for {
//		slot.Set(earliestDeadline(), clock.Now()) // zero: nothing to wait for
//		select {
//		case <-slot.C():
//			slot.Fired()
//			// handle what is due
//		case ...:
//		}
//	}
//
// The channel is nil while the slot is disarmed, so the select ignores it.
// Re-arming for the deadline already set costs nothing. A wake-up can come
// early (a stale tick after a re-arm), so the owner checks which deadlines
// have passed.
//
// A Slot is owned by one goroutine. The zero value is not usable; make one
// with New.
type Slot struct {
	clock clock.Clock
	t     clock.Timer // created on first use
	at    time.Time   // deadline while armed, zero otherwise
}

// New returns a disarmed slot on clock c (nil for the system clock).
func New(c clock.Clock) Slot {
	return Slot{clock: clock.OrSystem(c)}
}

// Set arms the slot for at, or disarms it if at is zero. A deadline that
// has passed fires at once.
func (s *Slot) Set(at, now time.Time) {
	switch {
	case at.IsZero():
		s.Stop()
	case at.Equal(s.at):
	case s.t == nil:
		s.t, s.at = s.clock.NewTimer(max(at.Sub(now), 0)), at
	default:
		s.t.Reset(max(at.Sub(now), 0))
		s.at = at
	}
}

// C returns the channel to wait on, nil while disarmed.
func (s *Slot) C() <-chan time.Time {
	if s.at.IsZero() {
		return nil
	}
	return s.t.C()
}

// Fired records that the channel delivered: the slot is disarmed until the
// next Set.
func (s *Slot) Fired() { s.at = time.Time{} }

// Stop disarms the slot. Owners defer it so no timer outlives the loop.
func (s *Slot) Stop() {
	if !s.at.IsZero() {
		s.t.Stop()
		s.at = time.Time{}
	}
}
