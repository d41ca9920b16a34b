package discover

import (
	"errors"
	"fmt"
	"net"
)

// Errors returned by the transport.
var (
	// ErrClosed is returned by calls on a closed transport. It satisfies
	// errors.Is(err, net.ErrClosed).
	ErrClosed = fmt.Errorf("discover: transport closed: %w", net.ErrClosed)
	// ErrTimeout is returned when a reply did not arrive in time.
	ErrTimeout = errors.New("discover: reply timeout")
	// ErrTooManyPending is returned when MaxPendingReplies requests are
	// already waiting.
	ErrTooManyPending = errors.New("discover: too many pending replies")
	// ErrInvalidConfig is wrapped by every error Listen returns for a
	// Config or key it cannot use.
	ErrInvalidConfig = errors.New("discover: invalid config")
	// ErrRecordMismatch is returned by RequestENR when the returned record
	// belongs to another node or announces an address the sender may not
	// relay.
	ErrRecordMismatch = errors.New("discover: ENR response does not match the node")
)
