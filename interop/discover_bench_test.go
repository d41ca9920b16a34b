package interop

import (
	"context"
	"crypto/ecdsa"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gdiscover "github.com/ethereum/go-ethereum/p2p/discover"
	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/discovertest"
	"github.com/devp2p-go/devp2p/discover/v4wire"
)

// lookupNet is a discovery network under benchmark.
type lookupNet interface {
	lookup(node int, target *ecdsa.PublicKey)
	// check reports a broken network (a tripped timeout guard).
	check(tb testing.TB)
	// close stops every node; it may be called more than once.
	close()
}

// lookupNetSize, bootPerNode and bootBatch shape the benchmark network.
// Every node starts knowing up to 32 others, like discover's
// BenchmarkLookup256, but go-ethereum's nodes cannot all bond at once: a node
// pinged by many strangers pings each back before it reads their pongs,
// which would trip its timeout guard. So nodes join in batches of 8, each
// knowing the 32 nodes started just before it, and each batch runs one
// lookup per node before the next starts. Both sides are built this way.
const (
	lookupNetSize = 256
	bootPerNode   = 32
	bootBatch     = 8
)

// bootstrap starts size nodes in batches through start, which gets a node's
// index and its bootnodes' indexes, then warms up with one lookup per node,
// bootBatch at a time.
func bootstrap(tb testing.TB, n lookupNet, size int, start func(i int, boot []int) error) {
	tb.Helper()
	k, err := gcrypto.GenerateKey()
	if err != nil {
		tb.Fatal(err)
	}
	batchLookups := func(lo, hi int) {
		var wg sync.WaitGroup
		for i := lo; i < hi; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); n.lookup(i, &k.PublicKey) }()
		}
		wg.Wait()
		n.check(tb)
	}
	for lo := 0; lo < size; lo += bootBatch {
		hi := min(lo+bootBatch, size)
		for i := lo; i < hi; i++ {
			var boot []int
			for j := i - 1; j >= 0 && j >= i-bootPerNode; j-- {
				boot = append(boot, j)
			}
			if err := start(i, boot); err != nil {
				tb.Fatal(err)
			}
		}
		batchLookups(lo, hi)
	}
	for lo := 0; lo < size; lo += bootBatch {
		batchLookups(lo, min(lo+bootBatch, size))
	}
}

// BenchmarkLookup256 runs the same discv4 lookup workload on a 256-node
// in-process network (memNet, all at 127.0.0.1) of our nodes and of
// go-ethereum's, one after the other: ns/lookup is the latency of one
// lookup, packets/lookup the datagrams all nodes sent per lookup. Each
// network is built and warmed up by bootstrap before the timer starts.
// Lookups rotate over the nodes and over 251 fixed targets shared by both
// sides. With -count, both sides' runs reuse one network each, so the first
// run pays for bonding with nodes not met during warm-up (go-ethereum sleeps
// 500 ms after each such ping) and later runs show a warmer network.
//
// Every go-ethereum node runs on a guardConn, so go-ethereum's NTP clock
// check can never fire; a tripped guard fails the benchmark.
func BenchmarkLookup256(b *testing.B) {
	targets := make([]*ecdsa.PublicKey, 251)
	for i := range targets {
		k, err := gcrypto.GenerateKey()
		if err != nil {
			b.Fatal(err)
		}
		targets[i] = &k.PublicKey
	}
	for _, side := range []struct {
		name  string
		build func(b *testing.B, size int, sent *atomic.Int64) lookupNet
	}{
		{"ours", newOurLookupNet},
		{"geth", newGethLookupNet},
	} {
		var sent atomic.Int64
		net := side.build(b, lookupNetSize, &sent)
		// next carries over between runs (-count, b.N growth), so no run
		// repeats a (node, target) pair an earlier run already looked up.
		next := 0
		b.Run(side.name, func(b *testing.B) {
			sent.Store(0)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				net.lookup(next%lookupNetSize, targets[next%len(targets)])
				next++
			}
			b.StopTimer()
			net.check(b)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/lookup")
			b.ReportMetric(float64(sent.Load())/float64(b.N), "packets/lookup")
		})
		net.check(b)
		net.close()
	}
}

// ourLookupNet is a network of our discover.UDPv4 nodes.
type ourLookupNet struct {
	nodes     []*discover.UDPv4
	closeOnce sync.Once
}

func newOurLookupNet(b *testing.B, size int, sent *atomic.Int64) lookupNet {
	b.Helper()
	mn := newMemNet(b)
	keys, conns := ourLookupIdentities(b, mn, size)
	records := make([]*discover.Node, size)
	for i, k := range keys {
		records[i] = discover.NewV4(k.PubKey(), conns[i].Addr().Addr(), 0, conns[i].Addr().Port())
	}
	n := &ourLookupNet{nodes: make([]*discover.UDPv4, 0, size)}
	b.Cleanup(n.close)
	bootstrap(b, n, size, func(i int, bootIdx []int) error {
		var boot []*discover.Node
		for _, j := range bootIdx {
			boot = append(boot, records[j])
		}
		u, err := discover.Listen(countConn{conns[i], sent}, keys[i], discover.Config{Bootnodes: boot})
		if err != nil {
			return err
		}
		n.nodes = append(n.nodes, u)
		return nil
	})
	return n
}

func (n *ourLookupNet) lookup(i int, target *ecdsa.PublicKey) {
	n.nodes[i].Lookup(context.Background(), v4wire.Pubkey(gcrypto.FromECDSAPub(target)[1:]))
}

func (n *ourLookupNet) check(testing.TB) {}

func (n *ourLookupNet) close() { n.closeOnce.Do(func() { closeAll(n.nodes) }) }

// gethLookupNet is a network of go-ethereum's p2p/discover.UDPv4 nodes,
// each behind a timeout guard.
type gethLookupNet struct {
	nodes     []*gdiscover.UDPv4
	dbs       []*enode.DB
	guards    []*guardConn
	anyTrip   atomic.Bool
	closeOnce sync.Once
}

func newGethLookupNet(b *testing.B, size int, sent *atomic.Int64) lookupNet {
	b.Helper()
	mn := newMemNet(b)
	n := &gethLookupNet{}
	b.Cleanup(n.close)
	keys := make([]*ecdsa.PrivateKey, size)
	locals := make([]*enode.LocalNode, size)
	for i := range keys {
		conn := mn.listen()
		n.guards = append(n.guards, newGuardConn(conn, sent, &n.anyTrip))
		var db *enode.DB
		keys[i], db, locals[i] = newGethLocalNode(b, conn.Addr())
		n.dbs = append(n.dbs, db)
	}
	bootstrap(b, n, size, func(i int, bootIdx []int) error {
		var boot []*enode.Node
		for _, j := range bootIdx {
			boot = append(boot, locals[j].Node())
		}
		u, err := gdiscover.ListenV4(n.guards[i], locals[i], gdiscover.Config{PrivateKey: keys[i], Bootnodes: boot})
		if err != nil {
			return err
		}
		n.nodes = append(n.nodes, u)
		return nil
	})
	return n
}

func (n *gethLookupNet) lookup(i int, target *ecdsa.PublicKey) {
	n.nodes[i].LookupPubkey(target)
}

func (n *gethLookupNet) check(tb testing.TB) {
	tb.Helper()
	if !n.anyTrip.Load() {
		return
	}
	for _, g := range n.guards {
		if err := g.tripped(); err != nil {
			tb.Fatalf("go-ethereum network stopped: %v", err)
		}
	}
}

func (n *gethLookupNet) close() {
	n.closeOnce.Do(func() {
		closeAll(n.nodes)
		closeAll(n.dbs)
	})
}

// ourLookupIdentities makes size keys and in-memory sockets for a network
// of our nodes.
func ourLookupIdentities(b *testing.B, mn *memNet, size int) ([]*secp256k1.PrivateKey, []*discovertest.Conn) {
	b.Helper()
	keys := make([]*secp256k1.PrivateKey, size)
	conns := make([]*discovertest.Conn, size)
	for i := range keys {
		k, err := secp256k1.GeneratePrivateKey()
		if err != nil {
			b.Fatal(err)
		}
		keys[i], conns[i] = k, mn.listen()
	}
	return keys, conns
}

// closeAll closes every node of a network at once, and returns when all
// have closed: each waits for its own goroutines, so one after another
// takes the sum of their waits.
func closeAll[T interface{ Close() }](nodes []T) {
	var wg sync.WaitGroup
	for _, u := range nodes {
		wg.Add(1)
		go func() { defer wg.Done(); u.Close() }()
	}
	wg.Wait()
}
