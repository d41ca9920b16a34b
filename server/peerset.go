package server

import (
	"sync"

	"github.com/devp2p-go/devp2p/dial"
	"github.com/devp2p-go/devp2p/nodeid"
)

// connFlag records how a connection came about and what it may bypass.
type connFlag uint8

const (
	flagInbound    connFlag = 1 << iota // they dialed us
	flagDynDial                         // we dialed a discovered node
	flagStaticDial                      // we dialed a static node
	flagTrusted                         // trusted: bypasses the peer limits
)

func (f connFlag) has(g connFlag) bool { return f&g != 0 }

// kind returns how the dial scheduler classifies the connection.
func (f connFlag) kind() dial.Kind {
	switch {
	case f.has(flagInbound):
		return dial.Inbound
	case f.has(flagStaticDial):
		return dial.Static
	}
	return dial.Dynamic
}

// limits are the peer-count limits the checkpoints enforce. Trusted nodes
// bypass all three.
type limits struct {
	maxPeers    int // all peers
	maxInbound  int // peers that dialed us
	maxOutbound int // peers we dialed (static and dynamic)
}

// rejection is why a checkpoint refused a connection. Each maps to the
// devp2p disconnect reason sent to the remote side.
type rejection uint8

const (
	admitted           rejection = iota
	rejectQuitting               // the server is closing (0x08)
	rejectSelf                   // connected to self (0x0a)
	rejectAlready                // already connected (0x05)
	rejectTooManyPeers           // too many peers (0x04)
	rejectUselessPeer            // no shared protocol (0x03)
)

func (r rejection) String() string {
	switch r {
	case admitted:
		return "admitted"
	case rejectQuitting:
		return "client quitting"
	case rejectSelf:
		return "connected to self"
	case rejectAlready:
		return "already connected"
	case rejectTooManyPeers:
		return "too many peers"
	case rejectUselessPeer:
		return "useless peer"
	}
	return "unknown rejection"
}

// peerSet is the server's record of admitted connections: those past the
// post-handshake checkpoint that are still exchanging Hello ("reserved"),
// and running peers. A reservation counts against the limits and blocks a
// second connection to the same node, so two simultaneous connections to
// one node cannot both get through, and the limits cannot be overshot by
// handshakes finishing together.
//
// Concurrency: every field is protected by mu. Methods never block on I/O.
type peerSet struct {
	mu       sync.Mutex
	self     nodeid.ID
	limits   limits
	closed   bool
	trusted  map[nodeid.ID]struct{}
	entries  map[nodeid.ID]*setEntry
	inbound  int // entries with flagInbound
	outbound int // entries without flagInbound
	nrunning int // entries with running set
}

type setEntry struct {
	flags   connFlag
	running bool
	peer    *serverPeer // the running peer; nil while reserved
}

func newPeerSet(self nodeid.ID, l limits) *peerSet {
	return &peerSet{
		self:    self,
		limits:  l,
		trusted: make(map[nodeid.ID]struct{}),
		entries: make(map[nodeid.ID]*setEntry),
	}
}

// reserve is the post-handshake checkpoint: it decides whether a connection
// to id, whose encryption handshake just completed, may proceed to Hello.
// On success the node's slot is reserved and the returned flags carry
// flagTrusted if the node is trusted; the caller must later call promote or
// release.
func (s *peerSet) reserve(id nodeid.ID, flags connFlag) (connFlag, rejection) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return flags, rejectQuitting
	case id == s.self:
		return flags, rejectSelf
	case s.entries[id] != nil:
		return flags, rejectAlready
	}
	if _, ok := s.trusted[id]; ok {
		flags |= flagTrusted
	}
	if !flags.has(flagTrusted) {
		switch {
		case len(s.entries) >= s.limits.maxPeers:
			return flags, rejectTooManyPeers
		case flags.has(flagInbound) && s.inbound >= s.limits.maxInbound:
			return flags, rejectTooManyPeers
		case !flags.has(flagInbound) && s.outbound >= s.limits.maxOutbound:
			return flags, rejectTooManyPeers
		}
	}
	s.entries[id] = &setEntry{flags: flags}
	if flags.has(flagInbound) {
		s.inbound++
	} else {
		s.outbound++
	}
	return flags, admitted
}

// promote is the limits half of the add-peer checkpoint: it turns id's
// reservation into a running peer. The reservation already holds a slot, so
// the limits still hold; what can have changed is that the server started
// closing.
func (s *peerSet) promote(id nodeid.ID, p *serverPeer) rejection {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[id]
	switch {
	case e == nil || e.running:
		panic("server: promote without a reservation") // a bug in this package, not input
	case s.closed:
		return rejectQuitting
	}
	e.running, e.peer = true, p
	s.nrunning++
	return admitted
}

// release frees id's reservation or removes its running peer.
func (s *peerSet) release(id nodeid.ID) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[id]
	if e == nil {
		return
	}
	delete(s.entries, id)
	if e.running {
		s.nrunning--
	}
	if e.flags.has(flagInbound) {
		s.inbound--
	} else {
		s.outbound--
	}
}

// close marks the set closed, so that every later checkpoint refuses, and
// returns the running peers.
func (s *peerSet) close() []*serverPeer {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	return s.runningLocked()
}

// running returns the running peers, in no particular order.
func (s *peerSet) running() []*serverPeer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.runningLocked()
}

func (s *peerSet) runningLocked() []*serverPeer {
	out := make([]*serverPeer, 0, len(s.entries))
	for _, e := range s.entries {
		if e.running {
			out = append(out, e.peer)
		}
	}
	return out
}

// get returns id's running peer and its flags.
func (s *peerSet) get(id nodeid.ID) (p *serverPeer, flags connFlag, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	e := s.entries[id]
	if e == nil || !e.running {
		return nil, 0, false
	}
	return e.peer, e.flags, true
}

// count returns the number of running peers.
func (s *peerSet) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.nrunning
}

// setTrusted adds id to or removes it from the trusted set. A connection
// already in the set keeps the status it had when it was admitted.
func (s *peerSet) setTrusted(id nodeid.ID, trusted bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if trusted {
		s.trusted[id] = struct{}{}
	} else {
		delete(s.trusted, id)
	}
}
