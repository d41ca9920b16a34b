package discover

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Two of our nodes over loopback UDP: handshake, ping, findnode at several
// distances, talkreq.
func TestV5Loopback(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a := startV5(t, loopbackConn(t), nil, Config{})
	bKey := newV5Key(t)
	b := startV5(t, loopbackConn(t), bKey, Config{})
	defer a.Close()
	defer b.Close()

	t.Run("ping", func(t *testing.T) {
		seq, err := a.Ping(ctx, b.Self())
		require.NoError(t, err)
		require.Equal(t, b.Self().Seq(), seq)
		// The handshake carried a's record: b now holds a as live.
		require.Eventually(t, func() bool { return b.tab.nodeByID(a.self) != nil }, 5*time.Second, time.Millisecond)
	})

	// Give b table nodes at two known distances.
	far := []int{256, 255}
	var want []*Node
	for i, d := range far {
		k := keyAtDistance(t, b.self, d)
		n := signedNode(t, k, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(40000+i)))
		b.tab.addSeen(n)
		want = append(want, n)
	}
	t.Run("findnode", func(t *testing.T) {
		for _, tc := range []struct {
			name  string
			dists []uint
			want  []nodeid.ID
		}{
			{"self", []uint{0}, []nodeid.ID{b.self}},
			{"256", []uint{256}, []nodeid.ID{want[0].ID()}},
			{"255-and-self", []uint{255, 0}, []nodeid.ID{want[1].ID(), b.self}},
			{"empty-distance", []uint{200}, nil},
			{"duplicates-and-257", []uint{256, 256, 257}, []nodeid.ID{want[0].ID()}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				nodes, err := a.FindNode(ctx, b.Self(), tc.dists)
				require.NoError(t, err)
				var got []nodeid.ID
				for _, n := range nodes {
					if n.ID() != a.self { // b knows a at distance 25x too
						got = append(got, n.ID())
					}
				}
				require.ElementsMatch(t, tc.want, got)
			})
		}
	})
	t.Run("unverified-not-relayed", func(t *testing.T) {
		// A node only heard of (addFound) is not passed on until it is
		// seen live.
		k := keyAtDistance(t, b.self, 256)
		n := signedNode(t, k, netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), 40100))
		b.tab.addFound(n)
		has := func() bool {
			nodes, err := a.FindNode(ctx, b.Self(), []uint{256})
			require.NoError(t, err)
			for _, x := range nodes {
				if x.ID() == n.ID() {
					return true
				}
			}
			return false
		}
		// b's table holds a and the two nodes added above, far below a
		// bucket's capacity, so n went into its bucket, not the replacements.
		require.NotNil(t, b.tab.nodeByID(n.ID()), "n should be in b's table")
		require.False(t, has())
		b.tab.addSeen(n)
		require.True(t, has())
	})
	t.Run("requestENR", func(t *testing.T) {
		n, err := a.RequestENR(ctx, b.Self())
		require.NoError(t, err)
		require.Equal(t, b.Self().Seq(), n.Seq())
	})
	t.Run("talk", func(t *testing.T) {
		b.RegisterTalkHandler("echo", func(id nodeid.ID, addr netip.AddrPort, msg []byte) []byte {
			require.Equal(t, a.self, id)
			return append([]byte("echo:"), msg...)
		})
		resp, err := a.TalkRequest(ctx, b.Self(), "echo", []byte("hi"))
		require.NoError(t, err)
		require.Equal(t, "echo:hi", string(resp))
		resp, err = a.TalkRequest(ctx, b.Self(), "unknown", []byte("hi"))
		require.NoError(t, err)
		require.Empty(t, resp)
	})

	// b restarts with the same key and address: its sessions are gone.
	// a's next request fails to decrypt there, b answers WHOAREYOU, and a
	// handshakes again within the same call.
	t.Run("session-loss", func(t *testing.T) {
		addr := b.Self().UDPAddr()
		b.Close()
		conn, err := netListenUDP(addr)
		require.NoError(t, err)
		b2 := startV5(t, conn, bKey, Config{})
		defer b2.Close()
		seq, err := a.Ping(ctx, b2.Self())
		require.NoError(t, err)
		require.Equal(t, b2.Self().Seq(), seq)
		_, err = b2.Ping(ctx, a.Self())
		require.NoError(t, err)
	})
}

// Limits against bad input, each a named subtest that expects no reply or
// an error.
func TestV5Limits(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	t.Run("packet-sizes", func(t *testing.T) {
		pn := newPipeNet(t)
		reg := metrics.NewRegistry()
		m, err := metrics.NewDiscovery(reg)
		require.NoError(t, err)
		u := pipeV5(t, pn, "1.2.3.1:30303", Config{Metrics: m})
		p := newV5Peer(t, pn, "5.6.7.1:30303")
		require.IsType(t, &v5wire.Pong{}, p.handshakeWith(u, &v5wire.Ping{ReqID: []byte{1}}))
		to := u.Self().UDPAddr()
		// A message packet of 63–86 bytes gets no WHOAREYOU (prysm#7110).
		pkt, _, err := newV5Peer(t, pn, "5.6.7.2:30303").codec.EncodeMessage(u.self, to, &v5wire.Ping{})
		require.NoError(t, err)
		p.write(to, pkt[:86])
		p.write(to, make([]byte, v5wire.MaxPacketSize+1))
		p.write(to, make([]byte, 62))
		p.probe(u, "undersized and oversized packets")
		for reason, want := range map[string]float64{"too_small": 2, "too_big": 1} {
			v, _ := reg.Snapshot().Value(metrics.NameDiscoverBadPackets, "v5", reason)
			require.Equal(t, want, v, reason)
		}
	})

	t.Run("no-whoareyou-for-whoareyou", func(t *testing.T) {
		pn := newPipeNet(t)
		u := pipeV5(t, pn, "1.2.3.1:30303", Config{})
		p := newV5Peer(t, pn, "5.6.7.1:30303")
		require.IsType(t, &v5wire.Pong{}, p.handshakeWith(u, &v5wire.Ping{ReqID: []byte{1}}))
		to := u.Self().UDPAddr()
		w := &v5wire.Whoareyou{Nonce: v5wire.Nonce{1}}
		pkt, err := v5wire.EncodeWhoareyou(u.self, [16]byte{}, w)
		require.NoError(t, err)
		p.write(to, pkt)
		p.probe(u, "WHOAREYOU sent to us")
	})

	t.Run("whoareyou-resend-identical", func(t *testing.T) {
		pn := newPipeNet(t)
		u := pipeV5(t, pn, "1.2.3.1:30303", Config{})
		p := newV5Peer(t, pn, "5.6.7.1:30303")
		to := u.Self().UDPAddr()
		var got [][]byte
		for range 2 {
			pkt, _, err := p.codec.EncodeMessage(u.self, to, &v5wire.Ping{})
			require.NoError(t, err)
			p.write(to, pkt)
			w, _ := p.read(5 * time.Second)
			require.NotNil(t, w)
			got = append(got, w)
		}
		require.Equal(t, got[0], got[1])
	})

	// The handshake limit counts a source per IPv4 address and per IPv6
	// /64: three askers from one source share a limit of two, so the third
	// gets no WHOAREYOU, while a node from another source still completes
	// its handshake.
	for _, tc := range []struct {
		name   string
		askers []string
		other  string
	}{
		{"handshakes-per-ip", []string{"5.6.7.7:30000", "5.6.7.7:30001", "5.6.7.7:30002"}, "5.6.7.8:30303"},
		{"handshakes-per-ipv6-subnet", []string{"[2001:db8:1:2::1]:30303", "[2001:db8:1:2::2]:30303", "[2001:db8:1:2::3]:30303"}, "[2001:db8:1:3::1]:30303"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pn := newPipeNet(t)
			u := pipeV5(t, pn, "1.2.3.1:30303", Config{V5: V5Config{HandshakesPerIP: 2}})
			to := u.Self().UDPAddr()
			var peers []*v5peer
			for _, addr := range tc.askers {
				p := newV5Peer(t, pn, addr)
				pkt, _, err := p.codec.EncodeMessage(u.self, to, &v5wire.Ping{})
				require.NoError(t, err)
				p.write(to, pkt)
				peers = append(peers, p)
			}
			for _, p := range peers[:2] {
				w, _ := p.read(5 * time.Second)
				require.Len(t, w, v5wire.MinPacketSize)
			}
			other := newV5Peer(t, pn, tc.other)
			require.IsType(t, &v5wire.Pong{}, other.handshakeWith(u, &v5wire.Ping{ReqID: []byte{1}}))
			// Dispatch answers packets in arrival order, so a WHOAREYOU to
			// the third asker would already be queued: the read does not
			// wait.
			if data, _, ok := readPacket(peers[2].conn, 0); ok {
				t.Fatalf("rate-limited peer got a %d-byte packet", len(data))
			}
		})
	}

	t.Run("unsolicited-nodes", func(t *testing.T) {
		pn := newPipeNet(t)
		reg := metrics.NewRegistry()
		m, err := metrics.NewDiscovery(reg)
		require.NoError(t, err)
		u := pipeV5(t, pn, "1.2.3.1:30303", Config{Metrics: m})
		p := newV5Peer(t, pn, "5.6.7.1:30303")
		require.IsType(t, &v5wire.Pong{}, p.handshakeWith(u, &v5wire.Ping{ReqID: []byte{1}}))
		// A NODES nobody asked for, full of valid records, is dropped as
		// unsolicited by the codec, before any signature is checked.
		var recs []*enr.Record
		for i := range 3 {
			addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{5, 6, 7, byte(10 + i)}), 30303)
			recs = append(recs, signedNode(t, newV5Key(t), addr).Record())
		}
		to := u.Self().UDPAddr()
		pkt, _, err := p.codec.EncodeMessage(u.self, to, &v5wire.Nodes{ReqID: []byte{2}, Total: 1, Nodes: recs})
		require.NoError(t, err)
		p.write(to, pkt)
		p.probe(u, "unsolicited NODES")
		v, _ := reg.Snapshot().Value(metrics.NameDiscoverBadPackets, "v5", "unsolicited")
		require.Equal(t, float64(1), v)
	})

	t.Run("findnode-from-other-address", func(t *testing.T) {
		pn := newPipeNet(t)
		u := pipeV5(t, pn, "1.2.3.1:30303", Config{})
		p := newV5Peer(t, pn, "5.6.7.1:30303")
		require.IsType(t, &v5wire.Pong{}, p.handshakeWith(u, &v5wire.Ping{ReqID: []byte{1}}))
		to := u.Self().UDPAddr()
		// The same session keys, replayed from another address, do not
		// decrypt there: a WHOAREYOU, never NODES (Consensys/discovery#28).
		pkt, _, err := p.codec.EncodeMessage(u.self, to, &v5wire.Findnode{ReqID: []byte{2}, Distances: []uint{0}})
		require.NoError(t, err)
		other := pn.listen("5.6.7.99:30303")
		defer other.Close()
		_, err = other.WriteToUDPAddrPort(pkt, to)
		require.NoError(t, err)
		data, _, ok := readPacket(other, 5*time.Second)
		require.True(t, ok, "no WHOAREYOU")
		require.Len(t, data, v5wire.MinPacketSize, "want a WHOAREYOU")
		p.probe(u, "FINDNODE from another address")
	})

	// A 9-byte request ID fails to decode in v5wire (ErrInvalidReqID,
	// tested there) and such a packet is dropped; the longest valid one
	// comes back exactly.
	t.Run("req-id-8-bytes-echoed", func(t *testing.T) {
		pn := newPipeNet(t)
		u := pipeV5(t, pn, "1.2.3.1:30303", Config{})
		p := newV5Peer(t, pn, "5.6.7.1:30303")
		require.IsType(t, &v5wire.Pong{}, p.handshakeWith(u, &v5wire.Ping{ReqID: []byte{1}}))
		to := u.Self().UDPAddr()
		pkt, _, err := p.codec.EncodeMessage(u.self, to, &v5wire.TalkRequest{ReqID: []byte{1, 2, 3, 4, 5, 6, 7, 8}, Protocol: "x"})
		require.NoError(t, err)
		p.write(to, pkt)
		_, resp, _ := p.decode()
		require.IsType(t, &v5wire.TalkResponse{}, resp)
		require.Equal(t, []byte{1, 2, 3, 4, 5, 6, 7, 8}, resp.(v5wire.Message).RequestID(), "8 bytes echoed exactly")
	})

	t.Run("pending-requests", func(t *testing.T) {
		pn := newPipeNet(t)
		u := pipeV5(t, pn, "1.2.3.1:30303", Config{MaxPendingReplies: 2})
		errc := make(chan error, 2)
		for i := range 2 {
			silent := newV5Peer(t, pn, netip.AddrPortFrom(netip.MustParseAddr("5.6.7.1"), uint16(30000+i)).String())
			go func() { _, err := u.Ping(ctx, silent.node); errc <- err }()
			pkt, _ := silent.read(5 * time.Second) // the call is active
			require.NotNil(t, pkt)
		}
		third := newV5Peer(t, pn, "5.6.7.9:30303")
		_, err := u.Ping(ctx, third.node)
		require.ErrorIs(t, err, ErrTooManyPending)
		require.ErrorIs(t, <-errc, ErrTimeout)
		require.ErrorIs(t, <-errc, ErrTimeout)
	})

	t.Run("sessions", func(t *testing.T) {
		pn := newPipeNet(t)
		u := pipeV5(t, pn, "1.2.3.1:30303", Config{V5: V5Config{MaxSessions: 2}})
		for i := range 3 {
			p := newV5Peer(t, pn, netip.AddrPortFrom(netip.MustParseAddr("5.6.7.1"), uint16(30000+i)).String())
			require.IsType(t, &v5wire.Pong{}, p.handshakeWith(u, &v5wire.Ping{ReqID: []byte{1}}))
		}
		u.Close()
		require.Equal(t, 2, u.codec.SessionCount()) // dispatch has exited
	})

	// A host's third session pushes out its own first one, not another
	// host's: the first peer's next packet under its old keys gets a
	// WHOAREYOU, while the other host's session still answers.
	t.Run("sessions-per-ip", func(t *testing.T) {
		pn := newPipeNet(t)
		u := pipeV5(t, pn, "1.2.3.1:30303", Config{V5: V5Config{MaxSessionsPerIP: 2}})
		other := newV5Peer(t, pn, "5.6.7.2:30303")
		require.IsType(t, &v5wire.Pong{}, other.handshakeWith(u, &v5wire.Ping{ReqID: []byte{1}}))
		var peers []*v5peer
		for i := range 3 {
			p := newV5Peer(t, pn, netip.AddrPortFrom(netip.MustParseAddr("5.6.7.1"), uint16(30000+i)).String())
			require.IsType(t, &v5wire.Pong{}, p.handshakeWith(u, &v5wire.Ping{ReqID: []byte{1}}))
			peers = append(peers, p)
		}
		to := u.Self().UDPAddr()
		pkt, _, err := peers[0].codec.EncodeMessage(u.self, to, &v5wire.Ping{ReqID: []byte{2}})
		require.NoError(t, err)
		peers[0].write(to, pkt)
		data, _ := peers[0].read(5 * time.Second)
		require.Len(t, data, v5wire.MinPacketSize, "want a WHOAREYOU for the evicted session")
		other.probe(u, "the other host's session")
		peers[2].probe(u, "the newest session")
		u.Close()
		require.Equal(t, 3, u.codec.SessionCount()) // dispatch has exited
	})

	t.Run("invalid-config", func(t *testing.T) {
		_, err := ListenV5(newPipeNet(t).listen("127.0.0.1:1"), newV5Key(t), Config{V5: V5Config{MaxSessionsPerIP: -1}})
		require.ErrorIs(t, err, ErrInvalidConfig)
		_, err = ListenV5(newPipeNet(t).listen("127.0.0.1:1"), newV5Key(t), Config{V5: V5Config{MaxSessions: -1}})
		require.ErrorIs(t, err, ErrInvalidConfig)
	})
}

// NODES responses: packet and record caps, distance and relay checks.
func TestV5NodesChecks(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pn := newPipeNet(t)
	reg := metrics.NewRegistry()
	m, err := metrics.NewDiscovery(reg)
	require.NoError(t, err)
	u := pipeV5(t, pn, "1.2.3.1:30303", Config{Metrics: m, V5: V5Config{ResponseTimeout: 5 * time.Second}})
	p := newV5Peer(t, pn, "5.6.7.1:30303")

	recAt := func(d int, ip string, port uint16) *enr.Record {
		return signedNode(t, keyAtDistance(t, p.id, d), netip.AddrPortFrom(netip.MustParseAddr(ip), port)).Record()
	}
	type result struct {
		nodes []*Node
		err   error
	}
	ask := func(dists []uint) chan result {
		ch := make(chan result, 1)
		go func() { n, err := u.FindNode(ctx, p.node, dists); ch <- result{n, err} }()
		return ch
	}

	t.Run("distance-relay-port", func(t *testing.T) {
		res := ask([]uint{256})
		m, from := p.answerHandshake()
		req := m.(*v5wire.Findnode)
		good := recAt(256, "5.6.7.20", 30303)
		resp := &v5wire.Nodes{ReqID: req.ReqID, Total: 1, Nodes: []*enr.Record{
			good,
			recAt(255, "5.6.7.21", 30303),  // wrong distance
			recAt(256, "127.0.0.1", 30303), // loopback from a public node
			recAt(256, "5.6.7.22", 53),     // privileged port
			good,                           // duplicate
		}}
		pkt, _, err := p.codec.EncodeMessage(u.self, from, resp)
		require.NoError(t, err)
		p.write(from, pkt)
		r := <-res
		require.NoError(t, r.err)
		require.Len(t, r.nodes, 1)
		require.Equal(t, nodeid.ID(good.NodeID()), r.nodes[0].ID())
	})

	t.Run("packet-and-record-caps", func(t *testing.T) {
		res := ask([]uint{256, 255})
		_, pk, from := p.decode()
		req := pk.(*v5wire.Findnode)
		// 7 packets announced, 3 records each: only 5 packets are read,
		// and at most 16 records kept. The 6th and 7th are refused as
		// unsolicited before their signatures are checked, whether they
		// arrive before or after FindNode returns.
		var pkts [][]byte
		for i := range 7 {
			resp := &v5wire.Nodes{ReqID: req.ReqID, Total: 7}
			for j := range 3 {
				resp.Nodes = append(resp.Nodes, recAt(256-(j%2), "5.6.7.30", uint16(31000+i*3+j)))
			}
			pkt, _, err := p.codec.EncodeMessage(u.self, from, resp)
			require.NoError(t, err)
			pkts = append(pkts, pkt)
		}
		for _, pkt := range pkts { // all queued before the 5th is handled
			p.write(from, pkt)
		}
		r := <-res
		require.NoError(t, r.err)
		require.Len(t, r.nodes, 15) // 5 packets × 3
		p.probe(u, "NODES beyond the packet cap")
		v, _ := reg.Snapshot().Value(metrics.NameDiscoverBadPackets, "v5", "unsolicited")
		require.Equal(t, float64(2), v)
	})
}

func netListenUDP(addr netip.AddrPort) (UDPConn, error) {
	return netListenUDPAddr(addr)
}

// A PONG announcing a higher record sequence number makes the table fetch
// the new record (FINDNODE at distance 0) during revalidation.
func TestV5ENRRefresh(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	a := startV5(t, loopbackConn(t), nil, Config{RevalidateInterval: 20 * time.Millisecond})
	b := startV5(t, loopbackConn(t), nil, Config{})
	a.tab.addSeen(b.Self())
	old := b.Self().Seq()
	require.NoError(t, b.LocalNode().Set("foo", []byte{0x80}))
	require.Greater(t, b.Self().Seq(), old)
	require.Eventually(t, func() bool {
		n := a.tab.nodeByID(b.self)
		return n != nil && n.Seq() == b.Self().Seq()
	}, 10*time.Second, 5*time.Millisecond)
}
