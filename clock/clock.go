// Package clock lets the time-driven parts of devp2p (discovery's table,
// bonds and timeouts, the dial scheduler, peer keepalives) run on either the
// system clock or a simulated one, so their tests advance time explicitly
// instead of sleeping.
package clock

import "time"

// Clock is a source of time and timers. System is the real one; Simulated is
// advanced by hand in tests.
type Clock interface {
	// Now returns the current time.
	Now() time.Time
	// NewTimer returns a timer whose channel receives once d has elapsed.
	NewTimer(d time.Duration) Timer
	// AfterFunc calls f in its own goroutine (System) or from Simulated.Run
	// (Simulated) once d has elapsed.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a cancellable timer created by a Clock.
type Timer interface {
	// C returns the channel the timer fires on. It is nil for timers made by
	// AfterFunc.
	C() <-chan time.Time
	// Stop prevents the timer from firing. It reports whether the call
	// stopped it, false if it had already fired or been stopped.
	Stop() bool
	// Reset changes the timer to fire after d. It reports whether the timer
	// had been active.
	Reset(d time.Duration) bool
}

// System is the Clock backed by package time. Its zero value is ready to use.
type System struct{}

// Now returns time.Now().
func (System) Now() time.Time { return time.Now() }

// NewTimer wraps time.NewTimer.
func (System) NewTimer(d time.Duration) Timer { return systemTimer{time.NewTimer(d)} }

// AfterFunc wraps time.AfterFunc.
func (System) AfterFunc(d time.Duration, f func()) Timer { return systemTimer{time.AfterFunc(d, f)} }

type systemTimer struct{ t *time.Timer }

func (s systemTimer) C() <-chan time.Time        { return s.t.C }
func (s systemTimer) Stop() bool                 { return s.t.Stop() }
func (s systemTimer) Reset(d time.Duration) bool { return s.t.Reset(d) }

// OrSystem returns c, or System when c is nil. Config structs use it to give
// a nil Clock field its documented default.
func OrSystem(c Clock) Clock {
	if c == nil {
		return System{}
	}
	return c
}
