package peer

import (
	"errors"
	"fmt"
	"time"
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
)

// readLoop is the peer's only reader. It reads with a deadline of
// ReadTimeout per message, so a silent peer is dropped; handles base
// protocol messages; and hands protocol messages to their queues, waiting
// when a queue is full. It ends on the first error, which it reports to the
// loop.
func (p *Peer) readLoop() {
	limiter := pingLimiter{burst: p.cfg.PingBurst, refill: p.cfg.PingRefill}
	for {
		p.conn.SetReadDeadline(time.Now().Add(p.cfg.ReadTimeout))
		code, data, wire, err := p.conn.ReadMsg()
		if err != nil {
			p.reportRead(localDisc(networkReason(err), fmt.Errorf("peer: read: %w", err)))
			return
		}
		if err := p.handle(code, data, wire, &limiter); err != nil {
			p.reportRead(err)
			return
		}
	}
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
		return localDisc(DiscProtocolError, fmt.Errorf("%w %#x", ErrUnknownCode, code))
	}
	if uint64(len(data)) > uint64(rw.maxSize) {
		return localDisc(DiscProtocolError, fmt.Errorf("%w: %s message %#x is %d bytes, limit %d",
			ErrMessageTooLarge, rw.proto.Cap(), code-rw.offset, len(data), rw.maxSize))
	}
	rw.msgsIn.Add(1)
	rw.bytesIn.Add(uint64(wire))
	msg := NewMsg(code-rw.offset, append([]byte(nil), data...))
	msg.ReceivedAt = p.cfg.Clock.Now()
	rw.enqueue(msg, int64(p.cfg.QueueBytes))
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
