package dial

import (
	"time"

	"github.com/devp2p-go/devp2p/clock"
)

// timerSlot is a reusable timer that the loop re-arms for the next deadline
// it cares about. Its channel is nil while it is not armed, so the loop's
// select ignores it.
//
// Owned by the scheduler's loop goroutine.
type timerSlot struct {
	clock clock.Clock
	t     clock.Timer
	at    time.Time // deadline while armed, zero otherwise
}

// set arms the timer for at, or disarms it if at is zero. Re-arming for the
// same deadline is free.
func (ts *timerSlot) set(at, now time.Time) {
	switch {
	case at.IsZero():
		ts.stop()
	case at.Equal(ts.at):
	case ts.t == nil:
		ts.t, ts.at = ts.clock.NewTimer(at.Sub(now)), at
	default:
		ts.t.Reset(at.Sub(now))
		ts.at = at
	}
}

// C returns the channel to wait on, nil while disarmed.
func (ts *timerSlot) C() <-chan time.Time {
	if ts.at.IsZero() {
		return nil
	}
	return ts.t.C()
}

// fired records that the timer's channel delivered.
func (ts *timerSlot) fired() { ts.at = time.Time{} }

func (ts *timerSlot) stop() {
	if !ts.at.IsZero() {
		ts.t.Stop()
		ts.at = time.Time{}
	}
}
