package discover

import "sync"

// MergeIters returns an iterator yielding the nodes of every source as
// they come, so that a slow source (a lookup waiting for timeouts) does not
// hold back the others. It is exhausted when all sources are. Closing it
// closes the sources.
//
// Each source is read by its own goroutine, which Close stops and joins.
func MergeIters(sources ...Iterator) Iterator {
	m := &mergeIter{sources: sources, ch: make(chan *Node), closed: make(chan struct{})}
	m.wg.Add(len(sources))
	for _, src := range sources {
		go m.read(src)
	}
	m.done = make(chan struct{})
	go func() {
		m.wg.Wait()
		close(m.done)
	}()
	return m
}

type mergeIter struct {
	// Immutable.
	sources []Iterator
	ch      chan *Node
	closed  chan struct{}
	done    chan struct{} // closed when every reader has returned
	once    sync.Once
	wg      sync.WaitGroup

	// Owned by the goroutine calling Next.
	cur *Node
}

func (m *mergeIter) read(src Iterator) {
	defer m.wg.Done()
	for src.Next() {
		select {
		case m.ch <- src.Node():
		case <-m.closed:
			return
		}
	}
}

// Next implements Iterator.
func (m *mergeIter) Next() bool {
	m.cur = nil
	select {
	case n := <-m.ch:
		m.cur = n
		return true
	case <-m.closed:
		return false
	case <-m.done:
		return false
	}
}

// Node implements Iterator.
func (m *mergeIter) Node() *Node { return m.cur }

// Close implements Iterator. It closes the sources and waits for the
// readers.
func (m *mergeIter) Close() {
	m.once.Do(func() {
		close(m.closed)
		for _, src := range m.sources {
			src.Close()
		}
	})
	<-m.done
}
