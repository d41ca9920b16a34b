package discover

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sync"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/internal/logging"
	"github.com/devp2p-go/devp2p/internal/netutil"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nodeid"
)

// UDPv4 is a discv4 node: the UDP transport (discv4.md), the Kademlia table
// and lookups. It is safe for concurrent use.
//
// Goroutines: one reads and answers packets; one owns the list of requests
// waiting for replies; the table's loop owns the buckets and starts one
// revalidation and one refresh goroutine at a time. Close stops and joins
// all of them.
type UDPv4 struct {
	// Immutable after Listen.
	cfg       Config
	conn      UDPConn
	priv      *secp256k1.PrivateKey
	self      nodeid.ID
	selfKey   v4wire.Pubkey
	localNode *LocalNode
	clock     clock.Clock
	rand      *lockedRand
	log       *slog.Logger
	db        store
	ownDB     *DB // closed by Close when Listen opened it
	tab       *table
	predict   *predictor // our external endpoint, from Pong statements

	addMatcherCh chan *replyMatcher
	replyCh      chan *incomingReply

	// discv5 on the same socket (Config.V5.Enable); see v5_shared.go.
	v5        *UDPv5
	unhandled chan v5packet

	closing   chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
}

// Listen starts a discv4 node with node key key on conn. The node owns conn
// from now on and closes it in Close.
func Listen(conn UDPConn, key *secp256k1.PrivateKey, cfg Config) (*UDPv4, error) {
	cfg, err := cfg.withDefaults(key)
	if err != nil {
		return nil, err
	}
	t := &UDPv4{
		cfg:          cfg,
		conn:         conn,
		priv:         key,
		self:         nodeid.FromPubkey(ethcrypto.PubkeyOf(key)),
		selfKey:      v4wire.Pubkey(ethcrypto.MarshalPubkey(ethcrypto.PubkeyOf(key))),
		clock:        cfg.Clock,
		rand:         &lockedRand{r: cfg.Rand},
		log:          logging.For(cfg.Logger, logging.SysDiscover),
		addMatcherCh: make(chan *replyMatcher),
		replyCh:      make(chan *incomingReply),
		closing:      make(chan struct{}),
	}
	parts, err := newNodeParts(cfg, key, t.self, conn.LocalAddr(), t.rand, t.log, cfg.Bootnodes, t)
	if err != nil {
		return nil, err
	}
	t.db, t.ownDB, t.localNode, t.predict, t.tab = parts.db, parts.ownDB, parts.localNode, parts.predict, parts.tab
	if cfg.V5.Enable {
		if err := t.attachV5(); err != nil {
			parts.closeOwnDB()
			return nil, err
		}
	}

	t.wg.Add(2)
	go t.replyLoop()
	go t.readLoop()
	t.tab.start()
	return t, nil
}

// Close stops the node, closes its socket and waits for every goroutine it
// started. It is safe to call more than once; calls in flight return
// ErrClosed.
func (t *UDPv4) Close() {
	t.closeOnce.Do(func() {
		if t.v5 != nil {
			t.v5.Close()
		}
		close(t.closing)
		t.conn.Close()
		t.tab.close()
		t.wg.Wait()
		if t.ownDB != nil {
			t.ownDB.Close()
		}
	})
}

// Self returns our own node with its current record.
func (t *UDPv4) Self() *Node { return t.localNode.Node() }

// TableNodes returns the nodes currently in the table's buckets.
func (t *UDPv4) TableNodes() []*Node { return t.tab.nodes() }

// --- sending ---

func (t *UDPv4) expiration() uint64 {
	return uint64(t.clock.Now().Add(expirationWindow).Unix())
}

func (t *UDPv4) expired(ts uint64) bool { return t.checkExpired(v4wire.Expired(ts, t.clock.Now())) }

// encode signs p. Encoding our own well-formed packets cannot fail short of
// a programming error, which is logged.
func (t *UDPv4) encode(p v4wire.Packet) ([]byte, [32]byte, error) {
	pkt, hash, err := v4wire.Encode(t.priv, p)
	if err != nil {
		t.log.Error("discover: encoding packet", "packet", p, "err", err)
	}
	return pkt, hash, err
}

func (t *UDPv4) write(to netip.AddrPort, toID nodeid.ID, what string, pkt []byte) error {
	_, err := t.conn.WriteToUDPAddrPort(pkt, to)
	t.packetOut(pkt, err)
	t.log.Debug("discover: >> "+what, "id", toID.TerminalString(), "addr", to, logging.Err(err))
	return err
}

func (t *UDPv4) send(to netip.AddrPort, toID nodeid.ID, p v4wire.Packet) error {
	pkt, _, err := t.encode(p)
	if err != nil {
		return err
	}
	return t.write(to, toID, p.Name(), pkt)
}

func (t *UDPv4) ourEndpoint() v4wire.Endpoint {
	n := t.localNode.Node()
	return v4wire.Endpoint{IP: n.IP(), UDP: n.UDP(), TCP: n.TCP()}
}

// wait waits for m's outcome or the end of ctx.
func (t *UDPv4) wait(ctx context.Context, m *replyMatcher) error {
	select {
	case err := <-m.errc:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// --- requests ---

// Ping sends a ping to n and waits for its pong. It returns the record
// sequence number announced in the pong (EIP-868; 0 if none).
func (t *UDPv4) Ping(ctx context.Context, n *Node) (seq uint64, err error) {
	return t.ping(ctx, n)
}

func (t *UDPv4) ping(ctx context.Context, n *Node) (uint64, error) {
	if t.isClosed() {
		return 0, ErrClosed
	}
	m, err := t.sendPing(n, nil)
	if err != nil {
		return 0, err
	}
	if err := t.wait(ctx, &m.replyMatcher); err != nil {
		return 0, err
	}
	return m.pongSeq, nil
}

// pingMatcher is a replyMatcher that records the pong's enr-seq.
type pingMatcher struct {
	replyMatcher
	pongSeq uint64
}

// sendPing registers a matcher for the pong and sends the ping. With onDone
// set, nobody waits on the matcher.
func (t *UDPv4) sendPing(n *Node, onDone func(error)) (*pingMatcher, error) {
	req := &v4wire.Ping{
		Version:    4,
		From:       t.ourEndpoint(),
		To:         v4wire.Endpoint{IP: n.IP(), UDP: n.UDP(), TCP: 0},
		Expiration: t.expiration(),
		ENRSeq:     t.localNode.Seq(),
	}
	pkt, hash, err := t.encode(req)
	if err != nil {
		return nil, err
	}
	m := &pingMatcher{}
	m.replyMatcher = replyMatcher{from: n.ID(), ip: n.IP(), kind: v4wire.PongPacket, onDone: onDone}
	m.callback = func(p any) (bool, bool) {
		pong := p.(*v4wire.Pong)
		if pong.ReplyTok != hash {
			return false, false
		}
		m.pongSeq = pong.ENRSeq
		// Only a pong to our ping is a statement about our endpoint;
		// counting it here, before the waiter wakes, makes the record
		// current when Ping returns.
		t.predict.note(n.IP(), netip.AddrPortFrom(pong.To.IP, pong.To.UDP))
		return true, true
	}
	if err := t.addMatcher(&m.replyMatcher); err != nil {
		return m, err
	}
	if err := t.write(n.UDPAddr(), n.ID(), "PING", pkt); err != nil {
		// The matcher times out by itself.
		return m, err
	}
	return m, nil
}

// FindNode asks n for the nodes closest to target (a 64-byte public key,
// whose keccak256 hash is the ID the distance is measured to) and waits for
// up to BucketSize of them, a Neighbors packet with fewer than
// v4wire.MaxNeighbors nodes (the last one), or the response timeout. Nodes with unusable
// addresses are dropped. It pings n first if n may not hold a proof of our
// endpoint.
func (t *UDPv4) FindNode(ctx context.Context, n *Node, target v4wire.Pubkey) ([]*Node, error) {
	t.ensureBond(ctx, n)
	return t.findnode(ctx, n, target)
}

func (t *UDPv4) findnode(ctx context.Context, n *Node, target v4wire.Pubkey) ([]*Node, error) {
	if t.isClosed() {
		return nil, ErrClosed
	}
	var (
		nodes    []*Node
		received int
	)
	m := &replyMatcher{from: n.ID(), ip: n.IP(), kind: v4wire.NeighborsPacket}
	m.callback = func(p any) (bool, bool) {
		reply := p.(*v4wire.Neighbors)
		for _, rn := range reply.Nodes {
			received++
			if nn, err := t.nodeFromWire(n.IP(), rn); err == nil {
				nodes = append(nodes, nn)
			} else {
				t.log.Debug("discover: dropped relayed node", "from", n.ID().TerminalString(), "ip", rn.IP, "udp", rn.UDP, "err", err)
			}
		}
		// Replies come in packets of MaxNeighbors nodes: a shorter packet
		// is the last one, so there is no need to wait for the timeout.
		return true, received >= BucketSize || len(reply.Nodes) < v4wire.MaxNeighbors
	}
	pkt, _, err := t.encode(&v4wire.Findnode{Target: target, Expiration: t.expiration()})
	if err != nil {
		return nil, err
	}
	if err := t.addMatcher(m); err != nil {
		return nil, err
	}
	if err := t.write(n.UDPAddr(), n.ID(), "FINDNODE", pkt); err != nil {
		return nil, err
	}
	err = t.wait(ctx, m)
	if errors.Is(err, ErrTimeout) && received > 0 {
		err = nil // fewer than BucketSize nodes is a normal answer
	}
	if err != nil {
		return nil, err
	}
	return nodes, nil
}

// errLowPort is returned for relayed nodes on privileged UDP ports.
var errLowPort = errors.New("discover: relayed UDP port <= 1024")

// nodeFromWire checks a node relayed by sender and converts it, dropping
// endpoints a public sender may not relay (LAN, loopback, low ports).
func (t *UDPv4) nodeFromWire(sender netip.Addr, rn v4wire.Node) (*Node, error) {
	if rn.UDP <= 1024 {
		return nil, errLowPort
	}
	if err := checkRelayIP(sender, rn.IP); err != nil {
		return nil, err
	}
	if !netutil.Allowed(t.cfg.NetRestrict, rn.IP) {
		return nil, errRestricted
	}
	pub, err := ethcrypto.UnmarshalPubkey(rn.ID[:])
	if err != nil {
		return nil, err
	}
	return NewV4(pub, rn.IP, rn.TCP, rn.UDP), nil
}

var errRestricted = errors.New("discover: address outside NetRestrict")

// ensureBond makes sure n holds a recent proof of our endpoint before we
// send it a findnode or ENR request: if n has not pinged us lately, ping
// it and give it one response timeout to ping us back.
func (t *UDPv4) ensureBond(ctx context.Context, n *Node) {
	now := t.clock.Now()
	fresh := now.Sub(t.db.lastPing(n.ID(), n.IP())) < t.cfg.BondExpiration
	if fresh && t.db.findFails(n.ID(), n.IP()) == 0 {
		return
	}
	back := &replyMatcher{from: n.ID(), ip: n.IP(), kind: v4wire.PingPacket}
	back.callback = func(any) (bool, bool) { return true, true }
	if t.addMatcher(back) != nil {
		return
	}
	if _, err := t.ping(ctx, n); err != nil {
		return
	}
	// A node that does not know us pings back right after its pong. One
	// that does know us never will, so wait only a fraction of the
	// response timeout for it.
	grace := t.clock.NewTimer(t.cfg.ResponseTimeout / pingBackGraceDivisor)
	defer grace.Stop()
	select {
	case <-back.errc:
	case <-grace.C():
	case <-ctx.Done():
	}
}

// pingBackGraceDivisor sets how long ensureBond waits for a ping-back after
// the pong: ResponseTimeout divided by this (100 ms by default).
const pingBackGraceDivisor = 5

// RequestENR fetches n's current record (EIP-868). The record must belong
// to n and announce an address n may relay; if its sequence number is lower
// than n's, n is returned unchanged.
func (t *UDPv4) RequestENR(ctx context.Context, n *Node) (*Node, error) {
	return t.requestENR(ctx, n)
}

func (t *UDPv4) requestENR(ctx context.Context, n *Node) (*Node, error) {
	if t.isClosed() {
		return nil, ErrClosed
	}
	t.ensureBond(ctx, n)
	pkt, hash, err := t.encode(&v4wire.ENRRequest{Expiration: t.expiration()})
	if err != nil {
		return nil, err
	}
	var resp *v4wire.ENRResponse
	m := &replyMatcher{from: n.ID(), ip: n.IP(), kind: v4wire.ENRResponsePacket}
	m.callback = func(p any) (bool, bool) {
		r := p.(*v4wire.ENRResponse)
		if r.ReplyTok != hash {
			return false, false
		}
		resp = r
		return true, true
	}
	if err := t.addMatcher(m); err != nil {
		return nil, err
	}
	if err := t.write(n.UDPAddr(), n.ID(), "ENRREQUEST", pkt); err != nil {
		return nil, err
	}
	if err := t.wait(ctx, m); err != nil {
		return nil, err
	}
	nn, err := NewNode(&resp.Record)
	if err != nil {
		return nil, err
	}
	if nn.ID() != n.ID() {
		return nil, ErrRecordMismatch
	}
	if nn.IP().IsValid() && checkRelayIP(n.IP(), nn.IP()) != nil {
		return nil, ErrRecordMismatch
	}
	if nn.Seq() < n.Seq() {
		return n, nil
	}
	return nn, nil
}

// Resolve returns the most recent version of n that can be found: a newer
// record from the table, from n itself (RequestENR), or, failing that, from
// a lookup of n's ID. It returns n when nothing newer is found.
func (t *UDPv4) Resolve(ctx context.Context, n *Node) *Node {
	if tn := t.tab.nodeByID(n.ID()); tn != nil && tn.Seq() > n.Seq() {
		n = tn
	}
	if !n.Incomplete() {
		if rn, err := t.requestENR(ctx, n); err == nil {
			return rn
		}
	}
	for _, c := range t.Lookup(ctx, v4wire.Pubkey(n.PubkeyBytes())) {
		if c.ID() != n.ID() {
			continue
		}
		if rn, err := t.requestENR(ctx, c); err == nil {
			return rn
		}
		if n.Incomplete() {
			return c
		}
	}
	return n
}

// --- receiving ---

func (t *UDPv4) readLoop() {
	defer t.wg.Done()
	buf := make([]byte, v4wire.MaxPacketSize+1)
	for {
		nbytes, from, err := t.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			if t.isClosed() {
				return
			}
			if transientReadError(err) {
				continue
			}
			t.log.Debug("discover: read error, stopping", "err", err)
			return
		}
		if nbytes > v4wire.MaxPacketSize {
			t.log.Debug("discover: dropped oversized packet", "addr", from, "size", nbytes)
			t.dropped(metrics.BadPacketTooBig)
			continue
		}
		t.handlePacket(netip.AddrPortFrom(from.Addr().Unmap(), from.Port()), buf[:nbytes])
	}
}

func (t *UDPv4) handlePacket(from netip.AddrPort, data []byte) {
	if !netutil.Allowed(t.cfg.NetRestrict, from.Addr()) {
		return
	}
	p, fromKey, hash, err := v4wire.Decode(data)
	if err != nil {
		t.log.Debug("discover: dropped bad packet", "addr", from, "err", err)
		if t.unhandled != nil {
			t.passToV5(from, data) // discv5 counts what it cannot use either
		} else {
			t.dropped(badPacketReason(err))
		}
		return
	}
	fromID := nodeid.ID(ethcrypto.Keccak256(fromKey[:]))
	if fromID == t.self {
		return
	}
	t.log.Debug("discover: << "+p.Name(), "id", fromID.TerminalString(), "addr", from)
	t.cfg.Metrics.PacketIn(metrics.DiscV4, p.Kind())
	ip := from.Addr()
	switch p := p.(type) {
	case *v4wire.Ping:
		if !t.expired(p.Expiration) {
			t.handlePing(p, from, fromID, fromKey, hash)
		}
	case *v4wire.Pong:
		if !t.expired(p.Expiration) && t.handleReply(fromID, ip, v4wire.PongPacket, p) {
			t.db.setLastPong(fromID, ip, t.clock.Now())
		}
	case *v4wire.Findnode:
		if !t.expired(p.Expiration) && t.bonded(fromID, ip) {
			t.handleFindnode(p, from, fromID)
		}
	case *v4wire.Neighbors:
		if !t.expired(p.Expiration) {
			t.handleReply(fromID, ip, v4wire.NeighborsPacket, p)
		}
	case *v4wire.ENRRequest:
		if !t.expired(p.Expiration) && t.bonded(fromID, ip) {
			t.send(from, fromID, &v4wire.ENRResponse{ReplyTok: hash, Record: *t.localNode.Node().Record()})
		}
	case *v4wire.ENRResponse:
		t.handleReply(fromID, ip, v4wire.ENRResponsePacket, p)
	}
}

// bonded reports whether id answered our ping from ip recently.
func (t *UDPv4) bonded(id nodeid.ID, ip netip.Addr) bool {
	ok := t.clock.Now().Sub(t.db.lastPong(id, ip)) < t.cfg.BondExpiration
	if !ok {
		t.log.Debug("discover: request from unbonded node ignored", "id", id.TerminalString(), "ip", ip)
		t.dropped(metrics.BadPacketNoEndpointProof)
	}
	return ok
}

func (t *UDPv4) handlePing(p *v4wire.Ping, from netip.AddrPort, fromID nodeid.ID, fromKey v4wire.Pubkey, hash [32]byte) {
	t.send(from, fromID, &v4wire.Pong{
		To:         v4wire.Endpoint{IP: from.Addr(), UDP: from.Port(), TCP: p.From.TCP},
		ReplyTok:   hash,
		Expiration: t.expiration(),
		ENRSeq:     t.localNode.Seq(),
	})
	ip := from.Addr()
	now := t.clock.Now()
	t.db.setLastPing(fromID, ip, now)
	t.handleReply(fromID, ip, v4wire.PingPacket, p) // wakes ensureBond waiting for this ping

	pub, err := ethcrypto.UnmarshalPubkey(fromKey[:])
	if err != nil {
		return // Decode recovered it, so this cannot happen
	}
	n := NewV4(pub, ip, p.From.TCP, from.Port())
	if now.Sub(t.db.lastPong(fromID, ip)) < t.cfg.BondExpiration {
		t.tab.addSeen(n)
		return
	}
	// Unknown sender: ping back; it joins the table once it answers.
	t.sendPing(n, func(err error) {
		if err == nil {
			t.tab.addSeen(n)
		}
	})
}

func (t *UDPv4) handleFindnode(p *v4wire.Findnode, from netip.AddrPort, fromID nodeid.ID) {
	target := nodeid.ID(ethcrypto.Keccak256(p.Target[:]))
	closest := t.tab.closest(target, BucketSize)
	reply := v4wire.Neighbors{Expiration: t.expiration()}
	flush := func() {
		t.send(from, fromID, &v4wire.Neighbors{Nodes: reply.Nodes, Expiration: reply.Expiration})
		reply.Nodes = reply.Nodes[:0:0]
	}
	for _, n := range closest {
		if checkRelayIP(from.Addr(), n.IP()) != nil {
			continue // don't hand LAN addresses to the outside
		}
		reply.Nodes = append(reply.Nodes, v4wire.Node{IP: n.IP(), UDP: n.UDP(), TCP: n.TCP(), ID: v4wire.Pubkey(n.PubkeyBytes())})
		if len(reply.Nodes) == v4wire.MaxNeighbors {
			flush()
		}
	}
	if len(reply.Nodes) > 0 {
		flush()
	}
}
