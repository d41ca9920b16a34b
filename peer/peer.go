package peer

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/internal/logging"
	"github.com/devp2p-go/devp2p/nodeid"
)

// ErrClosed is returned by a protocol's MsgReadWriter once the peer is
// closing. errors.Is(err, net.ErrClosed) holds for it.
var ErrClosed = fmt.Errorf("peer: closed: %w", net.ErrClosed)

// errRunTwice is returned by a second call to Run.
var errRunTwice = errors.New("peer: Run called twice")

// Peer is a connected node that completed the Hello exchange. Its Run
// method drives the connection: it reads and dispatches messages, answers
// and sends pings, and runs every shared protocol until one side
// disconnects.
//
// Concurrency: Run owns the loop. Disconnect and the accessors may be
// called from any goroutine at any time.
type Peer struct {
	// Immutable after New.
	conn      transport
	hello     *Hello
	id        nodeid.ID
	pubkey    *secp256k1.PublicKey
	protos    []*protoRW
	cfg       Config
	log       *slog.Logger
	connected time.Time
	base      traffic // the base protocol's messages
	other     traffic // messages of codes no shared protocol claims

	started atomic.Bool

	// closed is closed by Run when the peer starts shutting down; it
	// unblocks protocol reads and writes and the reader's deliveries.
	closed chan struct{}
	// discReq carries a Disconnect request to the loop.
	discReq chan DiscReason
	// readErr carries the reader's final error to the loop.
	readErr chan *DisconnectError
	// protoErr carries a returning protocol's error to the loop.
	protoErr chan error
	// writeErr carries a failed write's error to the loop.
	writeErr chan error
	// pingRecv queues pongs for the loop to send.
	pingRecv chan struct{}

	// wtoken is the right to write to conn: one token, taken by whoever
	// writes. wbuf is scratch space owned by the token's holder.
	wtoken chan struct{}
	wbuf   []byte

	// rmu orders the reader's deadline against stopReading: once
	// stopReading is set, the read deadline stays in the past.
	rmu         sync.Mutex
	stopReading bool // protected by rmu
}

// newPeer builds a Peer on c for the peer that sent theirs. See New.
func newPeer(c transport, theirs *Hello, protocols []Protocol, cfg Config) (*Peer, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	p := &Peer{
		conn:      c,
		hello:     theirs,
		pubkey:    c.RemotePubkey(),
		cfg:       cfg,
		connected: cfg.Clock.Now(),
		closed:    make(chan struct{}),
		discReq:   make(chan DiscReason, 1),
		readErr:   make(chan *DisconnectError, 1),
		writeErr:  make(chan error, 1),
		pingRecv:  make(chan struct{}, pingQueueLength),
		wtoken:    make(chan struct{}, 1),
	}
	p.wtoken <- struct{}{}
	p.base = traffic{m: cfg.Metrics.Base(), cap: baseCap}
	p.other = traffic{m: cfg.Metrics.Other()}
	if p.pubkey != nil {
		key := ethcrypto.MarshalPubkey(p.pubkey)
		p.id = ethcrypto.Keccak256(key[:])
	} else {
		p.id = ethcrypto.Keccak256(theirs.ID)
	}
	for _, m := range MatchProtocols(protocols, theirs.Caps) {
		maxSize := m.Protocol.MaxMessageSize
		if maxSize == 0 || maxSize > cfg.MaxMessageSize {
			maxSize = cfg.MaxMessageSize
		}
		p.protos = append(p.protos, &protoRW{
			peer:    p,
			proto:   m.Protocol,
			offset:  m.Offset,
			maxSize: maxSize,
			in:      make(chan Msg, cfg.QueueLength),
			space:   make(chan struct{}, 1),
			traffic: traffic{m: cfg.Metrics.Protocol(m.Protocol.Name, m.Protocol.Version), cap: m.Protocol.Cap()},
		})
	}
	p.protoErr = make(chan error, len(p.protos))
	// Limits flow down: the connection refuses, before reading its body,
	// any frame larger than the largest message a shared protocol accepts.
	readLimit := uint32(maxHelloSize)
	for _, rw := range p.protos {
		readLimit = max(readLimit, rw.maxSize)
	}
	c.SetReadLimit(int(readLimit))
	p.log = logging.For(cfg.Logger, logging.SysPeer).With("peer", p.id.String()[:16], "addr", addrString(c.RemoteAddr()))
	return p, nil
}

// pingQueueLength is how many pongs may wait for the loop before the reader
// stops reading.
const pingQueueLength = 16

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// ID returns the peer's identity: Keccak-256 of its 64-byte public key.
func (p *Peer) ID() nodeid.ID { return p.id }

// Pubkey returns the public key the RLPx handshake authenticated.
func (p *Peer) Pubkey() *secp256k1.PublicKey { return p.pubkey }

// Name returns the client name from the peer's Hello. It is remote input:
// quote it before printing.
func (p *Peer) Name() string { return p.hello.Name }

// Caps returns the capabilities the peer announced, in its order.
func (p *Peer) Caps() []Cap { return slices.Clone(p.hello.Caps) }

// Hello returns the peer's Hello message. The caller must not modify it.
func (p *Peer) Hello() *Hello { return p.hello }

// Protocols returns the shared protocols and their offsets, in offset order.
func (p *Peer) Protocols() []Match {
	out := make([]Match, len(p.protos))
	for i, rw := range p.protos {
		out[i] = Match{Protocol: rw.proto, Offset: rw.offset}
	}
	return out
}

// RemoteAddr returns the remote network address.
func (p *Peer) RemoteAddr() net.Addr { return p.conn.RemoteAddr() }

// LocalAddr returns the local network address.
func (p *Peer) LocalAddr() net.Addr { return p.conn.LocalAddr() }

// Inbound reports whether the peer dialed us: the RLPx connection was
// created with rlpx.Server.
func (p *Peer) Inbound() bool { return !p.conn.Initiator() }

// Done returns a channel that is closed once the peer starts going away
// (either side disconnects, or the connection fails). A Protocol.Run that
// is busy with something other than reading can select on it to learn that
// it should return.
func (p *Peer) Done() <-chan struct{} { return p.closed }

// ConnectedAt returns when New was called, by Config.Clock.
func (p *Peer) ConnectedAt() time.Time { return p.connected }

// Log returns the peer's logger, which carries its ID and address.
func (p *Peer) Log() *slog.Logger { return p.log }

// String returns "peer <id prefix> <remote address>".
func (p *Peer) String() string {
	return fmt.Sprintf("peer %x %s", p.id[:8], addrString(p.conn.RemoteAddr()))
}

// Disconnect asks Run to send a Disconnect with reason r, give it up to 2 s
// to leave, and close the connection. It returns at once; Run returns the
// resulting *DisconnectError. Calls after the first, and calls once the
// peer is closing, do nothing.
func (p *Peer) Disconnect(r DiscReason) {
	select {
	case p.discReq <- r:
	default:
	}
}

// ProtocolStats counts the traffic of one shared protocol. Bytes are the
// wire sizes the connection reports (after compression and framing).
type ProtocolStats struct {
	Cap      Cap    // the shared capability
	Offset   uint64 // the first wire message code assigned to it
	MsgsIn   uint64 // messages received
	BytesIn  uint64 // wire bytes of the messages received
	MsgsOut  uint64 // messages sent
	BytesOut uint64 // wire bytes of the messages sent
}

// Stats returns the traffic counters of each shared protocol, in offset
// order.
func (p *Peer) Stats() []ProtocolStats {
	out := make([]ProtocolStats, len(p.protos))
	for i, rw := range p.protos {
		out[i] = ProtocolStats{
			Cap:      rw.proto.Cap(),
			Offset:   rw.offset,
			MsgsIn:   rw.msgsIn.Load(),
			BytesIn:  rw.bytesIn.Load(),
			MsgsOut:  rw.msgsOut.Load(),
			BytesOut: rw.bytesOut.Load(),
		}
	}
	return out
}
