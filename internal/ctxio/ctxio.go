// Package ctxio lets a context cancel blocking I/O on a connection, for the
// calls (the RLPx and Hello handshakes) that run plain net.Conn reads and
// writes under a context.
package ctxio

import (
	"context"
	"sync"
	"time"
)

// Deadliner is the part of a connection Interrupt uses; net.Conn and
// *rlpx.Conn have it.
type Deadliner interface {
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
}

// past is a deadline long gone: reads and writes fail at once with an error
// wrapping os.ErrDeadlineExceeded.
var past = time.Unix(1, 0)

// Interrupt arranges for the end of ctx to interrupt blocked and later I/O
// on c, by moving c's read and write deadlines into the past.
//
// The caller must call stop when its I/O is done, before it sets c's
// deadlines again. stop reports true if ctx had not ended, so the
// deadlines are untouched. Otherwise it waits until the deadlines have been
// moved, so that they cannot be moved after the caller resets them, and
// reports false: the caller's I/O errors are then the context's doing.
// stop may be called more than once and returns the same result.
func Interrupt(ctx context.Context, c Deadliner) (stop func() bool) {
	moved := make(chan struct{})
	stopFunc := context.AfterFunc(ctx, func() {
		defer close(moved)
		c.SetReadDeadline(past)
		c.SetWriteDeadline(past)
	})
	return sync.OnceValue(func() bool {
		if stopFunc() {
			return true
		}
		<-moved
		return false
	})
}
