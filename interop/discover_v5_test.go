package interop

import (
	"context"
	"crypto/ecdsa"
	"net"
	"net/netip"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	gdiscover "github.com/ethereum/go-ethereum/p2p/discover"
	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Interop of our discv5 with go-ethereum's p2p/discover.ListenV5 over
// loopback UDP. go-ethereum's discv5 has no NTP check; its discv4 (in the
// shared-socket test) runs behind a timeout guard.

type gethV5 struct {
	v4  *gdiscover.UDPv4 // nil unless started with both
	v5  *gdiscover.UDPv5
	key *ecdsa.PrivateKey
	db  *enode.DB
}

func (g *gethV5) close() {
	if g.v4 != nil {
		g.v4.Close() // closes the queue v5 reads from
	}
	g.v5.Close()
	g.db.Close()
}

func (g *gethV5) node(t *testing.T) *discover.Node { return fromGeth(t, g.v5.Self()) }

// startGethV5 starts go-ethereum's discv5 on loopback; with both, discv4
// runs on the same socket (behind a timeout guard) and passes discv5
// packets on, as go-ethereum's server does.
func startGethV5(t *testing.T, boot []*discover.Node, both bool) *gethV5 {
	t.Helper()
	conn := loopbackUDP(t)
	key, db, ln := newGethLocalNode(t, conn.LocalAddr().(*net.UDPAddr).AddrPort())
	var err error
	var gboot []*enode.Node
	for _, n := range boot {
		gboot = append(gboot, toGeth(t, n))
	}
	g := &gethV5{key: key, db: db}
	cfg := gdiscover.Config{PrivateKey: key, Bootnodes: gboot, NoFindnodeLivenessCheck: true}
	var v5conn gdiscover.UDPConn = conn
	if both {
		unhandled := make(chan gdiscover.ReadPacket, 100)
		v5conn = &gdiscover.SharedUDPConn{UDPConn: conn, Unhandled: unhandled}
		var sent atomic64
		c4 := cfg
		c4.Unhandled = unhandled
		if g.v4, err = gdiscover.ListenV4(newGuardConn(conn, &sent.n, &sent.trip), ln, c4); err != nil {
			t.Fatal(err)
		}
	}
	if g.v5, err = gdiscover.ListenV5(v5conn, ln, cfg); err != nil {
		t.Fatal(err)
	}
	return g
}

func startOursV5(t *testing.T, boot []*discover.Node) *discover.UDPv5 {
	t.Helper()
	key, _ := secp256k1.GeneratePrivateKey()
	u, err := discover.ListenV5(loopbackUDP(t), key, discover.Config{V5: discover.V5Config{Bootnodes: boot}})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// TestDiscoverV5InteropPair: ping, findnode, talkreq and record exchange
// in both directions between one of ours and one of go-ethereum's.
func TestDiscoverV5InteropPair(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// Each direction gets a fresh pair, so that its first request carries
	// the handshake (and the initiator's record).
	pair := func(t *testing.T) (*discover.UDPv5, *gethV5, *discover.Node, *enode.Node) {
		ours := startOursV5(t, nil)
		t.Cleanup(ours.Close)
		geth := startGethV5(t, nil, false)
		t.Cleanup(geth.close)
		ours.RegisterTalkHandler("ours", func(id nodeid.ID, addr netip.AddrPort, msg []byte) []byte {
			return append([]byte("ours:"), msg...)
		})
		geth.v5.RegisterTalkHandler("geth", func(n *enode.Node, addr *net.UDPAddr, msg []byte) []byte {
			return append([]byte("geth:"), msg...)
		})
		return ours, geth, geth.node(t), toGeth(t, ours.Self())
	}

	t.Run("ours-to-geth", func(t *testing.T) {
		ours, _, gnode, _ := pair(t)
		seq, err := ours.Ping(ctx, gnode)
		if err != nil || seq != gnode.Seq() {
			t.Fatalf("ping: seq %d, %v", seq, err)
		}
		rec, err := ours.RequestENR(ctx, gnode)
		if err != nil || rec.ID() != gnode.ID() || rec.Seq() != gnode.Seq() {
			t.Fatalf("RequestENR: %v, %v", rec, err)
		}
		resp, err := ours.TalkRequest(ctx, gnode, "geth", []byte("hi"))
		if err != nil || string(resp) != "geth:hi" {
			t.Fatalf("talk: %q, %v", resp, err)
		}
		resp, err = ours.TalkRequest(ctx, gnode, "nobody", []byte("hi"))
		if err != nil || len(resp) != 0 {
			t.Fatalf("talk to an unknown protocol: %q, %v", resp, err)
		}
		// The handshake carried our record, so geth has us in its table and
		// lists us at our distance. geth ignores the record of a handshake
		// that arrives before its table's first refresh has ended, and that
		// moment is not visible from outside: when geth has not listed us,
		// a fresh node of ours (a new identity, so a new handshake) asks
		// again, a few times, 20 ms apart.
		const attempts = 25
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		asker := ours
		defer func() {
			if asker != ours {
				asker.Close()
			}
		}()
		for attempt := 1; ; attempt++ {
			if _, err := asker.Ping(ctx, gnode); err != nil {
				t.Fatalf("ping: %v", err)
			}
			d := uint(nodeid.LogDist(gnode.ID(), asker.Self().ID()))
			nodes, err := asker.FindNode(ctx, gnode, []uint{d, 0})
			if err != nil {
				t.Fatalf("findnode: %v", err)
			}
			if slices.ContainsFunc(nodes, func(n *discover.Node) bool { return n.ID() == asker.Self().ID() }) {
				break
			}
			if attempt == attempts {
				t.Fatalf("geth's NODES at our distance never listed us (%d identities tried)", attempts)
			}
			if asker != ours {
				asker.Close()
			}
			<-tick.C
			asker = startOursV5(t, nil)
		}
	})
	t.Run("geth-to-ours", func(t *testing.T) {
		ours, geth, gnode, onode := pair(t)
		pong, err := geth.v5.Ping(onode)
		if err != nil || pong.ENRSeq != ours.Self().Seq() {
			t.Fatalf("ping: %v, %v", pong, err)
		}
		if pong.ToIP.String() != "127.0.0.1" || int(pong.ToPort) != geth.v5.Self().UDP() {
			t.Fatalf("pong endpoint %v:%d", pong.ToIP, pong.ToPort)
		}
		rec, err := geth.v5.RequestENR(onode)
		if err != nil || rec.ID() != onode.ID() || rec.Seq() != ours.Self().Seq() {
			t.Fatalf("RequestENR: %v, %v", rec, err)
		}
		resp, err := geth.v5.TalkRequest(onode, "ours", []byte("hi"))
		if err != nil || string(resp) != "ours:hi" {
			t.Fatalf("talk: %q, %v", resp, err)
		}
		resp, err = geth.v5.TalkRequest(onode, "nobody", []byte("hi"))
		if err != nil || len(resp) != 0 {
			t.Fatalf("talk to an unknown protocol: %q, %v", resp, err)
		}
		d := uint(nodeid.LogDist(ours.Self().ID(), gnode.ID()))
		nodes, err := geth.v5.Findnode(onode, []uint{d})
		if err != nil {
			t.Fatalf("findnode: %v", err)
		}
		if len(nodes) != 1 || nodes[0].ID() != geth.v5.Self().ID() {
			t.Fatalf("findnode at distance %d: %v, want geth itself", d, nodes)
		}
	})
}

// TestDiscoverV5InteropMixedNetwork: nine discv5-only nodes, one of ours as
// bootnode, four of ours and four of go-ethereum's: go-ethereum finds ours
// and ours find go-ethereum's, through discv5 alone.
func TestDiscoverV5InteropMixedNetwork(t *testing.T) {
	boot := startOursV5(t, nil)
	defer boot.Close()
	bootNode := []*discover.Node{boot.Self()}
	var ours []*discover.UDPv5
	var geths []*gethV5
	for range 4 {
		o := startOursV5(t, bootNode)
		defer o.Close()
		ours = append(ours, o)
		g := startGethV5(t, bootNode, false)
		defer g.close()
		geths = append(geths, g)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()
	for i, o := range ours {
		target := nodeid.ID(geths[(i+1)%len(geths)].v5.Self().ID())
		if !lookupUntil(ctx, func() bool {
			for _, n := range o.Lookup(ctx, target) {
				if n.ID() == target {
					return true
				}
			}
			return false
		}) {
			t.Errorf("our node %d did not find geth node %d", i, (i+1)%len(geths))
		}
	}
	for i, g := range geths {
		target := enode.ID(ours[(i+1)%len(ours)].Self().ID())
		if !lookupUntil(ctx, func() bool {
			for _, n := range g.v5.Lookup(target) {
				if n.ID() == target {
					return true
				}
			}
			return false
		}) {
			t.Errorf("geth node %d did not find our node %d", i, (i+1)%len(ours))
		}
	}
}

// TestDiscoverSharedSocketInterop: our node runs discv4 and discv5 on one
// socket; go-ethereum, also running both on one socket, talks to it over
// each, and it answers over each.
func TestDiscoverSharedSocketInterop(t *testing.T) {
	key, _ := secp256k1.GeneratePrivateKey()
	ours, err := discover.Listen(loopbackUDP(t), key, discover.Config{V5: discover.V5Config{Enable: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer ours.Close()
	geth := startGethV5(t, nil, true)
	defer geth.close()
	onode := toGeth(t, ours.Self())
	gnode := geth.node(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	if _, err := geth.v4.Ping(onode); err != nil {
		t.Fatalf("geth discv4 ping: %v", err)
	}
	if _, err := geth.v5.Ping(onode); err != nil {
		t.Fatalf("geth discv5 ping: %v", err)
	}
	if _, err := ours.Ping(ctx, gnode); err != nil {
		t.Fatalf("our discv4 ping: %v", err)
	}
	if _, err := ours.V5().Ping(ctx, gnode); err != nil {
		t.Fatalf("our discv5 ping: %v", err)
	}
	// Interleaved, several times: each protocol keeps working while the
	// other runs.
	for range 5 {
		if _, err := geth.v5.Ping(onode); err != nil {
			t.Fatalf("geth discv5 ping: %v", err)
		}
		if _, err := geth.v4.Ping(onode); err != nil {
			t.Fatalf("geth discv4 ping: %v", err)
		}
		if _, err := ours.V5().FindNode(ctx, gnode, []uint{0}); err != nil {
			t.Fatalf("our discv5 findnode: %v", err)
		}
	}
}

// atomic64 holds the counters a guardConn shares with its network.
type atomic64 struct {
	n    atomic.Int64
	trip atomic.Bool
}
