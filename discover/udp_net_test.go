package discover

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/nodeid"
)

// startLoopbackNode starts a transport on its own UDP socket on
// 127.0.0.1 with a random port.
func startLoopbackNode(t testing.TB, boot []*Node, timeout time.Duration) *UDPv4 {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := secp256k1.GeneratePrivateKey()
	u, err := Listen(conn, key, Config{Bootnodes: boot, ResponseTimeout: timeout})
	if err != nil {
		conn.Close()
		t.Fatal(err)
	}
	return u
}

// TestLoopbackNetwork runs 64 nodes on loopback UDP, bootstrapped from the
// first one. Lookups run until every table holds at least 16 nodes (bounded
// by a deadline); then a lookup for every node's ID, started elsewhere,
// finds that node.
//
// Under the race detector every signature check costs tens of
// milliseconds, so the network shrinks to 12 nodes that must each know all
// the others, with longer reply timeouts.
func TestLoopbackNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("64-node network")
	}
	defer goleak.VerifyNone(t)
	size, minTable, timeout := 64, BucketSize, DefaultResponseTimeout
	if raceEnabled {
		size, minTable, timeout = 12, 11, 3*time.Second
	}
	nodes := make([]*UDPv4, 0, size)
	defer func() {
		for _, n := range nodes {
			n.Close()
		}
	}()
	nodes = append(nodes, startLoopbackNode(t, nil, timeout))
	boot := []*Node{nodes[0].Self()}
	for len(nodes) < size {
		nodes = append(nodes, startLoopbackNode(t, boot, timeout))
	}

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	settleNetwork(t, ctx, nodes, minTable)
	checkNoStrangers(t, nodes)

	// A lookup for any node's ID finds it.
	lookupEach(t, nodes, func(from, target *UDPv4) []*Node {
		return from.Lookup(ctx, v4wire.PubkeyOf(target.Self().Pubkey()))
	})
}

// networkNode is what the loopback network tests ask of a discv4 or a
// discv5 transport.
type networkNode interface {
	Self() *Node
	TableNodes() []*Node
	LookupRandom(context.Context) []*Node
}

// settleNetwork runs rounds of random lookups on the nodes whose table is
// still short of minTable entries, until none is. It fails the test if ctx
// ends first.
func settleNetwork[N networkNode](t *testing.T, ctx context.Context, nodes []N, minTable int) {
	t.Helper()
	start := time.Now()
	for round := 0; ; round++ {
		var short []N
		for _, n := range nodes {
			if len(n.TableNodes()) < minTable {
				short = append(short, n)
			}
		}
		if len(short) == 0 {
			t.Logf("settled after %d rounds (%v)", round, time.Since(start))
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%d nodes still have fewer than %d table entries", len(short), minTable)
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8) // bounded, to spare a loaded machine
		for _, n := range short {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				n.LookupRandom(ctx)
			}()
		}
		wg.Wait()
	}
}

// checkNoStrangers checks that every table entry is a member of nodes.
func checkNoStrangers[N networkNode](t *testing.T, nodes []N) {
	t.Helper()
	members := make(map[nodeid.ID]bool, len(nodes))
	for _, n := range nodes {
		members[n.Self().ID()] = true
	}
	for i, n := range nodes {
		for _, e := range n.TableNodes() {
			if !members[e.ID()] {
				t.Fatalf("node %d has a stranger %v in its table", i, e.ID())
			}
		}
	}
}

// lookupEach has, for every node, the node half the network away look it
// up with lookup, all at once, and reports each node not found.
func lookupEach[N networkNode](t *testing.T, nodes []N, lookup func(from, target N) []*Node) {
	t.Helper()
	var wg sync.WaitGroup
	for i, target := range nodes {
		from := nodes[(i+len(nodes)/2)%len(nodes)]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, n := range lookup(from, target) {
				if n.ID() == target.Self().ID() {
					return
				}
			}
			t.Errorf("lookup from %v did not find %v", from.Self().ID().TerminalString(), target.Self().ID().TerminalString())
		}()
	}
	wg.Wait()
}
