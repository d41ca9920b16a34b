package peer

import (
	"errors"
	"fmt"
	"time"

	"github.com/devp2p-go/devp2p/rlp"
)

// Errors that make the reader disconnect the peer with DiscProtocolError.
var (
	// ErrUnknownCode means a message code belongs to no shared protocol.
	ErrUnknownCode = errors.New("peer: unknown message code")
	// ErrMessageTooLarge means a message exceeds its protocol's
	// MaxMessageSize.
	ErrMessageTooLarge = errors.New("peer: message too large")
	// ErrPingFlood means the peer pinged faster than the rate limit.
	ErrPingFlood = errors.New("peer: too many pings")
	// ErrInvalidBaseMessage means a base protocol message (codes 0x00 to
	// 0x0f) other than Disconnect is over 2 KiB or is not one RLP value.
	ErrInvalidBaseMessage = errors.New("peer: invalid base protocol message")
)

// readLoop is the peer's only reader. It reads with a deadline of
// ReadTimeout per message, so a silent peer is dropped; handles base
// protocol messages; and hands protocol messages to their queues, waiting
// when a queue is full. It ends on the first error, which it reports to the
// loop, or as soon as the peer starts closing: a closing peer reads nothing
// more (see stopReads).
func (p *Peer) readLoop() {
	limiter := pingLimiter{burst: p.cfg.PingBurst, refill: p.cfg.PingRefill}
	for p.armRead() {
		code, data, wire, err := p.conn.ReadMsg()
		if err != nil {
			p.reportRead(localDisc(readReason(err), err)) // the connection's error says "read" already
			return
		}
		if err := p.handle(code, data, wire, &limiter); err != nil {
			p.reportRead(err)
			return
		}
	}
}

// armRead sets the deadline of the next read and reports whether to read
// at all: false once stopReads was called.
func (p *Peer) armRead() bool {
	p.rmu.Lock()
	defer p.rmu.Unlock()
	if p.stopReading {
		return false
	}
	select {
	case <-p.closed: // stopReads is about to be called
		return false
	default:
	}
	p.conn.SetReadDeadline(time.Now().Add(p.cfg.ReadTimeout))
	return true
}

// stopReads ends reading at once: a read in progress fails on a deadline
// in the past, and readLoop starts no other. A closing peer must not keep
// reading (and discarding) while its Disconnect waits to be written.
func (p *Peer) stopReads() {
	p.rmu.Lock()
	defer p.rmu.Unlock()
	p.stopReading = true
	p.conn.SetReadDeadline(time.Unix(1, 0))
}

func (p *Peer) reportRead(err *DisconnectError) {
	select {
	case p.readErr <- err:
	case <-p.closed:
	}
}

// handle processes one message. data aliases the connection's buffer and is
// copied before it leaves this function.
func (p *Peer) handle(code uint64, data []byte, wire int, limiter *pingLimiter) *DisconnectError {
	if code < baseProtocolLength {
		p.received(&p.base, code, len(data), wire)
		if code != disconnectMsg {
			if err := checkBaseMessage(data); err != nil {
				return localDisc(DiscProtocolError, fmt.Errorf("%w %#x: %w", ErrInvalidBaseMessage, code, err))
			}
		}
		switch code {
		case pingMsg:
			if !limiter.allow(p.cfg.Clock.Now()) {
				return localDisc(DiscProtocolError, ErrPingFlood)
			}
			select {
			case p.pingRecv <- struct{}{}:
			case <-p.closed:
			}
		case disconnectMsg:
			return &DisconnectError{Reason: decodeDisconnect(data), Remote: true}
		}
		// Pong needs nothing beyond the read deadline it refreshed. Other
		// base codes, a repeated Hello included, are ignored as the
		// reference implementation does.
		return nil
	}
	rw := p.protoFor(code)
	if rw == nil {
		p.received(&p.other, code, len(data), wire)
		return localDisc(DiscProtocolError, fmt.Errorf("%w %#x", ErrUnknownCode, code))
	}
	if uint64(len(data)) > uint64(rw.maxSize) {
		return localDisc(DiscProtocolError, fmt.Errorf("%w: %s message %#x is %d bytes, limit %d",
			ErrMessageTooLarge, rw.proto.Cap(), code-rw.offset, len(data), rw.maxSize))
	}
	rw.msgsIn.Add(1)
	rw.bytesIn.Add(uint64(wire))
	p.received(&rw.traffic, code-rw.offset, len(data), wire)
	msg := NewMsg(code-rw.offset, append([]byte(nil), data...))
	msg.ReceivedAt = p.cfg.Clock.Now()
	rw.enqueue(msg, int64(p.cfg.QueueBytes))
	return nil
}

// checkBaseMessage checks the payload of a base protocol message other than
// Disconnect, whose decoding is lenient (see decodeDisconnect): at most
// 2 KiB, and empty or exactly one RLP value. The content is not looked at:
// Ping and Pong carry an empty list, and unknown codes are ignored.
func checkBaseMessage(data []byte) error {
	if len(data) > maxHelloSize {
		return fmt.Errorf("%d bytes, limit %d", len(data), maxHelloSize)
	}
	if len(data) == 0 {
		return nil
	}
	_, _, rest, err := rlp.Split(data)
	if err != nil {
		return err
	}
	if len(rest) != 0 {
		return fmt.Errorf("%d bytes after the value", len(rest))
	}
	return nil
}

// protoFor returns the protocol owning the wire code, or nil.
func (p *Peer) protoFor(code uint64) *protoRW {
	for _, rw := range p.protos {
		if code >= rw.offset && code-rw.offset < rw.proto.Length {
			return rw
		}
	}
	return nil
}

// pingLimiter is a token bucket for inbound pings, owned by the reader.
type pingLimiter struct {
	burst  int
	refill time.Duration
	tokens int
	last   time.Time
}

// allow takes a token if one is left, first adding those earned since the
// last call.
func (l *pingLimiter) allow(now time.Time) bool {
	if l.last.IsZero() {
		l.tokens, l.last = l.burst, now
	}
	if earned := now.Sub(l.last) / l.refill; earned > 0 {
		l.tokens = int(min(int64(l.tokens)+int64(earned), int64(l.burst)))
		l.last = l.last.Add(earned * l.refill)
	}
	if l.tokens == 0 {
		return false
	}
	l.tokens--
	return true
}
