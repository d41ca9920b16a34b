package dial

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

// FuzzScheduler drives a scheduler with a random sequence of server
// notifications, static-node changes, discovered nodes, dial outcomes and
// clock advances, and checks after every step, against a model of what the
// server knows, that no limit is broken and nothing forbidden is dialled. At
// the end it checks liveness: every static node that may be dialled is.
func FuzzScheduler(f *testing.F) {
	f.Add([]byte{0x00, 0x01, 0x02, 0x70, 0x60, 0x61, 0x62, 0x63, 0x70, 0x81, 0x95})
	f.Add([]byte{0x60, 0x61, 0x62, 0x63, 0x64, 0x71, 0x72, 0x30, 0x31, 0x64, 0x65, 0x9f})
	f.Add([]byte{0x00, 0x20, 0x40, 0x01, 0x41, 0x50, 0x80, 0x10, 0x00, 0x9a, 0x70})
	f.Add([]byte{0x02, 0x03, 0x04, 0x05, 0x80, 0x81, 0x82, 0x9f, 0x72, 0x73, 0x30, 0x13, 0x9f})
	f.Fuzz(func(t *testing.T, ops []byte) {
		if len(ops) > 200 {
			ops = ops[:200]
		}
		synctest.Test(t, func(t *testing.T) { runModel(t, ops) })
	})
}

const (
	modelNodes     = 6
	modelMaxDialed = 2
	modelMaxActive = 3
)

// model is what a server would know, and the dials the scheduler started.
type model struct {
	t     *testing.T
	nodes []*discover.Node
	self  nodeid.ID

	mu       sync.Mutex
	static   map[nodeid.ID]bool
	peers    map[nodeid.ID]Kind
	inbound  map[nodeid.ID]int
	dials    []*dialCall
	dynamic  map[*dialCall]bool
	sched    *Scheduler
	dialer   *fakeDialer
	iter     *fakeIterator
	clock    *clock.Simulated
	stepName string
}

func runModel(t *testing.T, ops []byte) {
	m := &model{
		t:       t,
		nodes:   nodes(0, modelNodes),
		static:  make(map[nodeid.ID]bool),
		peers:   make(map[nodeid.ID]Kind),
		inbound: make(map[nodeid.ID]int),
		dynamic: make(map[*dialCall]bool),
		dialer:  newFakeDialer(t),
		iter:    newFakeIterator(),
		clock:   new(clock.Simulated),
	}
	m.self = m.nodes[0].ID() // node 0 is ourselves
	s, err := New(m.self, Config{
		MaxDialedConns: modelMaxDialed,
		MaxActiveDials: modelMaxActive,
		Nodes:          m.iter,
		Dialer:         m.dialer,
		Clock:          m.clock,
	}, m.setup)
	if err != nil {
		t.Fatal(err)
	}
	m.sched = s
	defer s.Stop()

	for _, op := range ops {
		m.step(op)
		synctest.Wait()
		m.collect()
	}

	// Liveness: fail every dial, let every backoff run out, and every
	// static node that is neither connected nor handshaking is dialled, as
	// far as MaxActiveDials allows.
	m.stepName = "liveness"
	for len(m.dials) > 0 {
		m.answer(0, errRefused)
		synctest.Wait()
		m.collect()
	}
	m.clock.Run(DefaultStaticBackoffMax + time.Second)
	synctest.Wait()
	m.collect()
	m.mu.Lock()
	defer m.mu.Unlock()
	eligible := 0
	for id := range m.static {
		if _, ok := m.peers[id]; !ok && m.inbound[id] == 0 {
			eligible++
		}
	}
	if want := min(eligible, modelMaxActive); len(m.dials) != want {
		t.Fatalf("liveness: %d static dials, want %d", len(m.dials), want)
	}
}

// step performs one operation: the high nibble picks it, the low one its
// argument.
func (m *model) step(op byte) {
	i := int(op&0x0f) % modelNodes
	n := m.nodes[i]
	id := n.ID()
	m.mu.Lock()
	defer m.mu.Unlock()
	switch op >> 4 {
	case 0:
		m.stepName = fmt.Sprintf("AddStatic(%d)", i)
		if id != m.self {
			m.static[id] = true
		}
		m.sched.AddStatic(n)
	case 1:
		m.stepName = fmt.Sprintf("RemoveStatic(%d)", i)
		delete(m.static, id)
		m.sched.RemoveStatic(id)
	case 2:
		m.stepName = fmt.Sprintf("inbound peer %d", i)
		if _, ok := m.peers[id]; ok || id == m.self {
			return // the server refuses it
		}
		m.peers[id] = Inbound
		m.sched.PeerAdded(id, Inbound)
	case 3:
		m.stepName = fmt.Sprintf("PeerRemoved(%d)", i)
		if _, ok := m.peers[id]; !ok {
			return
		}
		delete(m.peers, id)
		m.sched.PeerRemoved(id)
	case 4:
		m.stepName = fmt.Sprintf("InboundPending(%d)", i)
		m.inbound[id]++
		m.sched.InboundPending(id)
	case 5:
		m.stepName = fmt.Sprintf("InboundDone(%d)", i)
		if m.inbound[id] == 0 {
			return
		}
		m.inbound[id]--
		m.sched.InboundDone(id)
	case 6:
		m.stepName = fmt.Sprintf("discovered %d", i)
		select {
		case m.iter.ch <- n:
		default: // the reader waits for a slot
		}
	case 7, 8:
		if len(m.dials) == 0 {
			return
		}
		k := int(op&0x0f) % len(m.dials)
		var err error
		if op>>4 == 8 {
			err = errRefused
		}
		m.stepName = fmt.Sprintf("answer dial %d: %v", k, err)
		m.mu.Unlock()
		m.answer(k, err)
		m.mu.Lock()
	case 9:
		d := time.Duration(op&0x0f) * 7 * time.Second
		m.stepName = fmt.Sprintf("run %v", d)
		m.mu.Unlock()
		m.clock.Run(d)
		m.mu.Lock()
	}
}

// answer completes dial k with err.
func (m *model) answer(k int, err error) {
	m.mu.Lock()
	c := m.dials[k]
	m.dials = append(m.dials[:k], m.dials[k+1:]...)
	delete(m.dynamic, c)
	m.mu.Unlock()
	c.reply <- err
}

// setup admits the peer like the server: unless it is already connected.
func (m *model) setup(ctx context.Context, conn net.Conn, n *discover.Node, static bool) error {
	defer conn.Close()
	m.mu.Lock()
	if _, ok := m.peers[n.ID()]; ok {
		m.mu.Unlock()
		return errors.New("already connected")
	}
	kind := Dynamic
	if static {
		kind = Static
	}
	m.peers[n.ID()] = kind
	m.mu.Unlock()
	m.sched.PeerAdded(n.ID(), kind)
	return nil
}

// collect takes the dials the last step started and checks them and the
// limits.
func (m *model) collect() {
	m.mu.Lock()
	defer m.mu.Unlock()
	// Dials cancelled by RemoveStatic have ended.
	live := m.dials[:0]
	for _, d := range m.dials {
		if d.ctx.Err() == nil {
			live = append(live, d)
		} else {
			delete(m.dynamic, d)
		}
	}
	clear(m.dials[len(live):])
	m.dials = live
	for {
		var c *dialCall
		select {
		case c = <-m.dialer.calls:
		default:
		}
		if c == nil {
			break
		}
		id := c.node.ID()
		switch {
		case id == m.self:
			m.t.Fatalf("after %s: dialled ourselves", m.stepName)
		case m.inbound[id] > 0:
			m.t.Fatalf("after %s: dialled %v during its inbound handshake", m.stepName, id.TerminalString())
		}
		if _, ok := m.peers[id]; ok {
			m.t.Fatalf("after %s: dialled connected peer %v", m.stepName, id.TerminalString())
		}
		for _, d := range m.dials {
			if d.node.ID() == id {
				m.t.Fatalf("after %s: two dials of %v", m.stepName, id.TerminalString())
			}
		}
		m.dials = append(m.dials, c)
		if !m.static[id] {
			m.dynamic[c] = true
		}
	}
	if len(m.dials) > modelMaxActive {
		m.t.Fatalf("after %s: %d dials in flight, limit %d", m.stepName, len(m.dials), modelMaxActive)
	}
	dyn := len(m.dynamic)
	for _, k := range m.peers {
		if k == Dynamic {
			dyn++
		}
	}
	if dyn > modelMaxDialed {
		m.t.Fatalf("after %s: %d dynamic dials and peers, cap %d", m.stepName, dyn, modelMaxDialed)
	}
}
