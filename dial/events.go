package dial

import (
	"context"
	"errors"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/metrics"
)

// EventType says what the scheduler did.
type EventType uint8

// The events reported to Config.OnEvent.
const (
	// EventDialStarted: a dial of Node began.
	EventDialStarted EventType = iota + 1
	// EventDialFailed: the dial of Node failed; Err says why and Result
	// classifies it.
	EventDialFailed
	// EventStaticBackoff: the static node Node will not be dialled again
	// before Until, after a failed dial or a short-lived connection.
	EventStaticBackoff
)

// String returns "dial started", "dial failed" or "static backoff".
func (t EventType) String() string {
	switch t {
	case EventDialStarted:
		return "dial started"
	case EventDialFailed:
		return "dial failed"
	case EventStaticBackoff:
		return "static backoff"
	}
	return "unknown"
}

// Event is something the scheduler did, reported to Config.OnEvent.
type Event struct {
	Type   EventType      // what happened
	Node   *discover.Node // the node as dialled (after resolving, for a failed dial)
	Static bool           // a static node
	Time   time.Time      // from Config.Clock

	// Err and Result say why a dial failed (EventDialFailed only).
	Err    error
	Result metrics.ConnResult
	// Until is when a backed-off static node is next due
	// (EventStaticBackoff only).
	Until time.Time
}

// ResultOf classifies the error a dial task ended with, as
// devp2p_dials_total counts it: nil is metrics.ConnOK; ErrNoEndpoint and
// ErrNetRestrict have results of their own; a Dialer failure is
// metrics.ConnDialError; a cancelled dial is metrics.ConnClosed; and a
// SetupFunc error counts as the result its ConnResult method gives, if it
// (or an error it wraps) has one, else metrics.ConnOther.
func ResultOf(err error) metrics.ConnResult {
	var cr interface{ ConnResult() metrics.ConnResult }
	switch {
	case err == nil:
		return metrics.ConnOK
	case errors.As(err, &cr):
		return cr.ConnResult()
	case errors.Is(err, ErrNoEndpoint):
		return metrics.ConnNoEndpoint
	case errors.Is(err, ErrNetRestrict):
		return metrics.ConnNetRestrict
	case errors.Is(err, context.Canceled):
		return metrics.ConnClosed
	case errors.As(err, new(*connectError)):
		return metrics.ConnDialError
	}
	return metrics.ConnOther
}

// connectError marks an error of the Dialer, so ResultOf tells it from a
// setup failure.
type connectError struct{ err error }

func (e *connectError) Error() string { return e.err.Error() }
func (e *connectError) Unwrap() error { return e.err }

// emit hands ev to Config.OnEvent. It runs on the loop goroutine.
func (s *Scheduler) emit(ev Event) {
	if s.cfg.OnEvent != nil {
		s.cfg.OnEvent(ev)
	}
}

// dialDone counts a finished dial and reports a failure.
func (s *Scheduler) dialDone(t *task) {
	res := ResultOf(t.err)
	kind := metrics.DialDynamic
	if t.static {
		kind = metrics.DialStatic
	}
	s.cfg.Metrics.Done(kind, res)
	if t.err != nil && s.cfg.OnEvent != nil {
		n := t.dest
		if n == nil {
			n = t.node
		}
		s.emit(Event{Type: EventDialFailed, Node: n, Static: t.static, Time: t.finished, Err: t.err, Result: res})
	}
}
