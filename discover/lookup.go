package discover

import (
	"context"
	"errors"

	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/internal/logging"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nodeid"
)

// alpha is the number of findnode queries a lookup keeps in flight.
const alpha = 3

// Lookup runs an iterative Kademlia lookup (α = 3) for target, a 64-byte
// public key; distances are measured to keccak256(target). It returns up to
// BucketSize nodes, closest first, that answered or were reported on the
// way. It returns early, with what it has, when ctx ends or the node is
// closed. Every node learnt is offered to the table.
func (t *UDPv4) Lookup(ctx context.Context, target v4wire.Pubkey) []*Node {
	t.tab.waitInit(ctx)
	return t.lookup(ctx, target)
}

// LookupRandom runs a lookup toward a random target.
func (t *UDPv4) LookupRandom(ctx context.Context) []*Node {
	return t.Lookup(ctx, t.randomTarget())
}

func (t *UDPv4) randomTarget() v4wire.Pubkey {
	var target v4wire.Pubkey
	t.rand.read(target[:])
	return target
}

// lookup is Lookup without waiting for the table's first refresh; the
// refresh itself uses it.
func (t *UDPv4) lookup(ctx context.Context, target v4wire.Pubkey) []*Node {
	t.cfg.Metrics.LookupStarted(metrics.DiscV4)
	defer t.lookupDone(t.clock.Now())
	targetID := nodeid.ID(ethcrypto.Keccak256(target[:]))
	return iterativeLookup(ctx, t.tab, t.self, targetID, t.cfg.Bootnodes, t.isClosed, func(n *Node) []*Node {
		return t.queryNode(ctx, n, target)
	})
}

// iterativeLookup is the Kademlia lookup discv4 and discv5 share. It starts
// from the table's closest nodes to target (the bootnodes when the table is
// empty), keeps up to α queries in flight to the closest nodes not asked
// yet, and merges what each answer reports, by distance to target, into
// the BucketSize closest it knows. It ends, returning those, once no query
// is in flight and every one of them was asked, or, after the queries in
// flight return, when ctx ends or closed reports true. query runs in a
// goroutine of its own per node; the lookup waits for all of them.
func iterativeLookup(ctx context.Context, tab *table, self, target nodeid.ID, bootnodes []*Node, closed func() bool, query func(*Node) []*Node) []*Node {
	result := tab.closest(target, BucketSize)
	if len(result) == 0 {
		for _, bn := range bootnodes {
			result = insertByDistance(result, target, bn, BucketSize)
		}
	}
	seen := map[nodeid.ID]bool{self: true}
	asked := map[nodeid.ID]bool{self: true}
	for _, n := range result {
		seen[n.ID()] = true
	}
	replies := make(chan []*Node, alpha)
	inflight := 0
	for {
		if ctx.Err() == nil && !closed() {
			for i := 0; i < len(result) && inflight < alpha; i++ {
				n := result[i]
				if asked[n.ID()] {
					continue
				}
				asked[n.ID()] = true
				inflight++
				go func() { replies <- query(n) }()
			}
		}
		if inflight == 0 {
			return result
		}
		nodes := <-replies
		inflight--
		for _, n := range nodes {
			if !seen[n.ID()] {
				seen[n.ID()] = true
				result = insertByDistance(result, target, n, BucketSize)
			}
		}
	}
}

// queryNode sends one findnode of a lookup, keeps n's failure count and
// offers the answer to the table. A node failing maxFindnodeFailures times
// in a row is dropped from the table.
func (t *UDPv4) queryNode(ctx context.Context, n *Node, target v4wire.Pubkey) []*Node {
	t.ensureBond(ctx, n)
	nodes, err := t.findnode(ctx, n, target)
	if errors.Is(err, ErrClosed) || ctx.Err() != nil {
		return nodes
	}
	fails := t.db.findFails(n.ID(), n.IP())
	if err != nil || len(nodes) == 0 {
		fails++
		t.db.setFindFails(n.ID(), n.IP(), fails)
		t.log.Debug("discover: findnode failed", "id", n.ID().TerminalString(), "fails", fails, logging.Err(err))
		if fails >= maxFindnodeFailures {
			t.tab.remove(n.ID())
		}
		return nil
	}
	if fails > 0 {
		t.db.setFindFails(n.ID(), n.IP(), 0)
	}
	// n answered, so it holds a proof of our endpoint: later queries need
	// not wait for it to ping us back (see ensureBond).
	t.db.setLastPing(n.ID(), n.IP(), t.clock.Now())
	for _, nn := range nodes {
		t.tab.addFound(nn)
	}
	return nodes
}

// refreshLookups is the table's refresh: a lookup for our own ID, which
// fills the close buckets, then three random lookups for the far ones.
func (t *UDPv4) refreshLookups(ctx context.Context) {
	t.lookup(ctx, t.selfKey)
	for range 3 {
		if ctx.Err() != nil {
			return
		}
		t.lookup(ctx, t.randomTarget())
	}
}

func (t *UDPv4) isClosed() bool {
	select {
	case <-t.closing:
		return true
	default:
		return false
	}
}
