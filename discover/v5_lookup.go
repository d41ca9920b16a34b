package discover

import (
	"context"
	"errors"
	"time"

	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nodeid"
)

// lookupDistances are the distances a lookup asks n for when looking for
// target: the log distance of n to target and its two neighbours, as
// go-ethereum does, which usually fills a response.
func lookupDistances(target, n nodeid.ID) []uint {
	td := nodeid.LogDist(target, n)
	dists := []uint{uint(td)}
	for i := 1; len(dists) < 3; i++ {
		if td+i <= 256 {
			dists = append(dists, uint(td+i))
		}
		if td-i > 0 {
			dists = append(dists, uint(td-i))
		}
		if td+i > 256 && td-i <= 0 {
			break
		}
	}
	return dists
}

// Lookup runs an iterative Kademlia lookup (α = 3) for target over discv5.
// It returns up to BucketSize nodes, closest first, that answered or were
// reported on the way. It returns early, with what it has, when ctx ends
// or the node is closed. Every node learnt is offered to the table.
func (t *UDPv5) Lookup(ctx context.Context, target nodeid.ID) []*Node {
	t.tab.waitInit(ctx)
	return t.lookup(ctx, target)
}

// LookupRandom runs a lookup toward a random target.
func (t *UDPv5) LookupRandom(ctx context.Context) []*Node {
	return t.Lookup(ctx, t.randomTarget())
}

func (t *UDPv5) randomTarget() nodeid.ID {
	var id nodeid.ID
	t.rand.read(id[:])
	return id
}

func (t *UDPv5) lookup(ctx context.Context, target nodeid.ID) []*Node {
	t.cfg.Metrics.LookupStarted(metrics.DiscV5)
	defer func(start time.Time) { t.cfg.Metrics.LookupDone(metrics.DiscV5, t.clock.Now().Sub(start)) }(t.clock.Now())
	return iterativeLookup(ctx, t.tab, t.self, target, t.v5.Bootnodes, t.isClosed, func(n *Node) []*Node {
		return t.queryNode(ctx, n, target)
	})
}

// queryNode sends one FINDNODE of a lookup, keeps n's failure count and
// offers the answer to the table.
func (t *UDPv5) queryNode(ctx context.Context, n *Node, target nodeid.ID) []*Node {
	nodes, err := t.FindNode(ctx, n, lookupDistances(target, n.ID()))
	if errors.Is(err, ErrClosed) || ctx.Err() != nil {
		return nodes
	}
	fails := t.db.findFails(n.ID(), n.IP())
	if err != nil {
		fails++
		t.db.setFindFails(n.ID(), n.IP(), fails)
		t.log.Debug("discv5: findnode failed", "id", n.ID().TerminalString(), "fails", fails, "err", err)
		if fails >= maxFindnodeFailures {
			t.tab.remove(n.ID())
		}
		return nil
	}
	if fails > 0 {
		t.db.setFindFails(n.ID(), n.IP(), 0)
	}
	// n answered, which proves it live at its address.
	t.tab.addSeen(n)
	for _, nn := range nodes {
		t.tab.addFound(nn)
	}
	return nodes
}

// refreshLookups implements tableNet: a lookup for our own ID, then three
// random ones.
func (t *UDPv5) refreshLookups(ctx context.Context) {
	t.lookup(ctx, t.self)
	for range 3 {
		if ctx.Err() != nil {
			return
		}
		t.lookup(ctx, t.randomTarget())
	}
}

// RandomNodes returns an iterator that runs random discv5 lookups
// forever, yielding every node each one finds, until it or the node is
// closed.
func (t *UDPv5) RandomNodes() Iterator {
	return newRandomIterator(t.clock, t.tab, t.closing, t.isClosed, func(ctx context.Context) []*Node {
		return t.lookup(ctx, t.randomTarget())
	})
}

// Resolve returns the most recent version of n that can be found: a newer
// record from the table, from n itself (RequestENR), or from a lookup of
// n's ID. It returns n when nothing newer is found.
func (t *UDPv5) Resolve(ctx context.Context, n *Node) *Node {
	if tn := t.tab.nodeByID(n.ID()); tn != nil && tn.Seq() > n.Seq() {
		n = tn
	}
	if !n.Incomplete() {
		if rn, err := t.RequestENR(ctx, n); err == nil && rn.Seq() >= n.Seq() {
			return rn
		}
	}
	for _, c := range t.Lookup(ctx, n.ID()) {
		if c.ID() == n.ID() && c.Seq() >= n.Seq() {
			return c
		}
	}
	return n
}
