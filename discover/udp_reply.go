package discover

import (
	"net/netip"
	"slices"
	"time"

	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/internal/timerslot"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Reply matching. Every request that expects an answer registers a
// replyMatcher with loop() before its packet is written; the read loop
// hands every reply-type packet to loop(), which offers it to the matchers
// waiting on that (node ID, IP, packet kind). One goroutine, loop(), owns
// the pending list and its single timer.

// replyMatcher is one request waiting for its reply.
type replyMatcher struct {
	from     nodeid.ID
	ip       netip.Addr
	kind     byte
	deadline time.Time

	// callback is run on loop() for every packet of the right kind from
	// the right sender. It reports whether the packet answers this
	// request, and whether the request is complete (a findnode may take
	// several Neighbors packets).
	callback func(p any) (matched, done bool)

	// added receives whether loop() registered the matcher.
	added chan error
	// errc receives the outcome exactly once: nil, ErrTimeout or ErrClosed.
	// It has a buffer of one so loop() never blocks.
	errc chan error
	// onDone, if set, is called on loop() with the outcome instead of
	// anyone waiting on errc (used for ping-backs, which nobody waits for).
	onDone func(error)
}

func (m *replyMatcher) finish(err error) {
	if m.onDone != nil {
		m.onDone(err)
		return
	}
	m.errc <- err
}

// incomingReply is a reply-type packet offered to the matchers.
type incomingReply struct {
	from    nodeid.ID
	ip      netip.Addr
	kind    byte
	packet  any
	matched chan bool // receives whether some matcher accepted it
}

// addMatcher registers m. It must be called before the request is sent, so
// that the reply cannot overtake the registration. It returns
// ErrTooManyPending or ErrClosed, after finishing m with that error, when m
// was not registered; the request must then not be sent. Once m is
// registered it is guaranteed to finish.
func (t *UDPv4) addMatcher(m *replyMatcher) error {
	m.errc = make(chan error, 1)
	m.added = make(chan error, 1)
	select {
	case t.addMatcherCh <- m:
		return <-m.added
	case <-t.closing:
		m.finish(ErrClosed)
		return ErrClosed
	}
}

// handleReply offers a reply to the pending matchers and reports whether
// one of them accepted it.
func (t *UDPv4) handleReply(from nodeid.ID, ip netip.Addr, kind byte, p any) bool {
	r := &incomingReply{from: from, ip: ip, kind: kind, packet: p, matched: make(chan bool, 1)}
	select {
	case t.replyCh <- r:
		matched := <-r.matched
		if !matched && kind != v4wire.PingPacket { // a ping only wakes ensureBond if it waits
			t.dropped(metrics.BadPacketUnsolicited)
		}
		return matched
	case <-t.closing:
		return false
	}
}

// replyLoop owns the pending list.
func (t *UDPv4) replyLoop() {
	defer t.wg.Done()
	var (
		pending []*replyMatcher
		timer   = timerslot.New(t.clock) // at the earliest deadline in pending
	)
	defer timer.Stop()
	defer func() {
		for _, m := range pending {
			m.finish(ErrClosed)
		}
	}()

	for {
		var next time.Time // zero while nothing is pending
		for _, m := range pending {
			if next.IsZero() || m.deadline.Before(next) {
				next = m.deadline
			}
		}
		timer.Set(next, t.clock.Now())
		select {
		case <-t.closing:
			return

		case m := <-t.addMatcherCh:
			if len(pending) >= t.cfg.MaxPendingReplies {
				m.finish(ErrTooManyPending)
				m.added <- ErrTooManyPending
				continue
			}
			m.deadline = t.clock.Now().Add(t.cfg.ResponseTimeout)
			pending = append(pending, m)
			m.added <- nil

		case r := <-t.replyCh:
			matched := false
			pending = slices.DeleteFunc(pending, func(m *replyMatcher) bool {
				if m.from != r.from || m.kind != r.kind || m.ip != r.ip {
					return false
				}
				ok, done := m.callback(r.packet)
				matched = matched || ok
				if ok && done {
					m.finish(nil)
					return true
				}
				return false
			})
			r.matched <- matched

		case <-timer.C():
			timer.Fired()
			now := t.clock.Now()
			pending = slices.DeleteFunc(pending, func(m *replyMatcher) bool {
				if now.Before(m.deadline) {
					return false
				}
				m.finish(ErrTimeout)
				return true
			})
		}
	}
}
