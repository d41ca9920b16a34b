package dial

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/internal/logging"
	"github.com/devp2p-go/devp2p/internal/timerslot"
	"github.com/devp2p-go/devp2p/nodeid"
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
	self  nodeid.ID
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
	static      map[nodeid.ID]*staticEntry
	peers       map[nodeid.ID]peerState
	inbound     map[nodeid.ID]int // inbound handshakes in progress
	dialing     map[nodeid.ID]*task
	dynPeers    int // peers of Kind Dynamic
	dynDials    int // dynamic tasks in dialing
	history     *history
	histTimer   timerslot.Slot
	staticTimer timerslot.Slot
	// staticDirty says a static node may have become due, or its due time
	// changed: the loop then looks at every static node again. Events
	// about other nodes leave the static set alone, so they cost O(1).
	staticDirty bool
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
	id   nodeid.ID
	node *discover.Node // evAddStatic
	peer Kind           // evPeerAdded
}

// New starts a Scheduler for the local node self, which it never dials, that
// hands each successful dial to setup. It takes ownership of cfg.Nodes
// (closed by Stop) unless it returns an error: for a nil setup (ErrNilSetup)
// or a Config it cannot use (ErrInvalidConfig).
//
// Dials of discovered nodes may start, and so setup may run, before New
// returns: a setup that calls PeerAdded must get the Scheduler through
// something it can wait on, such as a channel or the embedder's mutex.
func New(self nodeid.ID, cfg Config, setup SetupFunc) (*Scheduler, error) {
	if setup == nil {
		return nil, ErrNilSetup
	}
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Scheduler{
		cfg:     cfg,
		setup:   setup,
		self:    self,
		log:     logging.For(cfg.Logger, logging.SysDial),
		clock:   cfg.Clock,
		events:  make(chan event),
		nodesCh: make(chan *discover.Node),
		doneCh:  make(chan *task),
		ctx:     ctx,
		cancel:  cancel,
		quit:    make(chan struct{}),
		static:  make(map[nodeid.ID]*staticEntry),
		peers:   make(map[nodeid.ID]peerState),
		inbound: make(map[nodeid.ID]int),
		dialing: make(map[nodeid.ID]*task),
		history: newHistory(cfg.HistoryExpiry),
	}
	s.histTimer = timerslot.New(cfg.Clock)
	s.staticTimer = timerslot.New(cfg.Clock)
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
func (s *Scheduler) RemoveStatic(id nodeid.ID) {
	s.send(event{kind: evRemoveStatic, id: id})
}

// PeerAdded tells the scheduler that a peer with the given ID is connected;
// kind says how the connection was made. The server calls it when it admits
// a peer, before a SetupFunc returns nil.
func (s *Scheduler) PeerAdded(id nodeid.ID, kind Kind) {
	s.send(event{kind: evPeerAdded, id: id, peer: kind})
}

// PeerRemoved tells the scheduler that the peer with the given ID has
// disconnected. A static node is then redialled after its backoff.
func (s *Scheduler) PeerRemoved(id nodeid.ID) {
	s.send(event{kind: evPeerRemoved, id: id})
}

// InboundPending tells the scheduler that an inbound connection from id is
// past the encryption handshake and still being set up; the node is not
// dialled until the matching InboundDone. Calls nest.
func (s *Scheduler) InboundPending(id nodeid.ID) {
	s.send(event{kind: evInboundPending, id: id})
}

// InboundDone ends one InboundPending for id, whether or not the connection
// became a peer (if it did, PeerAdded comes first).
func (s *Scheduler) InboundDone(id nodeid.ID) {
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
