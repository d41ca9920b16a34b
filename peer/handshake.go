package peer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/devp2p-go/devp2p/internal/ctxio"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlpx"
)

// discWriteTimeout is how long a Disconnect message gets to leave before the
// connection is closed (rlpx.md: "give the peer about 2 s").
const discWriteTimeout = 2 * time.Second

// Errors that end the Hello exchange, besides the Hello decoding errors
// (ErrHelloTooLarge, ErrInvalidHello, ErrInvalidIdentity). Each comes
// wrapped in a *DisconnectError with the reason sent to the peer.
var (
	// ErrNoHello means the first message was neither Hello nor Disconnect.
	ErrNoHello = errors.New("peer: first message is not hello")
	// ErrUnexpectedIdentity means the Hello's node ID is not the key the
	// RLPx handshake authenticated.
	ErrUnexpectedIdentity = errors.New("peer: hello node id differs from handshake key")
)

// Errors for misuse of Handshake.
var (
	errOurHello    = errors.New("peer: our hello needs a 64-byte node id")
	errNoRemoteKey = errors.New("peer: connection has no remote key; run the RLPx handshake first")
)

// handshake runs the Hello exchange on c, a connection that finished its
// RLPx handshake. See Handshake.
func handshake(ctx context.Context, c transport, our *Hello) (*Hello, error) {
	if len(our.ID) != pubkeySize {
		return nil, errOurHello
	}
	if c.RemotePubkey() == nil {
		return nil, errNoRemoteKey
	}
	h := *our
	if h.Version == 0 {
		h.Version = Version
	}
	enc, err := encodeHello(&h)
	if err != nil {
		return nil, fmt.Errorf("peer: encoding hello: %w", err)
	}

	deadline, hasDeadline := ctx.Deadline()
	if !hasDeadline {
		deadline = time.Now().Add(rlpx.DefaultHandshakeTimeout)
	}
	c.SetReadDeadline(deadline)
	c.SetWriteDeadline(deadline)
	// Cancelling ctx moves the deadlines into the past, which unblocks the
	// read and the write. stop, once both are done, joins the move so that
	// it cannot touch the deadlines after we reset them.
	stop := ctxio.Interrupt(ctx, c)

	// Their Hello may be at most maxHelloSize: a larger first message is
	// refused before its body is read, so an unidentified peer cannot make
	// us buffer up to the full message size. The limit stays in force after
	// the exchange, until New raises it to what the shared protocols need.
	c.SetReadLimit(maxHelloSize)

	// Write ours while reading theirs: on a synchronous pipe each side's
	// write only completes once the other reads.
	werr := make(chan error, 1)
	go func() {
		_, err := c.WriteMsg(helloMsg, enc)
		werr <- err
	}()
	theirs, rerr := readHello(c)
	wErr := <-werr
	stop()

	if rerr == nil && wErr != nil {
		rerr = localDisc(networkReason(wErr), fmt.Errorf("peer: writing hello: %w", wErr))
	}
	if rerr == nil {
		key := ethcrypto.MarshalPubkey(c.RemotePubkey())
		if !bytes.Equal(key[:], theirs.ID) {
			rerr = localDisc(DiscUnexpectedIdentity, ErrUnexpectedIdentity)
		}
	}
	if rerr != nil {
		var de *DisconnectError
		errors.As(rerr, &de)
		switch {
		case de != nil && de.Remote:
		case ctx.Err() != nil && !errors.Is(ctx.Err(), context.DeadlineExceeded):
			return nil, localDisc(DiscQuitting, fmt.Errorf("peer: hello: %w", context.Cause(ctx)))
		case hasDeadline && de != nil && de.Reason == DiscReadTimeout:
			// The connection's deadline is the context's, and may pass a
			// moment before the context notices.
			return nil, localDisc(DiscReadTimeout, fmt.Errorf("peer: hello: %w (%w)", context.DeadlineExceeded, de.Err))
		}
		// Tell the peer why, if the failure is theirs and our Hello went
		// out, so the connection is still in step.
		if de != nil && !de.Remote && wErr == nil && de.Reason != DiscNetworkError && de.Reason != DiscReadTimeout {
			c.SetWriteDeadline(earliest(deadline, time.Now().Add(discWriteTimeout)))
			c.WriteMsg(disconnectMsg, encodeDisconnect(de.Reason))
		}
		return nil, rerr
	}
	c.SetReadDeadline(time.Time{})
	c.SetWriteDeadline(time.Time{})
	// EIP-706: compress only when both Hellos announce version 5 or later.
	c.SetSnappy(h.Version >= snappyVersion && theirs.Version >= snappyVersion)
	return theirs, nil
}

// readHello reads the first message and returns the peer's Hello, or a
// *DisconnectError.
func readHello(c transport) (*Hello, error) {
	code, data, _, err := c.ReadMsg()
	switch {
	case errors.Is(err, rlpx.ErrMessageTooLarge):
		return nil, localDisc(DiscProtocolError, fmt.Errorf("%w: %v", ErrHelloTooLarge, err))
	case err != nil:
		return nil, localDisc(readReason(err), fmt.Errorf("peer: reading hello: %w", err))
	}
	switch code {
	case helloMsg:
		h, err := decodeHello(data)
		switch {
		case errors.Is(err, ErrInvalidIdentity):
			return nil, localDisc(DiscInvalidIdentity, err)
		case err != nil:
			return nil, localDisc(DiscProtocolError, err)
		}
		return h, nil
	case disconnectMsg:
		return nil, &DisconnectError{Reason: decodeDisconnect(data), Remote: true}
	default:
		return nil, localDisc(DiscProtocolError, fmt.Errorf("%w: got message %#x", ErrNoHello, code))
	}
}

// readReason is the reason for a failed read: DiscProtocolError when the
// remote broke the protocol (a frame or header MAC that does not verify, a
// malformed frame, a bad or oversized snappy payload, a message over the
// read limit), else networkReason's.
func readReason(err error) DiscReason {
	for _, breach := range []error{rlpx.ErrInvalidMAC, rlpx.ErrInvalidFrame, rlpx.ErrSnappy, rlpx.ErrMessageTooLarge} {
		if errors.Is(err, breach) {
			return DiscProtocolError
		}
	}
	return networkReason(err)
}

// networkReason is the reason for an I/O error: DiscReadTimeout for a
// timeout, DiscNetworkError otherwise.
func networkReason(err error) DiscReason {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return DiscReadTimeout
	}
	return DiscNetworkError
}

func earliest(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}
