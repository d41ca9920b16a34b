package server

import (
	"net"
	"time"

	"github.com/devp2p-go/devp2p/dial"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/rlpx"
)

// ConnEventType says what happened to a connection that is not (yet) a
// peer.
type ConnEventType uint8

const (
	// DialStarted: the server began dialling Node.
	DialStarted ConnEventType = iota + 1
	// DialFailed: a dial of Node failed; Result and Err say why.
	DialFailed
	// StaticBackoff: the static node Node will not be dialled again before
	// Until, after a failed dial or a connection that did not last.
	StaticBackoff
	// InboundRefused: an inbound connection from RemoteAddr was closed
	// before it became a peer; Result and Err say why. ID is set when the
	// encryption handshake got far enough to authenticate the remote.
	InboundRefused
)

// String returns "dial started", "dial failed", "static backoff" or
// "inbound refused".
func (t ConnEventType) String() string {
	switch t {
	case DialStarted:
		return "dial started"
	case DialFailed:
		return "dial failed"
	case StaticBackoff:
		return "static backoff"
	case InboundRefused:
		return "inbound refused"
	}
	return "unknown"
}

// ConnEvent reports a decision about a connection: a dial started or
// failed, a static node backed off, an inbound connection refused.
type ConnEvent struct {
	Type ConnEventType // what happened
	Time time.Time     // from Config.Clock

	ID         nodeid.ID      // the remote node; zero if not known
	Node       *discover.Node // the node dialled (dial events only)
	Static     bool           // a static node (dial events only)
	RemoteAddr net.Addr       // the remote address (InboundRefused only)

	// Result classifies why a dial failed or an inbound connection was
	// refused, as devp2p_dials_total and devp2p_inbound_connections_total
	// count it; Err is the error, when there is one.
	Result metrics.ConnResult
	Err    error

	// Until is when a backed-off static node is next due (StaticBackoff).
	Until time.Time
}

// SubscribeConnEvents delivers ConnEvents to ch until unsubscribe is
// called, like SubscribeEvents: delivery never blocks the server, and an
// event that does not fit in ch's buffer is dropped for this subscriber.
// A busy node refuses and dials often; size the buffer accordingly.
func (srv *Server) SubscribeConnEvents(ch chan<- ConnEvent) (unsubscribe func()) {
	return srv.connEvents.subscribe(ch)
}

func (srv *Server) emitConn(ev ConnEvent) {
	srv.connEvents.send(ev)
}

// dialEvent is the dial scheduler's Config.OnEvent: it turns the
// scheduler's events into ConnEvents and logs failures. It runs on the
// scheduler's loop and never blocks.
func (srv *Server) dialEvent(ev dial.Event) {
	ce := ConnEvent{Time: ev.Time, Node: ev.Node, Static: ev.Static, Result: ev.Result, Err: ev.Err, Until: ev.Until}
	if ev.Node != nil {
		ce.ID = ev.Node.ID()
	}
	switch ev.Type {
	case dial.EventDialStarted:
		ce.Type = DialStarted
	case dial.EventDialFailed:
		ce.Type = DialFailed
	case dial.EventStaticBackoff:
		ce.Type = StaticBackoff
		srv.log.Debug("Static node backed off", "id", ce.ID.TerminalString(), "until", ev.Until)
	default:
		return
	}
	srv.emitConn(ce)
}

// inboundDone counts an inbound connection by how its setup ended and
// reports a refusal. id is the remote's, when known.
func (srv *Server) inboundDone(addr net.Addr, id nodeid.ID, err error, res metrics.ConnResult) {
	srv.metrics.Server.Inbound(res)
	if res == metrics.ConnOK {
		return
	}
	srv.emitConn(ConnEvent{Type: InboundRefused, Time: srv.clock.Now(), ID: id, RemoteAddr: addr, Result: res, Err: err})
}

// inboundSetupDone counts an inbound connection whose setup (from the
// encryption handshake on) failed with err. A connection evicted from its
// handshake slot fails its handshake, but counts as refused for the
// pending cap, the reason it was closed.
func (srv *Server) inboundSetupDone(c *rlpx.Conn, pc *pendingConn, err error) {
	if err == nil {
		return // counted by setupRLPx before the peer started
	}
	res := resultOf(err)
	if srv.pending.wasEvicted(pc) {
		res = metrics.ConnPendingCap
	}
	var id nodeid.ID
	if pub := c.RemotePubkey(); pub != nil {
		id = nodeid.FromPubkey(pub)
	}
	srv.inboundDone(c.RemoteAddr(), id, err, res)
}

// wasEvicted reports whether pc lost its slot to another connection.
func (ps *pendingSet) wasEvicted(pc *pendingConn) bool {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return pc.evicted
}

// MsgEvent reports one message read from or written to a peer. The server
// produces them only with Config.MessageEvents, for debugging.
type MsgEvent struct {
	ID       nodeid.ID // the peer's node ID
	Outbound bool      // we sent it
	Cap      peer.Cap  // its protocol: "p2p"/5 for the base protocol, zero for a code no protocol claims
	Code     uint64    // relative to the protocol's offset
	Size     int       // decoded payload bytes
	Wire     int       // bytes of the frame on the wire
	Time     time.Time // when it was read or written, from Config.Clock
}

// SubscribeMessages delivers a MsgEvent for every message of every peer to
// ch until unsubscribe is called, if Config.MessageEvents is set (and
// nothing otherwise). As for the other events, a message event that does
// not fit in ch's buffer is dropped for this subscriber: the peers never
// wait for it.
func (srv *Server) SubscribeMessages(ch chan<- MsgEvent) (unsubscribe func()) {
	return srv.msgEvents.subscribe(ch)
}

// traceMessage is the peers' Config.Trace when Config.MessageEvents is set.
func (srv *Server) traceMessage(m peer.MsgTrace) {
	srv.msgEvents.send(MsgEvent{ID: m.Peer.ID(), Outbound: m.Outbound, Cap: m.Cap, Code: m.Code, Size: m.Size, Wire: m.Wire, Time: srv.clock.Now()})
}
