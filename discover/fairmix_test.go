package discover

import (
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
)

// cycleIter yields its nodes over and over until closed.
type cycleIter struct {
	nodes []*Node
	i     int
	cur   *Node
	once  sync.Once
	done  chan struct{}
}

func newCycleIter(nodes []*Node) *cycleIter {
	return &cycleIter{nodes: nodes, done: make(chan struct{})}
}

func (c *cycleIter) Next() bool {
	select {
	case <-c.done:
		return false
	default:
	}
	c.cur = c.nodes[c.i%len(c.nodes)]
	c.i++
	return true
}
func (c *cycleIter) Node() *Node { return c.cur }
func (c *cycleIter) Close()      { c.once.Do(func() { close(c.done) }) }

// blockIter never yields: Next blocks until Close.
type blockIter struct {
	once sync.Once
	done chan struct{}
}

func newBlockIter() *blockIter { return &blockIter{done: make(chan struct{})} }

func (b *blockIter) Next() bool  { <-b.done; return false }
func (b *blockIter) Node() *Node { return nil }
func (b *blockIter) Close()      { b.once.Do(func() { close(b.done) }) }

func (b *blockIter) isClosed() bool {
	select {
	case <-b.done:
		return true
	default:
		return false
	}
}

func newMix(t *testing.T, timeout time.Duration) *FairMix {
	m, err := NewFairMix(FairMixConfig{Timeout: timeout})
	require.NoError(t, err)
	return m
}

func TestFairMixConfig(t *testing.T) {
	_, err := NewFairMix(FairMixConfig{Timeout: -1})
	require.ErrorIs(t, err, ErrInvalidConfig)
	m, err := NewFairMix(FairMixConfig{})
	require.NoError(t, err)
	require.Equal(t, DefaultMixTimeout, m.cfg.Timeout)
	m.Close()
}

// TestFairMixSlowSource: a source that never yields costs each of its
// turns one timeout, and the other source's nodes still come out.
func TestFairMixSlowSource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := testNodes(t, 4)
		slow := newBlockIter()
		m := newMix(t, 100*time.Millisecond)
		m.AddSource(slow)
		m.AddSource(newCycleIter(nodes))
		start := time.Now()
		for range 100 {
			require.True(t, m.Next())
			require.Contains(t, nodes, m.Node())
		}
		require.LessOrEqual(t, time.Since(start), 50*100*time.Millisecond, "at most one timeout per round")
		m.Close()
		require.True(t, slow.isClosed())
		require.False(t, m.Next())
	})
}

// TestFairMixTurns: sources that always have nodes take turns.
func TestFairMixTurns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b, c := testNodes(t, 1), testNodes(t, 1), testNodes(t, 1)
		m := newMix(t, time.Second)
		m.AddSource(newCycleIter(a))
		m.AddSource(newCycleIter(b))
		m.AddSource(newCycleIter(c))
		synctest.Wait()
		count := map[*Node]int{}
		for range 300 {
			require.True(t, m.Next())
			count[m.Node()]++
		}
		m.Close()
		for _, n := range []*Node{a[0], b[0], c[0]} {
			require.InDelta(t, 100, count[n], 10, "each source gets about a third")
		}
	})
}

// TestFairMixExhausted: finished sources are dropped, an empty mix waits
// for AddSource, and Close ends a waiting Next.
func TestFairMixExhausted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := testNodes(t, 3)
		m := newMix(t, 0)
		m.AddSource(SliceIter(nil))
		m.AddSource(SliceIter(nodes[:2]))
		require.ElementsMatch(t, nodes[:2], ReadNodes(m, 2))

		got := make(chan *Node)
		go func() {
			if m.Next() {
				got <- m.Node()
			}
			close(got)
		}()
		synctest.Wait()
		m.mu.Lock()
		require.Empty(t, m.sources, "exhausted sources are dropped")
		m.mu.Unlock()
		m.AddSource(SliceIter(nodes[2:]))
		require.Equal(t, nodes[2], <-got)

		done := make(chan bool)
		go func() { done <- m.Next() }()
		synctest.Wait()
		m.Close()
		require.False(t, <-done)
		m.AddSource(newBlockIter()) // closed at once, no goroutine left
	})
}
