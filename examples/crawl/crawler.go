package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

// verifyTimeout bounds the verification of one node: the ping that bonds
// with it if needed, then the ENR request, or a plain ping as a fallback.
const verifyTimeout = 5 * time.Second

// entry is what the crawler knows about one node.
type entry struct {
	node      *discover.Node // the newest form: with its record once we have it
	firstSeen time.Time
	lastSeen  time.Time
	verified  bool // it answered a ping or an ENR request
}

// result is the outcome of verifying one node.
type result struct {
	node     *discover.Node // as given, or the record-carrying node from RequestENR
	verified bool
	at       time.Time
}

// discovery is what the crawler needs from a discv4 (*discover.UDPv4) or
// discv5 (*discover.UDPv5) node.
type discovery interface {
	RandomNodes() discover.Iterator
	RequestENR(ctx context.Context, n *discover.Node) (*discover.Node, error)
	Ping(ctx context.Context, n *discover.Node) (uint64, error)
	Self() *discover.Node
	Close()
}

// crawler walks the network through a discovery node. Its maps and counters
// are owned by the goroutine running crawl; the iterator reader and the
// verifications talk to it through channels.
type crawler struct {
	disc    discovery
	workers int // verifications in flight at most
	log     *slog.Logger
	now     func() time.Time

	// Owned by crawl.
	nodes    map[nodeid.ID]*entry
	queue    []*discover.Node // seen, waiting for verification
	inflight int
	verified int
}

func newCrawler(disc discovery, workers int, log *slog.Logger) *crawler {
	return &crawler{disc: disc, workers: workers, log: log, now: time.Now, nodes: make(map[nodeid.ID]*entry)}
}

// crawl walks the network from the given start nodes and the nodes of it
// (which it closes) until ctx ends,
// printing a progress line to progressOut every progress interval, and
// returns the nodes it verified, in the order they were first seen.
func (c *crawler) crawl(ctx context.Context, it discover.Iterator, start []*discover.Node, progress time.Duration, progressOut io.Writer) []*entry {
	found := make(chan *discover.Node)
	results := make(chan result, c.workers) // never blocks: at most workers are in flight
	verifyCtx, cancelVerify := context.WithCancel(context.Background())
	var wg sync.WaitGroup

	// The iterator's reader: Next blocks while lookups run.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for it.Next() {
			select {
			case found <- it.Node():
			case <-ctx.Done():
				return
			}
		}
	}()
	defer func() {
		it.Close()
		cancelVerify()
		for c.inflight > 0 { // collect the cancelled verifications
			c.handleResult(<-results)
		}
		wg.Wait()
	}()

	for _, n := range start {
		c.see(n)
	}
	began := c.now()
	ticker := time.NewTicker(progress)
	defer ticker.Stop()
	for {
		c.startVerifications(verifyCtx, &wg, results)
		select {
		case n := <-found:
			c.see(n)
		case r := <-results:
			c.handleResult(r)
		case <-ticker.C:
			c.printProgress(progressOut, began)
		case <-ctx.Done():
			c.printProgress(progressOut, began)
			return c.verifiedEntries()
		}
	}
}

// see records a node reported by a lookup (or given as a start node) and
// queues it for verification when it is new.
func (c *crawler) see(n *discover.Node) {
	if n.Incomplete() {
		return
	}
	now := c.now()
	if e, ok := c.nodes[n.ID()]; ok {
		e.lastSeen = now
		if n.Seq() > e.node.Seq() {
			e.node = n
		}
		return
	}
	c.nodes[n.ID()] = &entry{node: n, firstSeen: now, lastSeen: now}
	c.queue = append(c.queue, n)
}

// startVerifications starts queued verifications up to the worker limit.
func (c *crawler) startVerifications(ctx context.Context, wg *sync.WaitGroup, results chan<- result) {
	for c.inflight < c.workers && len(c.queue) > 0 {
		n := c.queue[0]
		c.queue[0] = nil
		c.queue = c.queue[1:]
		c.inflight++
		wg.Add(1)
		go func() {
			defer wg.Done()
			results <- c.verify(ctx, n)
		}()
	}
}

// verify asks n for its record (EIP-868), which bonds with it first when
// needed; a node that does not serve records but answers a ping counts as
// verified too.
func (c *crawler) verify(ctx context.Context, n *discover.Node) result {
	ctx, cancel := context.WithTimeout(ctx, verifyTimeout)
	defer cancel()
	withRecord, err := c.disc.RequestENR(ctx, n)
	if err == nil {
		return result{node: withRecord, verified: true, at: c.now()}
	}
	c.log.Debug("ENR request failed", "node", n.TerminalString(), "err", err)
	if _, err := c.disc.Ping(ctx, n); err != nil {
		c.log.Debug("ping failed", "node", n.TerminalString(), "err", err)
		return result{node: n}
	}
	return result{node: n, verified: true, at: c.now()}
}

func (c *crawler) handleResult(r result) {
	c.inflight--
	e := c.nodes[r.node.ID()]
	if !r.verified || e == nil {
		return
	}
	if !e.verified {
		e.verified = true
		c.verified++
	}
	e.lastSeen = r.at
	if r.node.Seq() >= e.node.Seq() && r.node.Record() != nil {
		e.node = r.node
	}
}

func (c *crawler) printProgress(w io.Writer, began time.Time) {
	fmt.Fprintf(w, "crawl: %v: seen %d, verified %d, in flight %d, queued %d\n",
		c.now().Sub(began).Round(time.Second), len(c.nodes), c.verified, c.inflight, len(c.queue))
}

func (c *crawler) verifiedEntries() []*entry {
	var res []*entry
	for _, e := range c.nodes {
		if e.verified {
			res = append(res, e)
		}
	}
	slices.SortFunc(res, func(a, b *entry) int {
		if d := a.firstSeen.Compare(b.firstSeen); d != 0 {
			return d
		}
		ida, idb := a.node.ID(), b.node.ID()
		return bytes.Compare(ida[:], idb[:])
	})
	return res
}
