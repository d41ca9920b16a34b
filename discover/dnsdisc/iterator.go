package dnsdisc

import (
	"context"
	"math/rand/v2"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/internal/config"
)

// maxTrees caps the trees one iterator walks, the ones it was given and
// the ones they link to, however many links the link subtrees hold.
const maxTrees = 256

// NewIterator returns an endless iterator over the nodes of the trees at
// urls and of the trees they link to, up to MaxLinkDepth links away (each
// tree once, however many links lead to it, so link loops are harmless).
// Each Next picks a random tree and walks its node subtree at random, so
// nodes repeat once a tree is exhausted. A tree with no nodes costs no
// lookups until its root is due for a recheck; when no tree has work,
// Next waits on the clock.
//
// The iterator does its DNS lookups in Next, on the caller's goroutine,
// and starts no goroutines. Close cancels a lookup in flight.
func (c *Client) NewIterator(urls ...string) (discover.Iterator, error) {
	it := &iterator{c: c, trees: make(map[string]*clientTree)}
	for _, u := range urls {
		l, err := ParseURL(u)
		if err != nil {
			return nil, err
		}
		it.roots = append(it.roots, l)
	}
	it.rnd = config.Rand()
	it.ctx, it.cancel = context.WithCancel(context.Background())
	it.rebuild()
	return it, nil
}

// iterator implements discover.Iterator over a set of trees.
type iterator struct {
	// Immutable.
	c      *Client
	roots  []*Link
	ctx    context.Context
	cancel context.CancelFunc

	// Owned by the goroutine calling Next.
	rnd   *rand.Rand
	trees map[string]*clientTree // by link URL
	cur   *discover.Node
}

// Next implements discover.Iterator.
func (it *iterator) Next() bool {
	it.cur = nil
	for it.ctx.Err() == nil {
		now := it.c.cfg.Clock.Now()
		ct := it.pick(now)
		if ct == nil {
			if !it.sleepUntil(now, it.nextCheck()) {
				return false
			}
			continue
		}
		n, linksChanged, err := ct.step(it.ctx, it.rnd)
		if linksChanged {
			it.rebuild()
		}
		if err != nil {
			if it.ctx.Err() != nil {
				return false
			}
			it.c.cfg.Logger.Debug("dnsdisc: sync failed", "tree", ct.link.Domain, "err", err)
			continue
		}
		if n != nil {
			it.cur = n
			return true
		}
	}
	return false
}

// Node implements discover.Iterator.
func (it *iterator) Node() *discover.Node { return it.cur }

// Close implements discover.Iterator.
func (it *iterator) Close() { it.cancel() }

// pick returns a random tree with work to do at now, or nil.
func (it *iterator) pick(now time.Time) *clientTree {
	var chosen *clientTree
	n := 0
	for _, ct := range it.trees {
		if ct.syncable(now) {
			n++
			if it.rnd.IntN(n) == 0 {
				chosen = ct
			}
		}
	}
	return chosen
}

// nextCheck returns the earliest time a resting tree has work again.
func (it *iterator) nextCheck() time.Time {
	var t time.Time
	for _, ct := range it.trees {
		if c := ct.nextCheck(); t.IsZero() || c.Before(t) {
			t = c
		}
	}
	return t
}

// sleepUntil waits on the clock until t and reports false if the iterator
// was closed meanwhile.
func (it *iterator) sleepUntil(now, t time.Time) bool {
	if t.IsZero() { // no trees at all
		<-it.ctx.Done()
		return false
	}
	timer := it.c.cfg.Clock.NewTimer(max(t.Sub(now), time.Millisecond))
	defer timer.Stop()
	select {
	case <-timer.C():
		return true
	case <-it.ctx.Done():
		return false
	}
}

// rebuild makes the tree set the trees reachable from the roots by links
// of fully read link subtrees, at most MaxLinkDepth links deep. Trees no
// longer linked are dropped with their progress; each tree is kept once,
// at the depth of its shortest path, which also ends link loops. At most
// maxTrees trees are kept, nearest first.
func (it *iterator) rebuild() {
	old := it.trees
	it.trees = make(map[string]*clientTree, len(old))
	var (
		queue   []*clientTree
		dropped int // links to trees beyond maxTrees, logged once
	)
	visit := func(l *Link, depth int) {
		key := l.String()
		if _, ok := it.trees[key]; ok {
			return
		}
		if len(it.trees) >= maxTrees {
			dropped++
			return
		}
		ct := old[key]
		if ct == nil {
			ct = newClientTree(it.c, l, depth)
		}
		ct.depth = depth
		it.trees[key] = ct
		queue = append(queue, ct)
	}
	for _, l := range it.roots {
		visit(l, 0)
	}
	for len(queue) > 0 {
		ct := queue[0]
		queue = queue[1:]
		if len(ct.linkSet) == 0 {
			continue
		}
		if ct.depth >= it.c.cfg.MaxLinkDepth {
			it.c.cfg.Logger.Debug("dnsdisc: links not followed", "tree", ct.link.Domain, "err", ErrLinkDepth)
			continue
		}
		for _, l := range ct.linkSet {
			visit(l, ct.depth+1)
		}
	}
	if dropped > 0 {
		it.c.cfg.Logger.Debug("dnsdisc: too many linked trees", "max", maxTrees, "dropped", dropped)
	}
}
