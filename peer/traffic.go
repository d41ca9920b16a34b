package peer

import (
	"github.com/devp2p-go/devp2p/metrics"
)

// MsgTrace describes one message read from or written to a peer, for
// Config.Trace. Code is relative to the protocol's offset; Cap is "p2p"/5
// for the base protocol and the zero Cap for a code no shared protocol
// claims. Size is the decoded payload length, Wire the bytes of the whole
// frame on the wire.
type MsgTrace struct {
	Peer     *Peer  // the peer the message came from or went to
	Outbound bool   // we sent it
	Cap      Cap    // the protocol the code belongs to
	Code     uint64 // message code relative to the protocol's offset
	Size     int    // decoded payload length in bytes
	Wire     int    // bytes of the whole frame on the wire
}

// baseCap is the base protocol's capability as MsgTrace reports it
// (devp2p rlpx.md, "p2p Capability", version 5).
var baseCap = Cap{Name: "p2p", Version: 5}

// traffic counts the messages of one protocol of one peer in the node's
// metrics (nil when metrics are off) and, if Config.Trace is set, reports
// each of them.
type traffic struct {
	m   *metrics.ProtocolTraffic
	cap Cap
}

// received accounts for a message read from the peer. It allocates
// nothing: the metrics are atomic adds, and the trace is only built when
// a Trace function is set.
func (p *Peer) received(t *traffic, code uint64, size, wire int) {
	t.m.Received(code, size, wire)
	if p.cfg.Trace != nil {
		p.cfg.Trace(MsgTrace{Peer: p, Cap: t.cap, Code: code, Size: size, Wire: wire})
	}
}

// sent accounts for a message written to the peer, like received.
func (p *Peer) sent(t *traffic, code uint64, size, wire int) {
	t.m.Sent(code, size, wire)
	if p.cfg.Trace != nil {
		p.cfg.Trace(MsgTrace{Peer: p, Outbound: true, Cap: t.cap, Code: code, Size: size, Wire: wire})
	}
}
