package interop

import (
	"bytes"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethlog "github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/internal/echotest"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/server"
)

// The server interop tests run our server.Server against go-ethereum's
// p2p.Server over TCP loopback, with itest/1 (echo_test.go) registered on
// both sides.

// serverWait bounds each wait; static redials take 5 s (ours) or more.
const serverWait = 60 * time.Second

// startGethServer starts a go-ethereum server with itest/1; discovery is on
// only when bootnodes are given.
func startGethServer(t *testing.T, bootnodes ...*enode.Node) (*p2p.Server, chan *p2p.PeerEvent) {
	t.Helper()
	key, err := gethcrypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	srv := &p2p.Server{Config: p2p.Config{
		PrivateKey:     key,
		MaxPeers:       10,
		Name:           "geth-server-interop",
		NoDiscovery:    len(bootnodes) == 0,
		DiscoveryV4:    len(bootnodes) > 0,
		BootstrapNodes: bootnodes,
		ListenAddr:     "127.0.0.1:0",
		Protocols:      []p2p.Protocol{gethItestProtocol()},
		Logger:         gethlog.NewLogger(gethlog.DiscardHandler()),
	}}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	events := make(chan *p2p.PeerEvent, 64)
	sub := srv.SubscribeEvents(events)
	t.Cleanup(func() {
		sub.Unsubscribe()
		srv.Stop()
	})
	return srv, events
}

// echo sends a payload of size bytes as an RLP string on r and checks the
// reply.
func echo(t *testing.T, r *echotest.Run, size int) {
	t.Helper()
	data := bytes.Repeat([]byte{byte(size)}, size)
	if err := peer.Send(r.RW, itestEcho, data); err != nil {
		t.Fatalf("echo %d: %v", size, err)
	}
	select {
	case b := <-r.Replies:
		var got []byte
		if err := (peer.Msg{Size: uint32(len(b)), Payload: bytes.NewReader(b)}).Decode(&got); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("echo %d: got %d bytes back (%v)", size, len(got), err)
		}
	case <-time.After(serverWait):
		t.Fatalf("echo %d: no reply", size)
	}
}

func startOurServer(t *testing.T, proto *echotest.Echo, cfg server.Config) (*server.Server, chan server.PeerEvent) {
	t.Helper()
	key, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	cfg.PrivateKey = key
	cfg.Name = "devp2p-server-interop"
	cfg.Protocols = []peer.Protocol{proto.Protocol()}
	cfg.ListenAddr = "127.0.0.1:0"
	srv, err := server.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan server.PeerEvent, 64)
	t.Cleanup(srv.SubscribeEvents(events))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, events
}

func waitOurs(t *testing.T, ch <-chan server.PeerEvent, typ server.PeerEventType) server.PeerEvent {
	t.Helper()
	timeout := time.After(serverWait)
	for {
		select {
		case ev := <-ch:
			if ev.Type == typ {
				return ev
			}
		case <-timeout:
			t.Fatalf("no %v event from our server", typ)
		}
	}
}

func waitRun(t *testing.T, proto *echotest.Echo) *echotest.Run {
	t.Helper()
	select {
	case r := <-proto.Runs():
		return r
	case <-time.After(serverWait):
		t.Fatal("our protocol never started")
		return nil
	}
}

func gethID(srv *p2p.Server) nodeid.ID { return nodeid.ID(srv.Self().ID()) }

func toGethNode(t *testing.T, n *discover.Node) *enode.Node {
	t.Helper()
	gn, err := enode.ParseV4(n.URLv4())
	if err != nil {
		t.Fatal(err)
	}
	return gn
}

// TestServerInteropGeth: our server and go-ethereum's list each other as
// static nodes, connect, exchange messages, and reconnect after either side
// drops the link.
func TestServerInteropGeth(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for static redials")
	}
	geth, _ := startGethServer(t)
	gethNode, err := discover.ParseNode(geth.Self().URLv4())
	if err != nil {
		t.Fatal(err)
	}
	proto := echotest.New("itest", itestLength)
	ours, ourEvents := startOurServer(t, proto, server.Config{
		NoDiscovery: true,
		StaticNodes: []*discover.Node{gethNode},
	})
	geth.AddPeer(toGethNode(t, ours.Self()))

	connected := func(round string) *echotest.Run {
		t.Helper()
		ev := waitOurs(t, ourEvents, server.PeerAdded)
		if ev.ID != gethID(geth) {
			t.Fatalf("%s: our server added %v, want geth", round, ev.ID)
		}
		r := waitRun(t, proto)
		for _, size := range []int{0, 1, 1000, 100_000} {
			echo(t, r, size)
		}
		info := ours.Peers()
		if len(info) != 1 || info[0].Name != "geth-server-interop" || !info[0].Static {
			t.Fatalf("%s: Peers() = %+v", round, info)
		}
		return r
	}

	// Round 1: connect and talk.
	r := connected("first connection")

	// Geth drops the link; a static dial brings it back.
	if err := peer.Send(r.RW, itestDiscMe, uint8(peer.DiscRequested)); err != nil {
		t.Fatal(err)
	}
	ev := waitOurs(t, ourEvents, server.PeerDropped)
	if ev.Reason != peer.DiscRequested {
		t.Fatalf("drop by geth: reason %v, want %v (err %v)", ev.Reason, peer.DiscRequested, ev.Err)
	}
	r = connected("after geth dropped")

	// We drop the link; again it comes back.
	r.Peer.Disconnect(peer.DiscRequested)
	if ev := waitOurs(t, ourEvents, server.PeerDropped); ev.Reason != peer.DiscRequested {
		t.Fatalf("drop by us: reason %v", ev.Reason)
	}
	connected("after we dropped")
	if geth.PeerCount() != 1 {
		t.Fatalf("geth has %d peers, want 1", geth.PeerCount())
	}
}

// TestServerInteropGethDiscovery: a go-ethereum server whose only bootnode
// is our server finds it through discv4 and dials it.
func TestServerInteropGethDiscovery(t *testing.T) {
	if testing.Short() {
		t.Skip("waits for discovery")
	}
	proto := echotest.New("itest", itestLength)
	ours, ourEvents := startOurServer(t, proto, server.Config{NoDial: true})
	geth, _ := startGethServer(t, toGethNode(t, ours.Self()))

	ev := waitOurs(t, ourEvents, server.PeerAdded)
	if ev.ID != gethID(geth) || !ev.Inbound {
		t.Fatalf("our server added %+v, want inbound geth", ev)
	}
	echo(t, waitRun(t, proto), 32)
}
