package discover

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover/discovertest"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/nodeid"
)

// udpTest is a transport under test on a pipeNet with a simulated clock.
type udpTest struct {
	t     *testing.T
	pn    *pipeNet
	clk   *clock.Simulated
	udp   *UDPv4
	addr  netip.AddrPort
	known []*Node // nodes put into the table at start
}

const testTransportAddr = "127.0.0.1:30303"

func newUDPTest(t *testing.T) *udpTest { return newUDPTestConfig(t, Config{}) }

// newUDPTestConfig is newUDPTest with extra settings; key, clock and
// revalidation interval are always the test's.
func newUDPTestConfig(t *testing.T, cfg Config) *udpTest {
	t.Helper()
	ut := &udpTest{t: t, pn: newPipeNet(t), clk: new(clock.Simulated), addr: netip.MustParseAddrPort(testTransportAddr)}
	for i := range 3 {
		k, _ := secp256k1.GeneratePrivateKey()
		ut.known = append(ut.known, NewV4(k.PubKey(), netip.AddrFrom4([4]byte{127, 0, 0, byte(50 + i)}), 30303, 30303))
	}
	key, _ := secp256k1.GeneratePrivateKey()
	// No bootnodes, and revalidation far away: the transport sends nothing
	// on its own, so every packet a remote reads answers the test's script.
	cfg.Clock, cfg.RevalidateInterval = ut.clk, time.Hour
	udp, err := Listen(ut.pn.listen(testTransportAddr), key, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ut.udp = udp
	udp.tab.waitInit(t.Context())
	for _, n := range ut.known {
		udp.tab.addFound(n)
	}
	return ut
}

func (ut *udpTest) close() { ut.udp.Close() }

// remote is a hand-driven discv4 peer on the pipeNet.
type remote struct {
	ut   *udpTest
	key  *secp256k1.PrivateKey
	conn *discovertest.Conn
}

func (ut *udpTest) remote(addr string, key *secp256k1.PrivateKey) *remote {
	if key == nil {
		key, _ = secp256k1.GeneratePrivateKey()
	}
	return &remote{ut: ut, key: key, conn: ut.pn.listen(addr)}
}

func (r *remote) id() nodeid.ID { return nodeid.FromPubkey(r.key.PubKey()) }

func (r *remote) node() *Node {
	return NewV4(r.key.PubKey(), r.conn.Addr().Addr(), 0, r.conn.Addr().Port())
}

func (r *remote) exp() uint64 { return uint64(r.ut.clk.Now().Add(20 * time.Second).Unix()) }

func (r *remote) endpoint() v4wire.Endpoint {
	return v4wire.Endpoint{IP: r.conn.Addr().Addr(), UDP: r.conn.Addr().Port()}
}

func (r *remote) send(p v4wire.Packet) [32]byte {
	r.ut.t.Helper()
	pkt, hash, err := v4wire.Encode(r.key, p)
	if err != nil {
		r.ut.t.Fatal(err)
	}
	r.conn.WriteToUDPAddrPort(pkt, r.ut.addr)
	return hash
}

// read returns the next packet sent to the remote, failing after 5 s.
func (r *remote) read() (v4wire.Packet, [32]byte) {
	r.ut.t.Helper()
	r.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, v4wire.MaxPacketSize)
	n, _, err := r.conn.ReadFromUDPAddrPort(buf)
	if err != nil {
		r.ut.t.Fatalf("remote: no packet within 5s: %v", err)
	}
	pkt, _, hash, err := v4wire.Decode(buf[:n])
	if err != nil {
		r.ut.t.Fatalf("remote got bad packet: %v", err)
	}
	return pkt, hash
}

func (r *remote) ping() [32]byte {
	return r.send(&v4wire.Ping{Version: 4, From: r.endpoint(), To: v4wire.Endpoint{IP: r.ut.addr.Addr(), UDP: r.ut.addr.Port()}, Expiration: r.exp()})
}

// expectPong reads the next packet and checks that it is the pong for hash.
func (r *remote) expectPong(hash [32]byte) *v4wire.Pong {
	r.ut.t.Helper()
	p, _ := r.read()
	pong, ok := p.(*v4wire.Pong)
	if !ok {
		r.ut.t.Fatalf("got %s, want PONG", p.Name())
	}
	if pong.ReplyTok != hash {
		r.ut.t.Fatal("pong for the wrong ping")
	}
	return pong
}

// bond pings the transport, answers its ping-back and waits until that
// answer has been processed.
func (r *remote) bond() {
	r.ut.t.Helper()
	r.expectPong(r.ping())
	p, hash := r.read()
	if _, ok := p.(*v4wire.Ping); !ok {
		r.ut.t.Fatalf("got %s, want the ping-back", p.Name())
	}
	r.send(&v4wire.Pong{To: r.endpoint(), ReplyTok: hash, Expiration: r.exp()})
	r.sync()
}

// sync pings the transport and waits for the pong: every packet the remote
// sent before has then been handled, and any reply to them already read.
func (r *remote) sync() {
	r.ut.t.Helper()
	r.expectPong(r.ping())
}

// syncBonded is sync for a bonded remote. It asks for the transport's
// record instead of pinging: the transport handles a ping partly after
// sending its pong, and a late ping could satisfy the next ensureBond.
func (r *remote) syncBonded() {
	r.ut.t.Helper()
	hash := r.send(&v4wire.ENRRequest{Expiration: r.exp()})
	p, _ := r.read()
	resp, ok := p.(*v4wire.ENRResponse)
	if !ok || resp.ReplyTok != hash {
		r.ut.t.Fatalf("got %s, want the ENRRESPONSE", p.Name())
	}
}

// expectNothingBefore sends a ping and checks that its pong is the very
// next packet: nothing was sent in answer to earlier packets.
func (r *remote) expectNothingBefore() {
	r.ut.t.Helper()
	hash := r.ping()
	p, _ := r.read()
	pong, ok := p.(*v4wire.Pong)
	if !ok || pong.ReplyTok != hash {
		r.ut.t.Fatalf("got %s before the pong", p.Name())
	}
}

func TestUDPBonding(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTest(t)
	defer ut.close()
	r := ut.remote("127.0.0.2:30303", nil)
	r.bond()
	require.True(t, ut.udp.tab.nodeByID(r.id()) != nil, "bonded remote is in the table")

	r.send(&v4wire.Findnode{Target: v4wire.Pubkey(r.node().PubkeyBytes()), Expiration: r.exp()})
	p, _ := r.read()
	nb, ok := p.(*v4wire.Neighbors)
	if !ok {
		t.Fatalf("got %s, want NEIGHBORS", p.Name())
	}
	require.Equal(t, len(ut.known)+1, len(nb.Nodes), "all table nodes returned")
	require.Equal(t, v4wire.Pubkey(r.node().PubkeyBytes()), nb.Nodes[0].ID, "closest to the remote's key is the remote")

	// A bonded remote gets our record.
	hash := r.send(&v4wire.ENRRequest{Expiration: r.exp()})
	p, _ = r.read()
	resp, ok := p.(*v4wire.ENRResponse)
	if !ok {
		t.Fatalf("got %s, want ENRRESPONSE", p.Name())
	}
	require.True(t, resp.ReplyTok == hash, "ENR response matches the request")
	n, err := NewNode(&resp.Record)
	require.NoError(t, err)
	require.Equal(t, ut.udp.Self().ID(), n.ID())
}

// TestUDPEndpointProof covers the amplification checks: no reply
// carrying data goes to an address that has not proved it is there.
func TestUDPEndpointProof(t *testing.T) {
	defer goleak.VerifyNone(t)
	t.Run("findnode before bond", func(t *testing.T) {
		ut := newUDPTest(t)
		defer ut.close()
		r := ut.remote("127.0.0.2:30303", nil)
		r.send(&v4wire.Findnode{Expiration: r.exp()})
		r.expectNothingBefore()
	})
	t.Run("enrrequest before bond", func(t *testing.T) {
		ut := newUDPTest(t)
		defer ut.close()
		r := ut.remote("127.0.0.2:30303", nil)
		r.send(&v4wire.ENRRequest{Expiration: r.exp()})
		r.expectNothingBefore()
	})
	t.Run("pong with wrong hash", func(t *testing.T) {
		ut := newUDPTest(t)
		defer ut.close()
		r := ut.remote("127.0.0.2:30303", nil)
		r.expectPong(r.ping())
		p, hash := r.read() // the ping-back
		if _, ok := p.(*v4wire.Ping); !ok {
			t.Fatalf("got %s, want PING", p.Name())
		}
		hash[0] ^= 1
		r.send(&v4wire.Pong{To: r.endpoint(), ReplyTok: hash, Expiration: r.exp()})
		r.sync() // still not bonded: this ping triggers another ping-back
		r.read()
		r.send(&v4wire.Findnode{Expiration: r.exp()})
		r.expectNothingBefore()
		require.True(t, ut.udp.tab.nodeByID(r.id()) == nil, "unbonded remote not in the table")
	})
	t.Run("bond from IP A, findnode from IP B", func(t *testing.T) {
		ut := newUDPTest(t)
		defer ut.close()
		a := ut.remote("127.0.0.2:30303", nil)
		a.bond()
		b := ut.remote("127.0.0.3:30303", a.key)
		b.send(&v4wire.Findnode{Expiration: b.exp()})
		b.send(&v4wire.ENRRequest{Expiration: b.exp()})
		b.expectNothingBefore()
		// The same requests from A are answered.
		a.send(&v4wire.ENRRequest{Expiration: a.exp()})
		if p, _ := a.read(); p.Name() != (&v4wire.ENRResponse{}).Name() {
			t.Fatalf("bonded address got %s", p.Name())
		}
	})
	t.Run("expired packets", func(t *testing.T) {
		ut := newUDPTest(t)
		defer ut.close()
		r := ut.remote("127.0.0.2:30303", nil)
		r.bond()
		past := uint64(ut.clk.Now().Add(-time.Second).Unix())
		r.send(&v4wire.Ping{Version: 4, From: r.endpoint(), To: r.endpoint(), Expiration: past})
		r.send(&v4wire.Findnode{Expiration: past})
		r.send(&v4wire.ENRRequest{Expiration: past})
		r.expectNothingBefore()
	})
}

func TestUDPPing(t *testing.T) {
	defer goleak.VerifyNone(t)
	t.Run("wrong hash ignored, then timeout", func(t *testing.T) {
		ut := newUDPTest(t)
		defer ut.close()
		r := ut.remote("127.0.0.2:30303", nil)
		hash, ping := r.startPing()
		hash[5] ^= 0xff
		r.send(&v4wire.Pong{To: r.endpoint(), ReplyTok: hash, Expiration: r.exp(), ENRSeq: 9})
		r.sync()
		r.read() // ping-back for the sync ping
		select {
		case res := <-ping:
			t.Fatalf("Ping returned %v after a pong with the wrong hash", res.err)
		default:
		}
		ut.clk.Run(time.Second)
		require.ErrorIs(t, (<-ping).err, ErrTimeout)
	})
	t.Run("pong carries enr-seq", func(t *testing.T) {
		ut := newUDPTest(t)
		defer ut.close()
		r := ut.remote("127.0.0.2:30303", nil)
		hash, ping := r.startPing()
		r.send(&v4wire.Pong{To: r.endpoint(), ReplyTok: hash, Expiration: r.exp(), ENRSeq: 9})
		res := <-ping
		require.NoError(t, res.err)
		require.Equal(t, uint64(9), res.seq)
	})
	t.Run("pong from another IP ignored", func(t *testing.T) {
		ut := newUDPTest(t)
		defer ut.close()
		r := ut.remote("127.0.0.2:30303", nil)
		other := ut.remote("127.0.0.3:30303", r.key)
		hash, ping := r.startPing()
		other.send(&v4wire.Pong{To: r.endpoint(), ReplyTok: hash, Expiration: r.exp()})
		other.sync()
		ut.clk.Run(time.Second)
		require.ErrorIs(t, (<-ping).err, ErrTimeout)
	})
	t.Run("closed", func(t *testing.T) {
		ut := newUDPTest(t)
		r := ut.remote("127.0.0.2:30303", nil)
		_, ping := r.startPing()
		ut.close()
		ut.close() // idempotent
		require.True(t, errors.Is((<-ping).err, ErrClosed))
		_, err := ut.udp.Ping(context.Background(), r.node())
		require.ErrorIs(t, err, ErrClosed)
	})
}

// answerBond plays the remote's side of ensureBond: answer the ping and
// ping back.
func (r *remote) answerBond() {
	r.ut.t.Helper()
	p, hash := r.read()
	if _, ok := p.(*v4wire.Ping); !ok {
		r.ut.t.Fatalf("got %s, want PING", p.Name())
	}
	r.send(&v4wire.Pong{To: r.endpoint(), ReplyTok: hash, Expiration: r.exp()})
	back := r.ping()
	r.expectPong(back)
}

// pingResult is what a Ping of the transport's returned.
type pingResult struct {
	seq uint64
	err error
}

// startPing has the transport ping r in a goroutine of its own and reads
// the PING. It returns the PING's hash, the reply token of a Pong, and the
// channel that receives what Ping returns.
func (r *remote) startPing() ([32]byte, <-chan pingResult) {
	r.ut.t.Helper()
	res := make(chan pingResult, 1)
	go func() {
		seq, err := r.ut.udp.Ping(context.Background(), r.node())
		res <- pingResult{seq, err}
	}()
	p, hash := r.read()
	if _, ok := p.(*v4wire.Ping); !ok {
		r.ut.t.Fatalf("got %s, want PING", p.Name())
	}
	return hash, res
}

func TestUDPFindNodeRelayFilter(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTest(t)
	defer ut.close()
	r := ut.remote("127.0.0.2:30303", nil)

	mk := func(ip string, port uint16) v4wire.Node {
		k, _ := secp256k1.GeneratePrivateKey()
		return v4wire.Node{IP: netip.MustParseAddr(ip), UDP: port, TCP: port, ID: v4wire.Pubkey(NewV4(k.PubKey(), netip.Addr{}, 0, 0).PubkeyBytes())}
	}
	good := mk("127.0.0.9", 30303)
	sent := []v4wire.Node{
		good,
		mk("127.0.0.10", 1024),    // privileged port
		mk("0.0.0.0", 30303),      // unspecified
		mk("224.0.0.1", 30303),    // multicast
		{IP: good.IP, UDP: 30305}, // invalid public key
	}
	type result struct {
		nodes []*Node
		err   error
	}
	resc := make(chan result, 1)
	go func() {
		nodes, err := ut.udp.FindNode(context.Background(), r.node(), v4wire.Pubkey{})
		resc <- result{nodes, err}
	}()
	r.answerBond()
	p, _ := r.read()
	if _, ok := p.(*v4wire.Findnode); !ok {
		t.Fatalf("got %s, want FINDNODE", p.Name())
	}
	r.send(&v4wire.Neighbors{Nodes: sent, Expiration: r.exp()})
	res := <-resc // a packet of fewer than 12 nodes ends the reply
	require.NoError(t, res.err)
	require.Equal(t, 1, len(res.nodes), "only the valid node kept")
	require.Equal(t, good.IP, res.nodes[0].IP())
}

func TestUDPRequestENR(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTest(t)
	defer ut.close()
	r := ut.remote("127.0.0.2:30303", nil)
	r.bond() // so that ensureBond does not ping

	ln := NewLocalNode(r.key, nil)
	ln.SetIP(r.conn.Addr().Addr())
	ln.SetUDP(r.conn.Addr().Port())
	rec := ln.Node().Record()
	stranger, _ := secp256k1.GeneratePrivateKey()
	sln := NewLocalNode(stranger, nil)
	strangerRec := sln.Node().Record()

	tests := []struct {
		name    string
		reply   func(hash [32]byte) v4wire.Packet
		wantErr error
	}{
		{"good", func(h [32]byte) v4wire.Packet { return &v4wire.ENRResponse{ReplyTok: h, Record: *rec} }, nil},
		{"other node's record", func(h [32]byte) v4wire.Packet { return &v4wire.ENRResponse{ReplyTok: h, Record: *strangerRec} }, ErrRecordMismatch},
		{"wrong hash", func(h [32]byte) v4wire.Packet {
			h[0] ^= 1
			return &v4wire.ENRResponse{ReplyTok: h, Record: *rec}
		}, ErrTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type result struct {
				n   *Node
				err error
			}
			resc := make(chan result, 1)
			go func() {
				n, err := ut.udp.RequestENR(context.Background(), r.node())
				resc <- result{n, err}
			}()
			p, hash := r.read()
			if _, ok := p.(*v4wire.ENRRequest); !ok {
				t.Fatalf("got %s, want ENRREQUEST", p.Name())
			}
			r.send(tt.reply(hash))
			r.sync()
			ut.clk.Run(time.Second)
			res := <-resc
			if tt.wantErr != nil {
				require.ErrorIs(t, res.err, tt.wantErr)
				return
			}
			require.NoError(t, res.err)
			require.Equal(t, rec.Seq(), res.n.Seq())
			require.Equal(t, r.id(), res.n.ID())
		})
	}
}

func TestUDPFindNodeReplies(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTest(t)
	defer ut.close()
	r := ut.remote("127.0.0.2:30303", nil)

	mkNodes := func(n int) []v4wire.Node {
		out := make([]v4wire.Node, n)
		for i := range out {
			k, _ := secp256k1.GeneratePrivateKey()
			out[i] = v4wire.Node{IP: netip.AddrFrom4([4]byte{127, 0, 1, byte(i + 1)}), UDP: 30303, TCP: 30303, ID: v4wire.PubkeyOf(k.PubKey())}
		}
		return out
	}
	tests := []struct {
		name     string
		packets  []int // nodes per Neighbors packet
		runClock bool  // the reply only ends at the timeout
		want     int
	}{
		{"one short packet", []int{5}, false, 5},
		{"full then short", []int{12, 4}, false, 16},
		{"bucket size reached", []int{12, 12}, false, 16 + 8},
		{"full packet then silence", []int{12}, true, 12},
	}
	first := true
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			type result struct {
				nodes []*Node
				err   error
			}
			resc := make(chan result, 1)
			go func() {
				nodes, err := ut.udp.FindNode(context.Background(), r.node(), v4wire.Pubkey{})
				resc <- result{nodes, err}
			}()
			if first {
				r.answerBond()
				first = false
			}
			p, _ := r.read()
			if _, ok := p.(*v4wire.Findnode); !ok {
				t.Fatalf("got %s, want FINDNODE", p.Name())
			}
			for _, n := range tt.packets {
				r.send(&v4wire.Neighbors{Nodes: mkNodes(n), Expiration: r.exp()})
			}
			if tt.runClock {
				r.sync()
				ut.clk.Run(time.Second)
			}
			res := <-resc
			require.NoError(t, res.err)
			require.Equal(t, tt.want, len(res.nodes))
		})
	}
}

func TestUDPNeighborsSplit(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTest(t)
	defer ut.close()
	for i := range 20 {
		k, _ := secp256k1.GeneratePrivateKey()
		ut.udp.tab.addFound(NewV4(k.PubKey(), netip.AddrFrom4([4]byte{127, 0, 2, byte(i + 1)}), 30303, 30303))
	}
	r := ut.remote("127.0.0.2:30303", nil)
	r.bond()
	r.send(&v4wire.Findnode{Expiration: r.exp()})
	var sizes []int
	for total := 0; total < BucketSize; {
		p, _ := r.read()
		nb, ok := p.(*v4wire.Neighbors)
		if !ok {
			t.Fatalf("got %s, want NEIGHBORS", p.Name())
		}
		sizes = append(sizes, len(nb.Nodes))
		total += len(nb.Nodes)
	}
	require.Equal(t, []int{v4wire.MaxNeighbors, BucketSize - v4wire.MaxNeighbors}, sizes, "16 closest nodes in packets of at most 12")
	r.expectNothingBefore()
}

func TestUDPOversizedPacket(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTest(t)
	defer ut.close()
	r := ut.remote("127.0.0.2:30303", nil)
	pkt, _, err := v4wire.Encode(r.key, &v4wire.Ping{Version: 4, From: r.endpoint(), To: r.endpoint(), Expiration: r.exp()})
	require.NoError(t, err)
	// Trailing bytes are allowed by EIP-8, so only the size makes it bad.
	big := append(pkt, make([]byte, v4wire.MaxPacketSize+1-len(pkt))...)
	r.conn.WriteToUDPAddrPort(big, ut.addr)
	r.expectNothingBefore()
}

func TestUDPResolve(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTest(t)
	defer ut.close()
	r := ut.remote("127.0.0.2:30303", nil)
	r.bond()
	ln := NewLocalNode(r.key, nil)
	ln.SetIP(r.conn.Addr().Addr())
	ln.SetUDP(r.conn.Addr().Port())
	ln.SetTCP(30304)

	resc := make(chan *Node, 1)
	go func() { resc <- ut.udp.Resolve(context.Background(), r.node()) }()
	p, hash := r.read()
	if _, ok := p.(*v4wire.ENRRequest); !ok {
		t.Fatalf("got %s, want ENRREQUEST", p.Name())
	}
	r.send(&v4wire.ENRResponse{ReplyTok: hash, Record: *ln.Node().Record()})
	n := <-resc
	require.Equal(t, ln.Seq(), n.Seq(), "resolved to the remote's record")
	require.Equal(t, uint16(30304), n.TCP())
}

// TestUDPFindnodeFailures: a table node that fails findnode five times in
// a row is dropped.
func TestUDPFindnodeFailures(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTest(t)
	defer ut.close()
	r := ut.remote("127.0.0.2:30303", nil)
	r.bond()
	require.True(t, ut.udp.tab.nodeByID(r.id()) != nil)
	for i := range maxFindnodeFailures {
		done := make(chan struct{})
		go func() {
			defer close(done)
			ut.udp.queryNode(context.Background(), r.node(), v4wire.Pubkey{})
		}()
		if i > 0 { // after a failure, ensureBond pings again
			r.answerBond()
		}
		p, _ := r.read()
		if _, ok := p.(*v4wire.Findnode); !ok {
			t.Fatalf("round %d: got %s, want FINDNODE", i, p.Name())
		}
		r.syncBonded()
		ut.clk.Run(time.Second)
		<-done
	}
	require.True(t, ut.udp.tab.nodeByID(r.id()) == nil, "node dropped after %d failures", maxFindnodeFailures)
}

func TestUDPNetRestrict(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTestConfig(t, Config{NetRestrict: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/30")}})
	defer ut.close()
	inside := ut.remote("127.0.0.2:30303", nil)
	outside := ut.remote("127.0.0.9:30303", nil)
	outside.ping()
	inside.bond()
	outside.conn.SetReadDeadline(time.Unix(1, 0)) // only what is queued
	if n, _, err := outside.conn.ReadFromUDPAddrPort(make([]byte, v4wire.MaxPacketSize)); err == nil {
		t.Fatalf("sender outside NetRestrict got a packet of %d bytes", n)
	}

	// Relayed nodes outside the list are dropped too.
	resc := make(chan []*Node, 1)
	go func() {
		nodes, _ := ut.udp.FindNode(context.Background(), inside.node(), v4wire.Pubkey{})
		resc <- nodes
	}()
	p, _ := inside.read()
	if _, ok := p.(*v4wire.Findnode); !ok {
		t.Fatalf("got %s, want FINDNODE", p.Name())
	}
	k1, _ := secp256k1.GeneratePrivateKey()
	k2, _ := secp256k1.GeneratePrivateKey()
	inside.send(&v4wire.Neighbors{Expiration: inside.exp(), Nodes: []v4wire.Node{
		{IP: netip.MustParseAddr("127.0.0.3"), UDP: 30303, ID: v4wire.PubkeyOf(k1.PubKey())},
		{IP: netip.MustParseAddr("127.0.0.7"), UDP: 30303, ID: v4wire.PubkeyOf(k2.PubKey())},
	}})
	nodes := <-resc
	require.Equal(t, 1, len(nodes))
	require.Equal(t, netip.MustParseAddr("127.0.0.3"), nodes[0].IP())
}

// TestUDPPingFlood: pings from many unknown senders each cost one
// pending ping-back, bounded by MaxPendingReplies, and no goroutine.
func TestUDPPingFlood(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTestConfig(t, Config{MaxPendingReplies: 8})
	defer ut.close()
	before := runtime.NumGoroutine()
	for i := range 40 {
		ut.remote(fmt.Sprintf("127.0.1.%d:30303", i+1), nil).ping()
	}
	ut.remote("127.0.2.1:30303", nil).sync() // all 41 pings handled
	require.True(t, runtime.NumGoroutine() <= before+1, "goroutines grew from %d to %d", before, runtime.NumGoroutine())

	// The pending list is full of ping-backs: our own request is refused
	// at once instead of queueing without bound.
	target := ut.remote("127.0.0.2:30303", nil)
	_, err := ut.udp.Ping(context.Background(), target.node())
	require.ErrorIs(t, err, ErrTooManyPending)

	// Once they time out there is room again.
	ut.clk.Run(time.Second)
	hash, ping := target.startPing()
	target.send(&v4wire.Pong{To: target.endpoint(), ReplyTok: hash, Expiration: target.exp()})
	require.NoError(t, (<-ping).err)
}
