package dial

import (
	"context"
	"errors"
	"net"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

// The scheduler tests run in synctest bubbles: synctest.Wait returns once
// every goroutine of the scheduler is blocked, so "nothing else happens" can
// be checked exactly. Time inside a bubble is fake and jumps forward only
// when everything is blocked, so failDeadline turns a deadlock into a
// failure at once; passing tests never reach it.
const failDeadline = 10 * time.Second

var errRefused = errors.New("test: connection refused")

// dialCall is one Dial the fake dialer received; the test answers it.
type dialCall struct {
	node  *discover.Node
	ctx   context.Context
	reply chan error
}

// fakeDialer hands each Dial to the test over calls and blocks until the
// test answers. It records every Dial, including those the test never took
// (they end when their context is cancelled), and checks invariants at the
// moment each dial starts.
type fakeDialer struct {
	t     *testing.T
	calls chan *dialCall

	mu          sync.Mutex
	log         []*discover.Node
	untaken     []*discover.Node // Dial calls the test never received
	active      int
	maxActive   int
	check       func(n *discover.Node) // invariant checked at each Dial, under mu
	activeNodes map[nodeid.ID]bool
}

func newFakeDialer(t *testing.T) *fakeDialer {
	return &fakeDialer{t: t, calls: make(chan *dialCall), activeNodes: make(map[nodeid.ID]bool)}
}

func (d *fakeDialer) Dial(ctx context.Context, n *discover.Node) (net.Conn, error) {
	d.mu.Lock()
	d.log = append(d.log, n)
	d.active++
	d.maxActive = max(d.maxActive, d.active)
	d.activeNodes[n.ID()] = true
	if d.check != nil {
		d.check(n)
	}
	d.mu.Unlock()
	defer func() {
		d.mu.Lock()
		d.active--
		delete(d.activeNodes, n.ID())
		d.mu.Unlock()
	}()

	c := &dialCall{node: n, ctx: ctx, reply: make(chan error, 1)}
	select {
	case d.calls <- c:
	case <-ctx.Done():
		d.mu.Lock()
		d.untaken = append(d.untaken, n)
		d.mu.Unlock()
		return nil, ctx.Err()
	}
	select {
	case err := <-c.reply:
		if err != nil {
			return nil, err
		}
		a, b := net.Pipe()
		b.Close()
		return a, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// activeCount returns the dials in flight in the dialer right now.
func (d *fakeDialer) activeCount(pred func(nodeid.ID) bool) int {
	n := 0
	for id := range d.activeNodes {
		if pred(id) {
			n++
		}
	}
	return n
}

// fakeIterator yields the nodes the test sends on ch.
type fakeIterator struct {
	ch      chan *discover.Node
	closeCh chan struct{}
	once    sync.Once
	cur     *discover.Node
}

func newFakeIterator() *fakeIterator {
	return &fakeIterator{ch: make(chan *discover.Node), closeCh: make(chan struct{})}
}

func (it *fakeIterator) Next() bool {
	select {
	case it.cur = <-it.ch:
		return true
	case <-it.closeCh:
		return false
	}
}

func (it *fakeIterator) Node() *discover.Node { return it.cur }
func (it *fakeIterator) Close()               { it.once.Do(func() { close(it.closeCh) }) }

func (it *fakeIterator) closed() bool {
	select {
	case <-it.closeCh:
		return true
	default:
		return false
	}
}

// feed hands nodes to the scheduler's reader one at a time.
func (it *fakeIterator) feed(t *testing.T, nodes ...*discover.Node) {
	t.Helper()
	for _, n := range nodes {
		select {
		case it.ch <- n:
		case <-time.After(failDeadline):
			t.Fatalf("iterator: node %v was not read", n.ID().TerminalString())
		}
	}
}

// fakeResolver answers Resolve from a table and counts calls.
type fakeResolver struct {
	mu    sync.Mutex
	nodes map[nodeid.ID]*discover.Node
	calls int
}

func (r *fakeResolver) Resolve(ctx context.Context, n *discover.Node) *discover.Node {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	return r.nodes[n.ID()]
}

func (r *fakeResolver) set(n *discover.Node) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nodes[n.ID()] = n
}

func (r *fakeResolver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls
}

// setupCall records one call of the harness's SetupFunc.
type setupCall struct {
	node   *discover.Node
	static bool
}

// harness runs a Scheduler on a simulated clock with a fake dialer. Its
// SetupFunc mimics the server: it admits every connection, calling PeerAdded
// with the matching Kind, unless setupErr says otherwise.
type harness struct {
	t      *testing.T
	self   nodeid.ID
	round  string // prefix for failure messages of sequential rounds
	clock  *clock.Simulated
	dialer *fakeDialer
	iter   *fakeIterator
	sched  *Scheduler
	setups chan setupCall

	mu       sync.Mutex
	setupErr map[nodeid.ID]error
	peers    map[nodeid.ID]Kind // what the harness told the scheduler
}

func newHarness(t *testing.T, cfg Config) *harness {
	return newHarnessAs(t, testNode(9999, "", 0).ID(), cfg)
}

// newHarnessAs is newHarness for a scheduler whose local node is self.
func newHarnessAs(t *testing.T, self nodeid.ID, cfg Config) *harness {
	h := &harness{
		self:     self,
		t:        t,
		clock:    new(clock.Simulated),
		dialer:   newFakeDialer(t),
		setups:   make(chan setupCall, 64),
		setupErr: make(map[nodeid.ID]error),
		peers:    make(map[nodeid.ID]Kind),
	}
	cfg.Clock = h.clock
	cfg.Dialer = h.dialer
	if cfg.Nodes == nil {
		h.iter = newFakeIterator()
		cfg.Nodes = h.iter
	}
	sched, err := New(h.self, cfg, h.setup)
	if err != nil {
		t.Fatal(err)
	}
	h.sched = sched
	t.Cleanup(h.stop)
	return h
}

func (h *harness) setup(ctx context.Context, conn net.Conn, n *discover.Node, static bool) error {
	defer conn.Close()
	h.mu.Lock()
	err := h.setupErr[n.ID()]
	kind := Dynamic
	if static {
		kind = Static
	}
	if err == nil {
		h.peers[n.ID()] = kind
	}
	h.mu.Unlock()
	if err == nil {
		h.sched.PeerAdded(n.ID(), kind)
	}
	h.setups <- setupCall{node: n, static: static}
	return err
}

// peerRemoved disconnects a peer the harness admitted.
func (h *harness) peerRemoved(n *discover.Node) {
	h.mu.Lock()
	delete(h.peers, n.ID())
	h.mu.Unlock()
	h.sched.PeerRemoved(n.ID())
}

// dynPeers counts the dynamic peers the harness admitted.
func (h *harness) dynPeers() int {
	n := 0
	for _, k := range h.peers {
		if k == Dynamic {
			n++
		}
	}
	return n
}

// expectDials waits until the scheduler is idle and checks that exactly the
// given nodes are being dialled, in any order. It returns the calls in the
// order of want.
func (h *harness) expectDials(want ...*discover.Node) []*dialCall {
	h.t.Helper()
	got := h.expectAnyDials(len(want))
	sorted := make([]*dialCall, len(want))
	for _, c := range got {
		i := slices.IndexFunc(want, func(n *discover.Node) bool { return n.ID() == c.node.ID() })
		if i < 0 || sorted[i] != nil {
			h.t.Fatalf("%sdials of %v, want %v", h.round, callIDs(got), ids(want))
		}
		sorted[i] = c
	}
	return sorted
}

// expectAnyDials waits until the scheduler is idle and checks that exactly
// n dials are waiting for the test.
func (h *harness) expectAnyDials(n int) []*dialCall {
	h.t.Helper()
	synctest.Wait()
	var got []*dialCall
	for {
		select {
		case c := <-h.dialer.calls:
			got = append(got, c)
			continue
		default:
		}
		break
	}
	if len(got) != n {
		h.t.Fatalf("%s%d dials (%v), want %d", h.round, len(got), callIDs(got), n)
	}
	return got
}

// noDial checks that, once the scheduler is idle, no dial is waiting.
func (h *harness) noDial() {
	h.t.Helper()
	h.expectAnyDials(0)
}

// expectSetup waits for the SetupFunc to have run for n.
func (h *harness) expectSetup(n *discover.Node) setupCall {
	h.t.Helper()
	select {
	case s := <-h.setups:
		if s.node.ID() != n.ID() {
			h.t.Fatalf("setup of %v, want %v", s.node.ID().TerminalString(), n.ID().TerminalString())
		}
		return s
	case <-time.After(failDeadline):
		h.t.Fatalf("timed out waiting for setup of %v", n.ID().TerminalString())
		return setupCall{}
	}
}

// connect answers c successfully and waits until the peer is admitted.
func (h *harness) connect(c *dialCall) setupCall {
	h.t.Helper()
	c.reply <- nil
	return h.expectSetup(c.node)
}

// stop stops the scheduler and checks that the test saw every Dial made.
func (h *harness) stop() {
	h.sched.Stop()
	h.dialer.mu.Lock()
	defer h.dialer.mu.Unlock()
	if len(h.dialer.untaken) > 0 {
		h.t.Errorf("dials the test did not expect: %v", ids(h.dialer.untaken))
	}
}

func callIDs(calls []*dialCall) []string {
	s := make([]string, len(calls))
	for i, c := range calls {
		s[i] = c.node.ID().TerminalString()
	}
	return s
}

func ids(nodes []*discover.Node) []string {
	s := make([]string, len(nodes))
	for i, n := range nodes {
		s[i] = n.ID().TerminalString()
	}
	return s
}
