package server

import (
	"net"
	"time"

	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/peer"
)

// PeerEventType says what happened to a peer.
type PeerEventType uint8

const (
	// PeerAdded: the peer passed both checkpoints and its protocols are
	// starting.
	PeerAdded PeerEventType = iota + 1
	// PeerDropped: the peer's connection ended; Reason says why.
	PeerDropped
)

// String returns "added" or "dropped".
func (t PeerEventType) String() string {
	switch t {
	case PeerAdded:
		return "added"
	case PeerDropped:
		return "dropped"
	}
	return "unknown"
}

// PeerEvent reports a peer joining or leaving the server.
type PeerEvent struct {
	Type       PeerEventType // PeerAdded or PeerDropped
	ID         nodeid.ID     // the peer's node ID, from its proven RLPx key
	RemoteAddr net.Addr      // the peer's TCP address
	Inbound    bool          // it dialed us
	Time       time.Time     // from Config.Clock

	// Reason is why a dropped peer left (PeerDropped only). Err is the
	// error the peer's loop ended with; peer.ReasonOf(Err) yields Reason,
	// and Err also tells whether the remote side sent the Disconnect.
	Reason peer.DiscReason
	Err    error
}

// SubscribeEvents delivers PeerAdded and PeerDropped events to ch until
// unsubscribe is called. Delivery never blocks the server: an event that
// does not fit in ch's buffer when it happens is dropped for this
// subscriber, so give ch a buffer sized for the bursts you expect (twice
// MaxPeers covers every peer leaving at once and then as many joining).
// After unsubscribe returns, ch receives nothing more and may be closed.
// Events of one peer arrive in order: PeerAdded before PeerDropped.
func (srv *Server) SubscribeEvents(ch chan<- PeerEvent) (unsubscribe func()) {
	return srv.events.subscribe(ch)
}

func (srv *Server) emit(ev PeerEvent) {
	if n := srv.events.send(ev); n > 0 {
		srv.log.Debug("Peer event dropped for slow subscribers", "type", ev.Type, "id", ev.ID, "subscribers", n)
	}
}
