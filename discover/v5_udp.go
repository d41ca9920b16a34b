package discover

import (
	"bytes"
	crand "crypto/rand"
	"log/slog"
	"net/netip"
	"sync"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/internal/logging"
	"github.com/devp2p-go/devp2p/internal/netutil"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nodeid"
)

// UDPv5 is a discv5.1 node: the transport (discv5-wire.md), its sessions
// and handshakes, TALKREQ handlers, and lookups over the Kademlia table.
// It is safe for concurrent use.
//
// Goroutines: one reads packets and hands them, one at a time, to a
// dispatcher, which owns the codec (sessions, challenges) and the calls in
// flight, and answers requests; TALKREQ handlers run on at most
// V5Config.MaxTalkWorkers goroutines. A standalone node also runs a table
// loop. Close stops and joins all of them.
type UDPv5 struct {
	// Immutable after ListenV5.
	cfg       Config
	v5        V5Config
	conn      UDPConn
	priv      *secp256k1.PrivateKey
	self      nodeid.ID
	localNode *LocalNode
	predict   *predictor // our external endpoint, from PONG statements (shared with discv4 on one socket)
	clock     clock.Clock
	rand      *lockedRand
	log       *slog.Logger
	db        store
	ownDB     *DB    // closed by Close when ListenV5 opened it
	tab       *table // shared with discv4 when ownTab is false
	ownTab    bool
	talk      *talkSystem

	// Channels into dispatch.
	packetCh   chan v5packet
	readNextCh chan struct{}
	callCh     chan *v5call
	callDoneCh chan *v5call
	timeoutCh  chan v5timeout
	sendCh     chan v5reply

	// Owned by dispatch.
	codec          *v5wire.Codec
	activeByNode   map[nodeid.ID]*v5call
	activeByNonce  map[v5wire.Nonce]*v5call
	queued         map[nodeid.ID][]*v5call
	pending        int
	handshakeLimit *ipRateLimiter

	closing   chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// v5packet is a received datagram, valid until dispatch signals readNextCh.
type v5packet struct {
	data []byte
	from netip.AddrPort
}

// v5reply is a message to send from dispatch (TALKRESP from a worker).
type v5reply struct {
	id   nodeid.ID
	addr netip.AddrPort
	msg  v5wire.Message
}

// ListenV5 starts a standalone discv5 node with node key key on conn, with
// its own table. It owns conn from now on and closes it in Close. Its
// bootstrap nodes are cfg.V5.Bootnodes; cfg.Bootnodes is for discv4.
func ListenV5(conn UDPConn, key *secp256k1.PrivateKey, cfg Config) (*UDPv5, error) {
	cfg, err := cfg.withDefaults(key)
	if err != nil {
		return nil, err
	}
	t, err := newUDPv5(conn, key, cfg)
	if err != nil {
		return nil, err
	}
	parts, err := newNodeParts(cfg, key, t.self, conn.LocalAddr(), t.rand, t.log, t.v5.Bootnodes, t)
	if err != nil {
		return nil, err
	}
	t.db, t.ownDB, t.localNode, t.predict, t.tab = parts.db, parts.ownDB, parts.localNode, parts.predict, parts.tab
	t.ownTab = true
	if err := t.start(); err != nil {
		parts.closeOwnDB()
		return nil, err
	}
	t.tab.start()
	return t, nil
}

// newUDPv5 makes the parts of a node that do not depend on how the table,
// database and record are shared.
func newUDPv5(conn UDPConn, key *secp256k1.PrivateKey, cfg Config) (*UDPv5, error) {
	v5, err := cfg.V5.withDefaults()
	if err != nil {
		return nil, err
	}
	t := &UDPv5{
		cfg:            cfg,
		v5:             v5,
		conn:           conn,
		priv:           key,
		self:           nodeid.FromPubkey(ethcrypto.PubkeyOf(key)),
		clock:          cfg.Clock,
		rand:           &lockedRand{r: cfg.Rand},
		log:            cfg.Logger,
		packetCh:       make(chan v5packet),
		readNextCh:     make(chan struct{}),
		callCh:         make(chan *v5call),
		callDoneCh:     make(chan *v5call),
		timeoutCh:      make(chan v5timeout),
		sendCh:         make(chan v5reply),
		activeByNode:   make(map[nodeid.ID]*v5call),
		activeByNonce:  make(map[v5wire.Nonce]*v5call),
		queued:         make(map[nodeid.ID][]*v5call),
		handshakeLimit: newIPRateLimiter(v5.HandshakesPerIP),
		closing:        make(chan struct{}),
	}
	t.talk = newTalkSystem(t, v5.MaxTalkWorkers)
	return t, nil
}

// start makes the codec and launches the reader and dispatch goroutines.
func (t *UDPv5) start() error {
	codec, err := v5wire.NewCodec(t.priv, func() *enr.Record { return t.localNode.Node().Record() },
		v5wire.CodecConfig{MaxSessions: t.v5.MaxSessions, MaxSessionsPerIP: t.v5.MaxSessionsPerIP, Clock: t.clock, AcceptNodes: t.wantNodes})
	if err != nil {
		return err
	}
	t.codec = codec
	t.wg.Add(2)
	go t.readLoop()
	go t.dispatch()
	return nil
}

// Close stops the node, closes its socket and waits for every goroutine
// it started. It is safe to call more than once; calls in flight return
// ErrClosed.
func (t *UDPv5) Close() {
	t.closeOnce.Do(func() {
		close(t.closing)
		t.conn.Close()
		if t.ownTab {
			t.tab.close()
		}
		t.wg.Wait()
		if t.ownDB != nil {
			t.ownDB.Close()
		}
	})
}

// Self returns our own node with its current record.
func (t *UDPv5) Self() *Node { return t.localNode.Node() }

// LocalNode returns the record holder; discv4 shares it on a shared
// socket.
func (t *UDPv5) LocalNode() *LocalNode { return t.localNode }

// TableNodes returns the nodes currently in the table's buckets.
func (t *UDPv5) TableNodes() []*Node { return t.tab.nodes() }

func (t *UDPv5) isClosed() bool {
	select {
	case <-t.closing:
		return true
	default:
		return false
	}
}

// --- reading ---

func (t *UDPv5) readLoop() {
	defer t.wg.Done()
	buf := make([]byte, v5wire.MaxPacketSize+1)
	for {
		n, from, err := t.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if t.isClosed() {
				return
			}
			if transientReadError(err) {
				continue
			}
			t.log.Debug("discv5: read error, stopping", "err", err)
			return
		}
		if n > v5wire.MaxPacketSize {
			t.cfg.Metrics.BadPacket(metrics.DiscV5, metrics.BadPacketTooBig)
			continue
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		if !netutil.Allowed(t.cfg.NetRestrict, from.Addr()) {
			continue
		}
		select {
		case t.packetCh <- v5packet{data: buf[:n], from: from}:
		case <-t.closing:
			return
		}
		select {
		case <-t.readNextCh:
		case <-t.closing:
			return
		}
	}
}

// --- dispatch ---

// dispatch is the only goroutine that touches the codec and the call
// maps.
func (t *UDPv5) dispatch() {
	defer t.wg.Done()
	for {
		select {
		case p := <-t.packetCh:
			t.handlePacket(p.data, p.from)
			select {
			case t.readNextCh <- struct{}{}:
			case <-t.closing:
			}

		case c := <-t.callCh:
			if t.pending >= t.cfg.MaxPendingReplies {
				c.fail(ErrTooManyPending)
				continue
			}
			t.pending++
			t.queued[c.id] = append(t.queued[c.id], c)
			t.sendNextCall(c.id)

		case to := <-t.timeoutCh:
			if c := to.c; t.activeByNode[c.id] == c && c.timerArmed && c.timerGen == to.gen {
				c.timerArmed = false
				c.fail(ErrTimeout)
			}

		case c := <-t.callDoneCh:
			t.finishCall(c)

		case r := <-t.sendCh:
			t.send(r.id, r.addr, r.msg)

		case <-t.closing:
			for _, c := range t.activeByNode {
				c.stopTimer()
				c.fail(ErrClosed)
			}
			for _, q := range t.queued {
				for _, c := range q {
					c.fail(ErrClosed)
				}
			}
			return
		}
	}
}

// send encodes msg for id at addr and writes it. Without a session the
// codec writes a random packet instead (the answer is lost; the node will
// handshake on its next request).
func (t *UDPv5) send(id nodeid.ID, addr netip.AddrPort, msg v5wire.Message) (v5wire.Nonce, error) {
	pkt, nonce, err := t.codec.EncodeMessage(id, addr, msg)
	if err != nil {
		t.log.Debug("discv5: encoding failed", "msg", msg.Name(), "err", err)
		return nonce, err
	}
	return nonce, t.write(id, addr, msg.Kind(), msg.Name(), pkt)
}

// write sends pkt, a packet of message type typ (metrics.DiscV5WhoAreYou
// for a WHOAREYOU), and counts it once the write succeeded.
func (t *UDPv5) write(id nodeid.ID, addr netip.AddrPort, typ byte, what string, pkt []byte) error {
	_, err := t.conn.WriteToUDPAddrPort(pkt, addr)
	t.log.Debug("discv5: >> "+what, "id", id.TerminalString(), "addr", addr, logging.Err(err))
	if err == nil {
		t.cfg.Metrics.PacketOut(metrics.DiscV5, typ)
	}
	return err
}

func (t *UDPv5) handlePacket(data []byte, from netip.AddrPort) {
	src, rec, p, err := t.codec.Decode(data, from)
	if err != nil {
		t.log.Debug("discv5: dropped bad packet", "addr", from, "err", err)
		t.cfg.Metrics.BadPacket(metrics.DiscV5, badPacketReasonV5(err))
		return
	}
	if src == t.self {
		return
	}
	if rec != nil {
		t.handshakeRecord(rec, from)
	}
	switch p := p.(type) {
	case *v5wire.Whoareyou:
		t.cfg.Metrics.PacketIn(metrics.DiscV5, metrics.DiscV5WhoAreYou)
		t.handleWhoareyou(p, from)
	case *v5wire.Unknown:
		// A message packet we hold no session for: not counted as bad, it
		// is how every handshake starts.
		t.handleUnknown(p, src, from)
	case v5wire.Message:
		t.cfg.Metrics.PacketIn(metrics.DiscV5, p.Kind())
		t.log.Debug("discv5: << "+p.Name(), "id", src.TerminalString(), "addr", from)
		t.handleMessage(p, src, from)
	}
}

// handshakeRecord takes the record a handshake carried. Its node joins
// the table only when the record's UDP endpoint is the one the handshake
// came from, which the handshake proves live.
func (t *UDPv5) handshakeRecord(rec *enr.Record, from netip.AddrPort) {
	n, err := NewNode(rec)
	if err != nil || n.UDPAddr() != from {
		return
	}
	if !netutil.Allowed(t.cfg.NetRestrict, n.IP()) {
		return
	}
	t.tab.addSeen(n)
}

// wantNodes reports whether a NODES message from src at from with reqID
// answers the active call to src, within the call's first
// v5MaxNodesPackets packets; the codec verifies the records of no other.
// It runs on dispatch, inside Decode.
func (t *UDPv5) wantNodes(src nodeid.ID, from netip.AddrPort, reqID []byte) bool {
	c := t.activeByNode[src]
	if c == nil || c.addr != from || c.responseType != v5wire.NodesMsg || !bytes.Equal(c.reqID, reqID) {
		return false
	}
	if c.nodesPackets >= v5MaxNodesPackets {
		return false
	}
	c.nodesPackets++
	return true
}

// handleUnknown answers an undecryptable message packet with a WHOAREYOU.
// Only message packets decode to Unknown, so a WHOAREYOU is never answered
// with one.
func (t *UDPv5) handleUnknown(p *v5wire.Unknown, src nodeid.ID, from netip.AddrPort) {
	if !t.handshakeLimit.allow(from.Addr(), t.clock.Now()) {
		t.log.Debug("discv5: handshake rate limit", "addr", from)
		return
	}
	var known *enr.Record
	if n := t.tab.nodeByID(src); n != nil {
		known = n.Record()
	}
	pkt, err := t.codec.EncodeWhoareyou(src, from, p.Nonce, known)
	if err != nil {
		t.log.Debug("discv5: no challenge sent", "addr", from, "err", err)
		return
	}
	t.write(src, from, metrics.DiscV5WhoAreYou, "WHOAREYOU", pkt)
}

// handleMessage routes a response to its call and answers a request.
func (t *UDPv5) handleMessage(m v5wire.Message, src nodeid.ID, from netip.AddrPort) {
	switch m := m.(type) {
	case *v5wire.Ping:
		t.send(src, from, &v5wire.Pong{ReqID: m.ReqID, ENRSeq: t.localNode.Seq(), ToIP: from.Addr(), ToPort: from.Port()})
	case *v5wire.Findnode:
		t.handleFindnode(m, src, from)
	case *v5wire.TalkRequest:
		t.talk.handle(m, src, from)
	default:
		t.handleResponse(m, src, from)
	}
}

// RegisterTalkHandler registers h for TALKREQ messages naming protocol,
// replacing an earlier handler. Requests for protocols without a handler
// are answered with an empty TALKRESP.
func (t *UDPv5) RegisterTalkHandler(protocol string, h TalkHandler) {
	t.talk.register(protocol, h)
}

// newReqID returns a random 8-byte request ID.
func newReqID() []byte {
	id := make([]byte, 8)
	crand.Read(id)
	return id
}
