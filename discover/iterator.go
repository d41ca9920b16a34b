package discover

import (
	"context"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Iterator is a sequence of nodes. The dial scheduler consumes one.
//
// Next and Node are called from one goroutine; Close may be called from any
// goroutine, at any time, and more than once.
type Iterator interface {
	// Next advances to the next node. It blocks until a node is available
	// and reports false once the iterator is closed or exhausted.
	Next() bool
	// Node returns the current node; it is valid after Next reported true.
	Node() *Node
	// Close ends the iteration and unblocks a waiting Next.
	Close()
}

// emptyLookupDelay is how long a random-node iterator waits before trying
// again after a lookup found nothing (an empty table, an offline network).
const emptyLookupDelay = time.Second

// RandomNodes returns an iterator that runs random lookups forever, yielding
// every node each one finds, until it or the transport is closed.
func (t *UDPv4) RandomNodes() Iterator {
	return newRandomIterator(t.clock, t.tab, t.closing, t.isClosed, func(ctx context.Context) []*Node {
		return t.lookup(ctx, t.randomTarget())
	})
}

// newRandomIterator returns the iterator behind RandomNodes of both
// discovery versions: it runs lookup again and again, once the table has
// had its first refresh, until it is closed or closed reports true (the
// transport's closing channel ends a wait early).
func newRandomIterator(c clock.Clock, tab *table, closing <-chan struct{}, closed func() bool, lookup func(context.Context) []*Node) Iterator {
	ctx, cancel := context.WithCancel(context.Background())
	return &lookupIterator{
		ctx:    ctx,
		cancel: cancel,
		clock:  c,
		next: func(ctx context.Context) []*Node {
			if closed() {
				cancel()
				return nil
			}
			tab.waitInit(ctx)
			return lookup(ctx)
		},
		closing: closing,
	}
}

// lookupIterator yields the results of repeated lookups.
type lookupIterator struct {
	// Owned by the goroutine calling Next.
	buf []*Node
	cur *Node

	// Immutable.
	ctx     context.Context
	cancel  context.CancelFunc
	clock   clock.Clock
	next    func(context.Context) []*Node
	closing <-chan struct{} // the transport's
}

// Next implements Iterator.
func (it *lookupIterator) Next() bool {
	it.cur = nil
	for len(it.buf) == 0 {
		if it.ctx.Err() != nil {
			return false
		}
		it.buf = it.next(it.ctx)
		if len(it.buf) == 0 && !it.sleep(emptyLookupDelay) {
			return false
		}
	}
	it.cur, it.buf = it.buf[0], it.buf[1:]
	return true
}

// sleep waits d on the iterator's clock and reports false if the iterator
// or the transport was closed meanwhile.
func (it *lookupIterator) sleep(d time.Duration) bool {
	timer := it.clock.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C():
		return true
	case <-it.ctx.Done():
		return false
	case <-it.closing:
		it.cancel()
		return false
	}
}

// Node implements Iterator.
func (it *lookupIterator) Node() *Node { return it.cur }

// Close implements Iterator.
func (it *lookupIterator) Close() { it.cancel() }

// ReadNodes reads up to n distinct nodes from it, stopping early when it is
// exhausted. It does not close it.
func ReadNodes(it Iterator, n int) []*Node {
	seen := make(map[nodeid.ID]bool, n)
	out := make([]*Node, 0, n)
	for len(out) < n && it.Next() {
		nd := it.Node()
		if seen[nd.ID()] {
			continue
		}
		seen[nd.ID()] = true
		out = append(out, nd)
	}
	return out
}

// FilterIter wraps it, yielding only nodes for which keep returns true.
// Closing the filter closes it.
func FilterIter(it Iterator, keep func(*Node) bool) Iterator {
	return &filterIter{Iterator: it, keep: keep}
}

type filterIter struct {
	Iterator
	keep func(*Node) bool
}

// Next implements Iterator.
func (f *filterIter) Next() bool {
	for f.Iterator.Next() {
		if f.keep(f.Node()) {
			return true
		}
	}
	return false
}

// SliceIter returns an iterator over a fixed list of nodes, for tests and
// static configurations. It is exhausted after the last node.
func SliceIter(nodes []*Node) Iterator {
	return &sliceIter{nodes: nodes}
}

type sliceIter struct {
	mu     sync.Mutex
	nodes  []*Node
	cur    *Node
	closed bool
}

// Next implements Iterator.
func (s *sliceIter) Next() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed || len(s.nodes) == 0 {
		s.cur = nil
		return false
	}
	s.cur, s.nodes = s.nodes[0], s.nodes[1:]
	return true
}

// Node implements Iterator.
func (s *sliceIter) Node() *Node {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cur
}

// Close implements Iterator.
func (s *sliceIter) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
}
