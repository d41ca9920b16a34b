package clock

import (
	"container/heap"
	"sync"
	"time"
)

// SimulatedEpoch is the time a zero Simulated clock starts at.
var SimulatedEpoch = time.Date(2026, time.January, 1, 0, 0, 0, 0, time.UTC)

// Simulated is a Clock whose time only moves when Run is called. Timers fire
// in deadline order from within Run: channel timers by a non-blocking send on
// their one-slot channel, AfterFunc timers by calling the function on Run's
// goroutine. Its zero value starts at SimulatedEpoch and is ready to use; it
// is safe for concurrent use.
type Simulated struct {
	mu      sync.Mutex
	cond    *sync.Cond
	now     time.Time
	started bool
	seq     uint64
	timers  simHeap
}

func (s *Simulated) init() {
	if !s.started {
		s.started = true
		s.now = SimulatedEpoch
		s.cond = sync.NewCond(&s.mu)
	}
}

// Now returns the simulated time.
func (s *Simulated) Now() time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	return s.now
}

// NewTimer creates a timer that fires once the clock has been run past d.
func (s *Simulated) NewTimer(d time.Duration) Timer {
	t := &simTimer{clock: s, ch: make(chan time.Time, 1)}
	s.schedule(t, d)
	return t
}

// AfterFunc creates a timer that calls f from Run once the clock passes d.
func (s *Simulated) AfterFunc(d time.Duration, f func()) Timer {
	t := &simTimer{clock: s, fn: f}
	s.schedule(t, d)
	return t
}

func (s *Simulated) schedule(t *simTimer, d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	s.seq++
	t.at, t.seq = s.now.Add(d), s.seq
	heap.Push(&s.timers, t)
	s.cond.Broadcast()
}

// Run advances the clock by d, firing every timer that falls due on the way
// in order of its deadline.
func (s *Simulated) Run(d time.Duration) {
	s.mu.Lock()
	s.init()
	end := s.now.Add(d)
	for len(s.timers) > 0 && !s.timers[0].at.After(end) {
		t := heap.Pop(&s.timers).(*simTimer)
		s.now = t.at
		s.mu.Unlock()
		t.fire()
		s.mu.Lock()
	}
	s.now = end
	s.mu.Unlock()
}

// ActiveTimers returns the number of timers that have not fired or been
// stopped.
func (s *Simulated) ActiveTimers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.timers)
}

// WaitForTimers blocks until at least n timers are active. Tests use it to
// know that the code under test has reached the point where it waits on the
// clock, before they call Run.
func (s *Simulated) WaitForTimers(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.init()
	for len(s.timers) < n {
		s.cond.Wait()
	}
}

type simTimer struct {
	clock *Simulated
	at    time.Time
	seq   uint64
	index int // position in the heap, -1 when not scheduled
	ch    chan time.Time
	fn    func()
}

func (t *simTimer) fire() {
	if t.fn != nil {
		t.fn()
		return
	}
	select {
	case t.ch <- t.at:
	default:
	}
}

func (t *simTimer) C() <-chan time.Time { return t.ch }

func (t *simTimer) Stop() bool {
	s := t.clock
	s.mu.Lock()
	defer s.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&s.timers, t.index)
	return true
}

func (t *simTimer) Reset(d time.Duration) bool {
	s := t.clock
	s.mu.Lock()
	active := t.index >= 0
	if active {
		heap.Remove(&s.timers, t.index)
	}
	s.mu.Unlock()
	s.schedule(t, d)
	return active
}

// simHeap orders timers by deadline, then by creation order.
type simHeap []*simTimer

func (h simHeap) Len() int { return len(h) }
func (h simHeap) Less(i, j int) bool {
	if h[i].at.Equal(h[j].at) {
		return h[i].seq < h[j].seq
	}
	return h[i].at.Before(h[j].at)
}
func (h simHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *simHeap) Push(x any) {
	t := x.(*simTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *simHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	old[len(old)-1] = nil
	t.index = -1
	*h = old[:len(old)-1]
	return t
}
