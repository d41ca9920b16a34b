package discover

import (
	"fmt"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/clock"
)

// DefaultMixTimeout is how long FairMix.Next waits for the source whose
// turn it is before it takes a node from any source.
const DefaultMixTimeout = 100 * time.Millisecond

// FairMixConfig tunes a FairMix. The zero value is usable.
type FairMixConfig struct {
	// Timeout is how long Next waits for the source whose turn it is
	// before taking a node from whichever source has one. Default
	// DefaultMixTimeout (100 ms).
	Timeout time.Duration
	// Clock is the time source of the timeout; nil means the system clock.
	Clock clock.Clock
}

func (cfg FairMixConfig) withDefaults() (FairMixConfig, error) {
	if cfg.Timeout < 0 {
		return cfg, fmt.Errorf("%w: Timeout is negative (%v)", ErrInvalidConfig, cfg.Timeout)
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultMixTimeout
	}
	cfg.Clock = clock.OrSystem(cfg.Clock)
	return cfg, nil
}

// FairMix is an Iterator that draws from any number of sources in turn, so
// that a slow or empty source never starves the others: each Next asks
// the next source in round-robin order and, if it has no node within the
// timeout, takes the first node any source offers.
//
// Every source runs in its own goroutine, which reads one node ahead. A
// source that is exhausted is dropped. Close closes every source and
// joins its goroutine. Next and Node are called from one goroutine;
// AddSource and Close from any.
type FairMix struct {
	// Immutable.
	cfg     FairMixConfig
	fromAny chan *Node
	closed  chan struct{}
	added   chan struct{} // a source was added; buffered 1

	mu        sync.Mutex // protects sources, next, isClosed
	sources   []*mixSource
	next      int
	isClosed  bool
	closeOnce sync.Once
	wg        sync.WaitGroup // source goroutines

	cur *Node // owned by the goroutine calling Next
}

type mixSource struct {
	it   Iterator
	next chan *Node // closed when the source is exhausted
}

// NewFairMix returns an empty mix; add sources with AddSource.
func NewFairMix(cfg FairMixConfig) (*FairMix, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &FairMix{
		cfg:     cfg,
		fromAny: make(chan *Node),
		closed:  make(chan struct{}),
		added:   make(chan struct{}, 1),
	}, nil
}

// AddSource adds it to the mix, which now owns it and closes it when the
// mix is closed or it is exhausted. A source added after Close is closed
// at once.
func (m *FairMix) AddSource(it Iterator) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.isClosed {
		it.Close()
		return
	}
	s := &mixSource{it: it, next: make(chan *Node)}
	m.sources = append(m.sources, s)
	m.wg.Add(1)
	go m.runSource(s)
	select {
	case m.added <- struct{}{}:
	default:
	}
}

// runSource feeds the nodes of s to whichever asks first: Next waiting on
// this source, or Next taking from any.
func (m *FairMix) runSource(s *mixSource) {
	defer m.wg.Done()
	defer close(s.next)
	defer s.it.Close()
	for s.it.Next() {
		n := s.it.Node()
		select {
		case s.next <- n:
		case m.fromAny <- n:
		case <-m.closed:
			return
		}
	}
}

// Next implements Iterator. It blocks until a source offers a node and
// returns false only once the mix is closed; a mix whose sources are all
// exhausted waits for AddSource.
func (m *FairMix) Next() bool {
	m.cur = nil
	for {
		s := m.pick()
		if s == nil {
			select {
			case n := <-m.fromAny:
				m.cur = n
				return true
			case <-m.added:
				continue
			case <-m.closed:
				return false
			}
		}
		n, ok, open := m.take(s)
		if !open {
			return false
		}
		if !ok {
			m.remove(s)
			continue
		}
		m.cur = n
		return true
	}
}

// take waits for s's node up to the timeout, then for any source's. ok is
// false when s turned out exhausted; open is false when the mix closed.
func (m *FairMix) take(s *mixSource) (n *Node, ok, open bool) {
	timer := m.cfg.Clock.NewTimer(m.cfg.Timeout)
	defer timer.Stop()
	select {
	case n, ok := <-s.next:
		return n, ok, true
	case <-m.closed:
		return nil, false, false
	case <-timer.C():
	}
	select {
	case n, ok := <-s.next:
		return n, ok, true
	case n := <-m.fromAny:
		return n, true, true
	case <-m.closed:
		return nil, false, false
	}
}

// pick returns the source whose turn it is, or nil when there is none.
func (m *FairMix) pick() *mixSource {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.isClosed || len(m.sources) == 0 {
		return nil
	}
	m.next %= len(m.sources)
	s := m.sources[m.next]
	m.next++
	return s
}

func (m *FairMix) remove(s *mixSource) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, x := range m.sources {
		if x == s {
			m.sources = append(m.sources[:i], m.sources[i+1:]...)
			return
		}
	}
}

// Node implements Iterator.
func (m *FairMix) Node() *Node { return m.cur }

// Close implements Iterator: it closes every source and waits for their
// goroutines.
func (m *FairMix) Close() {
	m.closeOnce.Do(func() {
		m.mu.Lock()
		m.isClosed = true
		close(m.closed)
		srcs := m.sources
		m.sources = nil
		m.mu.Unlock()
		for _, s := range srcs {
			s.it.Close()
		}
		m.wg.Wait()
	})
}
