package dial

import (
	"context"
	"log/slog"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/internal/netutil"
)

// readNodes feeds discovered nodes to the loop. It blocks on the send while
// the loop has no free dynamic slot, so the iterator is read only as fast as
// its nodes can be dialled.
func (s *Scheduler) readNodes(it NodeIterator) {
	defer s.wg.Done()
	for it.Next() {
		n := it.Node()
		if n == nil {
			continue
		}
		select {
		case s.nodesCh <- n:
		case <-s.quit:
			return
		}
	}
}

// loop owns the scheduling state. Each turn it expires the history, starts
// the static dials that are due, arms the timers for the next due times, and
// waits for one message.
func (s *Scheduler) loop() {
	defer s.wg.Done()
	defer s.histTimer.Stop()
	defer s.staticTimer.Stop()

	for {
		now := s.clock.Now()
		s.history.expire(now)
		at, _ := s.history.next()
		s.histTimer.Set(at, now)
		if s.staticDirty {
			s.startStaticDials(now)
			s.staticTimer.Set(s.nextStaticDial(now), now)
			s.staticDirty = false
		}

		var nodes <-chan *discover.Node
		if s.dynamicSlots() > 0 {
			nodes = s.nodesCh
		}
		select {
		case ev := <-s.events:
			s.handle(ev)
			if _, ok := s.static[ev.id]; ok || ev.kind == evRemoveStatic {
				s.staticDirty = true
			}
		case n := <-nodes:
			s.considerNode(n)
		case t := <-s.doneCh:
			s.taskDone(t)
		case <-s.histTimer.C():
			s.histTimer.Fired()
		case <-s.staticTimer.C():
			s.staticTimer.Fired()
			s.staticDirty = true
		case <-s.quit:
			return
		}
	}
}

// dynamicSlots returns how many dynamic dials may start now.
func (s *Scheduler) dynamicSlots() int {
	slots := s.cfg.MaxDialedConns - s.dynPeers - s.dynDials
	return min(slots, s.cfg.MaxActiveDials-len(s.dialing))
}

func (s *Scheduler) handle(ev event) {
	now := ev.at
	switch ev.kind {
	case evAddStatic:
		if ev.id == s.self {
			return
		}
		if e := s.static[ev.id]; e != nil {
			e.node = ev.node
			return
		}
		s.static[ev.id] = &staticEntry{node: ev.node, next: now, wait: s.cfg.StaticBackoffMin}

	case evRemoveStatic:
		e := s.static[ev.id]
		if e == nil {
			return
		}
		delete(s.static, ev.id)
		if t := s.dialing[ev.id]; t != nil && t.entry == e {
			t.cancel()
		}

	case evPeerAdded:
		if old, ok := s.peers[ev.id]; ok && old.kind == Dynamic {
			s.dynPeers--
		}
		s.peers[ev.id] = peerState{kind: ev.peer, since: now}
		if ev.peer == Dynamic {
			s.dynPeers++
		}

	case evPeerRemoved:
		p, ok := s.peers[ev.id]
		if !ok {
			return
		}
		delete(s.peers, ev.id)
		if p.kind == Dynamic {
			s.dynPeers--
		}
		if e := s.static[ev.id]; e != nil {
			if now.Sub(p.since) >= staticStableAfter {
				e.wait = s.cfg.StaticBackoffMin
			}
			s.backoff(e, now)
		}

	case evInboundPending:
		s.inbound[ev.id]++

	case evInboundDone:
		if s.inbound[ev.id] > 1 {
			s.inbound[ev.id]--
		} else {
			delete(s.inbound, ev.id)
		}
	}
}

// considerNode starts a dynamic dial of n if no rule forbids it. The loop
// receives n only while a dynamic slot is free.
func (s *Scheduler) considerNode(n *discover.Node) {
	id := n.ID()
	switch {
	case id == s.self:
	case s.static[id] != nil: // dialled on its own schedule
	case s.busy(id):
	case s.history.contains(id):
	case !hasEndpoint(n):
	case !netutil.Allowed(s.cfg.NetRestrict, n.IP()):
	default:
		now := s.clock.Now()
		s.history.add(id, now)
		s.startDial(n, nil, now)
	}
}

// startDial runs a dial task for n; e is n's static entry, or nil for a
// dynamic dial.
func (s *Scheduler) startDial(n *discover.Node, e *staticEntry, now time.Time) {
	ctx, cancel := context.WithCancel(s.ctx)
	t := &task{node: n, static: e != nil, entry: e, ctx: ctx, cancel: cancel, started: now}
	if e != nil {
		t.resolve = e.resolve
	} else {
		s.dynDials++
	}
	s.dialing[n.ID()] = t
	s.emit(Event{Type: EventDialStarted, Node: n, Static: t.static, Time: now})
	s.wg.Add(1)
	go s.run(t)
}

// taskDone records the outcome of a finished dial.
func (s *Scheduler) taskDone(t *task) {
	id := t.node.ID()
	delete(s.dialing, id)
	s.staticDirty = true // a slot is free, and t's node may be due again
	if !t.static {
		s.dynDials--
	}
	now := t.finished
	s.logOutcome(t)
	s.dialDone(t)

	e := t.entry
	if e == nil || s.static[id] != e {
		return // dynamic, or removed from the static set meanwhile
	}
	if t.resolved && e.node == t.node {
		e.node = t.dest
	}
	if t.err != nil {
		e.resolve = t.dialFailed
		s.backoff(e, now)
		return
	}
	e.resolve = false
	// The peer is connected (or was, briefly: PeerRemoved may already have
	// scheduled the redial). Never redial sooner than the minimum backoff,
	// even if the server forgot PeerAdded.
	if soonest := now.Add(s.cfg.StaticBackoffMin); e.next.Before(soonest) {
		e.next = soonest
	}
}

func (s *Scheduler) logOutcome(t *task) {
	if !s.log.Enabled(context.Background(), slog.LevelDebug) {
		return
	}
	n := t.dest
	if n == nil {
		n = t.node
	}
	attrs := []any{
		"id", n.ID().String(),
		"addr", n.TCPAddr().String(),
		"static", t.static,
		"elapsed", t.finished.Sub(t.started),
	}
	if t.err != nil {
		s.log.Debug("Dial failed", append(attrs, "err", t.err)...)
	} else {
		s.log.Debug("Dial succeeded", attrs...)
	}
}
