package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/peer"
)

func TestLifecycle(t *testing.T) {
	cfg := testConfig(t)
	cfg.ListenAddr = "0.0.0.0:0"
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if self := srv.Self(); self.ID() != nodeid.FromPubkey(cfg.PrivateKey.PubKey()) || self.TCP() != 0 || !self.IP().IsLoopback() {
		t.Fatalf("Self before Start = %v, want our key on loopback, port 0", self)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); !errors.Is(err, ErrAlreadyStarted) {
		t.Fatalf("second Start: %v, want ErrAlreadyStarted", err)
	}
	if self := srv.Self(); self.TCP() == 0 || !self.IP().IsLoopback() {
		t.Fatalf("Self after Start = %v, want a loopback IP and the port listened on", self)
	}
	if info := srv.NodeInfo(); info.Enode != srv.Self().URLv4() || info.ListenAddr == "" || info.ID != srv.Self().ID() {
		t.Fatalf("NodeInfo = %+v", info)
	}
	// nil nodes are ignored.
	srv.AddPeer(nil)
	srv.RemovePeer(nodeid.ID{})
	srv.AddTrustedPeer(nil)
	srv.RemoveTrustedPeer(nodeid.ID{})

	srv.Close()
	srv.Close()
	if err := srv.Start(); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Start after Close: %v, want ErrServerClosed", err)
	}

	// Close before Start is fine too.
	srv2, err := New(testConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	srv2.Close()
	if err := srv2.Start(); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Start after Close: %v, want ErrServerClosed", err)
	}
}

func TestStartListenError(t *testing.T) {
	a := startServer(t, testConfig(t))
	cfg := testConfig(t)
	cfg.ListenAddr = a.Self().TCPAddr().String() // taken
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err == nil {
		t.Fatal("Start on a port in use succeeded")
	}
	if err := srv.Start(); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Start after failed Start: %v, want ErrServerClosed", err)
	}
}

// Host names in ListenAddr and DiscoveryAddr are resolved when Start opens
// the sockets (localhost comes from the hosts file, no DNS server).
func TestStartResolvesHostNames(t *testing.T) {
	cfg := testConfig(t)
	cfg.ListenAddr = "localhost:0"
	cfg.NoDiscovery = false
	cfg.DiscoveryAddr = "localhost:0"
	srv := startServer(t, cfg)
	if tcp := srv.listener.Addr().(*net.TCPAddr).AddrPort(); !tcp.Addr().Unmap().IsLoopback() {
		t.Errorf("listening on %v, want a loopback address", tcp)
	}
	if self := srv.Self(); !self.IP().IsLoopback() || self.UDP() == 0 || self.TCP() == 0 {
		t.Errorf("advertised %v, want a loopback address with TCP and UDP ports", self)
	}
}

// TestStaticConnect: two servers with a shared protocol connect through a
// static node and exchange messages; both see the peer in events and Peers.
func TestStaticConnect(t *testing.T) {
	pa, pb := newTestProto(), newTestProto()
	a, evA := startWithEvents(t, testConfig(t, pa.protocol()))
	cfgB := testConfig(t, pb.protocol())
	cfgB.StaticNodes = []*discover.Node{a.Self()}
	b, evB := startWithEvents(t, cfgB)

	added := waitEvent(t, evA, PeerAdded)
	if added.ID != b.Self().ID() || !added.Inbound {
		t.Fatalf("A's event: %+v, want inbound peer %v", added, b.Self().ID())
	}
	if ev := waitEvent(t, evB, PeerAdded); ev.ID != a.Self().ID() || ev.Inbound {
		t.Fatalf("B's event: %+v, want outbound peer %v", ev, a.Self().ID())
	}
	run := recv(t, pb.Runs())
	if run.Peer.ID() != nodeid.ID(a.Self().ID()) {
		t.Fatalf("B's protocol runs with %x, want A", run.Peer.ID())
	}

	// B → A → B round trip through test/1.
	msg := []byte("ping through the server")
	if err := run.RW.WriteMsg(peer.NewMsg(0, msg)); err != nil {
		t.Fatal(err)
	}
	if got := recv(t, run.Replies); !bytes.Equal(got, msg) {
		t.Fatalf("reply %q, want %q", got, msg)
	}

	infosA, infosB := a.Peers(), b.Peers()
	if len(infosA) != 1 || len(infosB) != 1 || a.PeerCount() != 1 || b.PeerCount() != 1 {
		t.Fatalf("Peers: A %d, B %d", len(infosA), len(infosB))
	}
	ia, ib := infosA[0], infosB[0]
	checks := []struct {
		name string
		ok   bool
	}{
		{"A sees B's ID", ia.ID == b.Self().ID()},
		{"A: inbound", ia.Inbound && !ia.Static && !ia.Trusted},
		{"B: outbound static", !ib.Inbound && ib.Static},
		{"name", ia.Name == DefaultName},
		{"caps", len(ia.Caps) == 1 && ia.Caps[0] == peer.Cap{Name: "test", Version: 1}},
		{"addresses", ia.RemoteAddr.String() == ib.LocalAddr.String() && ia.LocalAddr.String() == ib.RemoteAddr.String()},
		{"protocol stats on B", len(ib.Protocols) == 1 && ib.Protocols[0].MsgsOut >= 1 && ib.Protocols[0].MsgsIn >= 1 && ib.Protocols[0].BytesOut > 0},
		// A's outgoing count may still lag: it is bumped after A's write returns.
		{"protocol stats on A", len(ia.Protocols) == 1 && ia.Protocols[0].MsgsIn >= 1 && ia.Protocols[0].BytesIn > 0},
		{"connected for", ia.ConnectedFor >= 0},
		{"B knows A's enode, and record if any", ib.ENR == recordText(a.Self()) && ib.Enode == a.Self().URLv4()},
		{"A has B's key, no record", ia.Pubkey != nil && nodeid.FromPubkey(ia.Pubkey) == b.Self().ID() && ia.ENR == ""},
	}
	for _, c := range checks {
		if !c.ok {
			t.Errorf("%s: A %+v, B %+v", c.name, ia, ib)
		}
	}

	// Lookup by ID, and its JSON form.
	got, ok := a.Peer(b.Self().ID())
	if !ok || got.ID != ia.ID {
		t.Fatalf("A.Peer(B) = %+v, %v", got, ok)
	}
	if _, ok := a.Peer(nodeid.ID{1}); ok {
		t.Fatal("A.Peer(unknown) found a peer")
	}
	js, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var back map[string]any
	if err := json.Unmarshal(js, &back); err != nil {
		t.Fatal(err)
	}
	if back["ID"] != b.Self().ID().String() || back["RemoteAddr"] != ia.RemoteAddr.String() ||
		len(back["Pubkey"].(string)) != 128 || back["ConnectedFor"] == "" || !strings.HasPrefix(back["Enode"].(string), "enode://") {
		t.Fatalf("JSON %s", js)
	}

	// RemovePeer drops the static peer; both sides see it go.
	b.RemovePeer(a.Self().ID())
	dropped := waitEvent(t, evA, PeerDropped)
	if dropped.Reason != peer.DiscRequested {
		t.Fatalf("A's drop reason %v, want %v", dropped.Reason, peer.DiscRequested)
	}
}

// TestRefusals: connections the checkpoints refuse get a Disconnect with
// the right reason.
func TestRefusals(t *testing.T) {
	t.Run("connected to self", func(t *testing.T) {
		cfg := testConfig(t, newTestProto().protocol())
		srv := startServer(t, cfg)
		rp, err := dialRaw(t, srv, cfg.PrivateKey)
		if err != nil {
			t.Fatal(err)
		}
		_, err = rp.hello(peer.Cap{Name: "test", Version: 1})
		wantRemoteReason(t, err, peer.DiscSelf)
	})
	t.Run("already connected", func(t *testing.T) {
		srv, ev := startWithEvents(t, testConfig(t, newTestProto().protocol()))
		first, err := connectRaw(t, srv, nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = connectRaw(t, srv, first.key)
		wantRemoteReason(t, err, peer.DiscAlreadyConnected)
		waitEvent(t, ev, PeerAdded)
		if srv.PeerCount() != 1 {
			t.Fatalf("PeerCount = %d, want 1", srv.PeerCount())
		}
	})
	t.Run("useless peer", func(t *testing.T) {
		srv := startServer(t, testConfig(t, newTestProto().protocol()))
		rp, err := dialRaw(t, srv, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := rp.hello(peer.Cap{Name: "test", Version: 2}, peer.Cap{Name: "other", Version: 1}); err != nil {
			t.Fatalf("hello: %v (the refusal comes after Hello)", err)
		}
		r, err := rp.readDisconnect()
		if err != nil || r != peer.DiscUselessPeer {
			t.Fatalf("disconnect: %v, %v; want %v", r, err, peer.DiscUselessPeer)
		}
	})
	t.Run("too many peers", func(t *testing.T) {
		cfg := testConfig(t, newTestProto().protocol())
		cfg.MaxPeers, cfg.MaxInboundPeers = 1, 1
		srv := startServer(t, cfg)
		if _, err := connectRaw(t, srv, nil); err != nil {
			t.Fatal(err)
		}
		_, err := connectRaw(t, srv, nil)
		wantRemoteReason(t, err, peer.DiscTooManyPeers)
	})
}

// TestStaticRedial: when the remote side drops a static peer, the server
// dials it again (after the scheduler's backoff, 5 s at first).
func TestStaticRedial(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for the static-dial backoff")
	}
	a, evA := startWithEvents(t, testConfig(t, newTestProto().protocol()))
	cfgB := testConfig(t, newTestProto().protocol())
	cfgB.StaticNodes = []*discover.Node{a.Self()}
	b, evB := startWithEvents(t, cfgB)

	waitEvent(t, evA, PeerAdded)
	waitEvent(t, evB, PeerAdded)
	a.RemovePeer(b.Self().ID()) // not static on A: this just disconnects B
	if ev := waitEvent(t, evB, PeerDropped); ev.Reason != peer.DiscRequested {
		t.Fatalf("B saw reason %v, want %v", ev.Reason, peer.DiscRequested)
	}
	if ev := waitEvent(t, evB, PeerAdded); ev.ID != a.Self().ID() {
		t.Fatalf("B re-added %v, want A", ev.ID)
	}
	if ev := waitEvent(t, evA, PeerAdded); ev.ID != b.Self().ID() || !ev.Inbound {
		t.Fatalf("A re-added %+v, want inbound B", ev)
	}
}

// recordText is n's "enr:" text, or "" when n has no record.
func recordText(n *discover.Node) string {
	if rec := n.Record(); rec != nil {
		return rec.String()
	}
	return ""
}
