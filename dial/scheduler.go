package dial

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover"
)

// Kind tells how a connection came about. The server passes it to
// Scheduler.PeerAdded.
type Kind uint8

const (
	// Inbound: the remote node dialled us.
	Inbound Kind = iota + 1
	// Dynamic: we dialled a discovered node. Only these count against
	// Config.MaxDialedConns.
	Dynamic
	// Static: we dialled a static node.
	Static
)

// String returns "inbound", "dynamic" or "static".
func (k Kind) String() string {
	switch k {
	case Inbound:
		return "inbound"
	case Dynamic:
		return "dynamic"
	case Static:
		return "static"
	}
	return "unknown"
}

// Scheduler decides which nodes to dial and when, and runs the dials. Create
// it with New; it runs until Stop. Its methods are safe for concurrent use
// and never block for long: each hands a message to the scheduler's loop
// goroutine, and after Stop they return without effect.
type Scheduler struct {
	// Immutable after New.
	cfg   Config
	setup SetupFunc
	log   *slog.Logger
	clock clock.Clock

	// Channels into the loop. All unbuffered: a sender returns once the loop
	// has taken its message, so messages from one goroutine are handled in
	// the order they were sent.
	events  chan event          // server notifications and static-node changes
	nodesCh chan *discover.Node // discovered nodes from readNodes
	doneCh  chan *task          // finished dial tasks

	// Shutdown.
	ctx      context.Context // parent of every task's context
	cancel   context.CancelFunc
	quit     chan struct{} // closed by Stop
	stopOnce sync.Once
	wg       sync.WaitGroup // loop, readNodes and every task

	// Owned by loop.
	static      map[discover.ID]*staticEntry
	peers       map[discover.ID]peerState
	inbound     map[discover.ID]int // inbound handshakes in progress
	dialing     map[discover.ID]*task
	dynPeers    int // peers of Kind Dynamic
	dynDials    int // dynamic tasks in dialing
	history     *history
	histTimer   timerSlot
	staticTimer timerSlot
	scratch     []*staticEntry
}

type peerState struct {
	kind  Kind
	since time.Time
}

type eventKind uint8

const (
	evAddStatic eventKind = iota
	evRemoveStatic
	evPeerAdded
	evPeerRemoved
	evInboundPending
	evInboundDone
)

type event struct {
	kind eventKind
	at   time.Time // when the caller reported it
	id   discover.ID
	node *discover.Node // evAddStatic
	peer Kind           // evPeerAdded
}

// New starts a Scheduler that hands each successful dial to setup. It takes
// ownership of cfg.Nodes (closed by Stop) unless it returns an error, which
// it does only for a nil setup.
func New(cfg Config, setup SetupFunc) (*Scheduler, error) {
	if setup == nil {
		return nil, ErrNilSetup
	}
	cfg = cfg.withDefaults()
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{
		cfg:     cfg,
		setup:   setup,
		log:     cfg.Log,
		clock:   cfg.Clock,
		events:  make(chan event),
		nodesCh: make(chan *discover.Node),
		doneCh:  make(chan *task),
		ctx:     ctx,
		cancel:  cancel,
		quit:    make(chan struct{}),
		static:  make(map[discover.ID]*staticEntry),
		peers:   make(map[discover.ID]peerState),
		inbound: make(map[discover.ID]int),
		dialing: make(map[discover.ID]*task),
		history: newHistory(cfg.HistoryExpiry),
	}
	s.histTimer.clock = cfg.Clock
	s.staticTimer.clock = cfg.Clock
	s.wg.Add(1)
	go s.loop()
	if cfg.Nodes != nil && cfg.MaxDialedConns > 0 {
		s.wg.Add(1)
		go s.readNodes(cfg.Nodes)
	}
	return s, nil
}

// Stop cancels every dial in flight (their contexts, and so the setup
// function's, are cancelled), closes Config.Nodes, and waits for all
// goroutines of the scheduler to end. It is idempotent. It must not be called
// from a SetupFunc.
func (s *Scheduler) Stop() {
	s.stopOnce.Do(func() {
		close(s.quit)
		s.cancel()
		if s.cfg.Nodes != nil {
			s.cfg.Nodes.Close()
		}
	})
	s.wg.Wait()
}

// AddStatic adds n to the static nodes, or replaces the record of a static
// node with the same ID. The node is dialled as soon as a dial slot is free,
// and whenever it is not connected afterwards. Adding the local node has no
// effect.
func (s *Scheduler) AddStatic(n *discover.Node) {
	if n != nil {
		s.send(event{kind: evAddStatic, id: n.ID(), node: n})
	}
}

// RemoveStatic removes the static node with the given ID and cancels a dial
// of it in flight. It does not disconnect the peer; that is the server's job.
func (s *Scheduler) RemoveStatic(id discover.ID) {
	s.send(event{kind: evRemoveStatic, id: id})
}

// PeerAdded tells the scheduler that a peer with the given ID is connected;
// kind says how the connection was made. The server calls it when it admits
// a peer, before a SetupFunc returns nil.
func (s *Scheduler) PeerAdded(id discover.ID, kind Kind) {
	s.send(event{kind: evPeerAdded, id: id, peer: kind})
}

// PeerRemoved tells the scheduler that the peer with the given ID has
// disconnected. A static node is then redialled after its backoff.
func (s *Scheduler) PeerRemoved(id discover.ID) {
	s.send(event{kind: evPeerRemoved, id: id})
}

// InboundPending tells the scheduler that an inbound connection from id is
// past the encryption handshake and still being set up; the node is not
// dialled until the matching InboundDone. Calls nest.
func (s *Scheduler) InboundPending(id discover.ID) {
	s.send(event{kind: evInboundPending, id: id})
}

// InboundDone ends one InboundPending for id, whether or not the connection
// became a peer (if it did, PeerAdded comes first).
func (s *Scheduler) InboundDone(id discover.ID) {
	s.send(event{kind: evInboundDone, id: id})
}

// send hands ev to the loop, stamped with the time of the call: the loop
// may take it a little later, and what counts is when it happened.
func (s *Scheduler) send(ev event) {
	ev.at = s.clock.Now()
	select {
	case s.events <- ev:
	case <-s.quit:
	}
}

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
	defer s.histTimer.stop()
	defer s.staticTimer.stop()

	for {
		now := s.clock.Now()
		s.history.expire(now)
		s.startStaticDials(now)
		at, _ := s.history.next()
		s.histTimer.set(at, now)
		s.staticTimer.set(s.nextStaticDial(now), now)

		var nodes <-chan *discover.Node
		if s.dynamicSlots() > 0 {
			nodes = s.nodesCh
		}
		select {
		case ev := <-s.events:
			s.handle(ev)
		case n := <-nodes:
			s.considerNode(n)
		case t := <-s.doneCh:
			s.taskDone(t)
		case <-s.histTimer.C():
			s.histTimer.fired()
		case <-s.staticTimer.C():
			s.staticTimer.fired()
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
		if ev.id == s.cfg.Self {
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
	case id == s.cfg.Self:
	case s.static[id] != nil: // dialled on its own schedule
	case s.busy(id):
	case s.history.contains(id):
	case !hasEndpoint(n):
	case !allowed(s.cfg.NetRestrict, n.IP()):
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
	s.wg.Add(1)
	go s.run(t)
}

// taskDone records the outcome of a finished dial.
func (s *Scheduler) taskDone(t *task) {
	id := t.node.ID()
	delete(s.dialing, id)
	if !t.static {
		s.dynDials--
	}
	now := t.finished
	s.logOutcome(t)

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
