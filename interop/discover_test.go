package interop

import (
	"context"
	"crypto/ecdsa"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gdiscover "github.com/ethereum/go-ethereum/p2p/discover"
	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Interop of our discv4 with go-ethereum's p2p/discover over loopback UDP.
// Every test closes go-ethereum's nodes quickly: after 32 timeouts in a
// row go-ethereum checks its clock against pool.ntp.org.

type gethNode struct {
	udp *gdiscover.UDPv4
	key *ecdsa.PrivateKey
	db  *enode.DB
}

func (g *gethNode) close() { g.udp.Close(); g.db.Close() }

// loopbackUDP opens a UDP socket on 127.0.0.1 at a free port.
func loopbackUDP(tb testing.TB) *net.UDPConn {
	tb.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		tb.Fatal(err)
	}
	return conn
}

// newGethLocalNode makes a go-ethereum identity advertising addr: a new
// key, an in-memory node database, which the caller closes after the node
// that uses it, and the LocalNode.
func newGethLocalNode(tb testing.TB, addr netip.AddrPort) (*ecdsa.PrivateKey, *enode.DB, *enode.LocalNode) {
	tb.Helper()
	key, err := gcrypto.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	db, err := enode.OpenDB("")
	if err != nil {
		tb.Fatal(err)
	}
	ln := enode.NewLocalNode(db, key)
	ln.SetStaticIP(net.IP(addr.Addr().AsSlice()))
	ln.SetFallbackUDP(int(addr.Port()))
	return key, db, ln
}

func startGeth(t *testing.T, boot []*discover.Node) *gethNode {
	t.Helper()
	conn := loopbackUDP(t)
	key, db, ln := newGethLocalNode(t, conn.LocalAddr().(*net.UDPAddr).AddrPort())
	var gboot []*enode.Node
	for _, n := range boot {
		gboot = append(gboot, toGeth(t, n))
	}
	udp, err := gdiscover.ListenV4(conn, ln, gdiscover.Config{
		PrivateKey:              key,
		Bootnodes:               gboot,
		NoFindnodeLivenessCheck: true, // answer findnode before revalidation has run
	})
	if err != nil {
		t.Fatal(err)
	}
	return &gethNode{udp: udp, key: key, db: db}
}

func startOurs(t *testing.T, boot []*discover.Node) *discover.UDPv4 {
	t.Helper()
	key, _ := secp256k1.GeneratePrivateKey()
	u, err := discover.Listen(loopbackUDP(t), key, discover.Config{Bootnodes: boot})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// toGeth converts through the record's text form, which both sides verify.
func toGeth(t *testing.T, n *discover.Node) *enode.Node {
	t.Helper()
	gn, err := enode.Parse(enode.ValidSchemes, n.String())
	if err != nil {
		t.Fatalf("geth cannot parse our node %s: %v", n, err)
	}
	return gn
}

func fromGeth(t *testing.T, n *enode.Node) *discover.Node {
	t.Helper()
	dn, err := discover.ParseNode(n.String())
	if err != nil {
		t.Fatalf("cannot parse geth node %s: %v", n, err)
	}
	return dn
}

func TestDiscoverInteropPair(t *testing.T) {
	ours := startOurs(t, nil)
	defer ours.Close()
	geth := startGeth(t, nil)
	defer geth.close()
	gself := fromGeth(t, geth.udp.Self())
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()

	t.Run("we ping geth", func(t *testing.T) {
		seq, err := ours.Ping(ctx, gself)
		if err != nil {
			t.Fatal(err)
		}
		if seq != geth.udp.Self().Seq() {
			t.Fatalf("pong enr-seq %d, want %d", seq, geth.udp.Self().Seq())
		}
	})
	t.Run("geth pings us", func(t *testing.T) {
		pong, err := geth.udp.Ping(toGeth(t, ours.Self()))
		if err != nil {
			t.Fatal(err)
		}
		if pong.ENRSeq != ours.Self().Seq() {
			t.Fatalf("pong enr-seq %d, want %d", pong.ENRSeq, ours.Self().Seq())
		}
	})
	t.Run("we fetch geth's ENR", func(t *testing.T) {
		n, err := ours.RequestENR(ctx, gself)
		if err != nil {
			t.Fatal(err)
		}
		if n.ID() != gself.ID() || n.Seq() != gself.Seq() {
			t.Fatalf("got %v seq %d", n.ID(), n.Seq())
		}
	})
	t.Run("geth fetches our ENR", func(t *testing.T) {
		n, err := geth.udp.RequestENR(toGeth(t, ours.Self()))
		if err != nil {
			t.Fatal(err)
		}
		if n.ID() != enode.ID(ours.Self().ID()) || n.Seq() != ours.Self().Seq() {
			t.Fatalf("got %v seq %d", n.ID(), n.Seq())
		}
	})
}

// TestDiscoverInteropNeighbours: each side answers the other's findnode
// with the nodes it knows.
func TestDiscoverInteropNeighbours(t *testing.T) {
	geth := startGeth(t, nil)
	defer geth.close()
	ours := startOurs(t, nil)
	defer ours.Close()
	gself := fromGeth(t, geth.udp.Self())

	// Three of our nodes join through geth, three geth nodes through ours.
	var ourPeers []*discover.UDPv4
	for range 3 {
		n := startOurs(t, []*discover.Node{gself})
		defer n.Close()
		ourPeers = append(ourPeers, n)
	}
	var gethPeers []*gethNode
	for range 3 {
		g := startGeth(t, []*discover.Node{ours.Self()})
		defer g.close()
		gethPeers = append(gethPeers, g)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	t.Run("we ask geth", func(t *testing.T) {
		want := map[nodeid.ID]bool{}
		for _, p := range ourPeers {
			want[p.Self().ID()] = true
		}
		for ctx.Err() == nil {
			nodes, _ := ours.FindNode(ctx, gself, v4wire.Pubkey{})
			found := 0
			for _, n := range nodes {
				if want[n.ID()] {
					found++
				}
			}
			if found == len(want) {
				return
			}
			// Our peers join geth's table as their refresh bonds with it;
			// each FindNode round trip paces the retries.
		}
		t.Fatal("geth never returned our three peers")
	})
	t.Run("geth asks us", func(t *testing.T) {
		want := map[enode.ID]bool{}
		for _, g := range gethPeers {
			want[g.udp.Self().ID()] = true
		}
		for ctx.Err() == nil {
			found := 0
			for _, n := range geth.udp.LookupPubkey(&gethPeers[0].key.PublicKey) {
				if want[n.ID()] {
					found++
				}
			}
			if found == len(want) {
				return
			}
		}
		t.Fatal("geth's lookup through us never found the three geth peers")
	})
}

// TestDiscoverInteropMixedNetwork: four of ours and four of geth's,
// bootstrapped from one of ours, find each other with lookups from either
// implementation.
func TestDiscoverInteropMixedNetwork(t *testing.T) {
	boot := startOurs(t, nil)
	defer boot.Close()
	bootNode := []*discover.Node{boot.Self()}
	var ours []*discover.UDPv4
	var geths []*gethNode
	for range 4 {
		o := startOurs(t, bootNode)
		defer o.Close()
		ours = append(ours, o)
		g := startGeth(t, bootNode)
		defer g.close()
		geths = append(geths, g)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Second)
	defer cancel()

	// Our nodes look up every geth node, and geth nodes every one of ours.
	for i, o := range ours {
		target := geths[(i+1)%len(geths)]
		key := v4wire.Pubkey(gcrypto.FromECDSAPub(&target.key.PublicKey)[1:])
		id := nodeid.ID(target.udp.Self().ID())
		if !lookupUntil(ctx, func() bool {
			for _, n := range o.Lookup(ctx, key) {
				if n.ID() == id {
					return true
				}
			}
			return false
		}) {
			t.Errorf("our node %d did not find geth node %d", i, (i+1)%len(geths))
		}
	}
	for i, g := range geths {
		target := ours[(i+1)%len(ours)]
		pb := target.Self().PubkeyBytes()
		pub, err := gcrypto.UnmarshalPubkey(append([]byte{4}, pb[:]...))
		if err != nil {
			t.Fatal(err)
		}
		id := enode.ID(target.Self().ID())
		if !lookupUntil(ctx, func() bool {
			for _, n := range g.udp.LookupPubkey(pub) {
				if n.ID() == id {
					return true
				}
			}
			return false
		}) {
			t.Errorf("geth node %d did not find our node %d", i, (i+1)%len(ours))
		}
	}
}

// lookupUntil repeats a lookup (each one paced by its own network round
// trips) until it succeeds or ctx ends.
func lookupUntil(ctx context.Context, f func() bool) bool {
	for ctx.Err() == nil {
		if f() {
			return true
		}
	}
	return false
}
