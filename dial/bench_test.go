package dial

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

// benchClock moves a minute forward at every Now, so the dial history never
// blocks a node, and its timers never fire.
type benchClock struct{ n atomic.Int64 }

func (c *benchClock) Now() time.Time {
	return clock.SimulatedEpoch.Add(time.Duration(c.n.Add(1)) * time.Minute)
}
func (c *benchClock) NewTimer(time.Duration) clock.Timer          { return benchTimer{} }
func (c *benchClock) AfterFunc(time.Duration, func()) clock.Timer { return benchTimer{} }

type benchTimer struct{}

func (benchTimer) C() <-chan time.Time      { return nil }
func (benchTimer) Stop() bool               { return true }
func (benchTimer) Reset(time.Duration) bool { return true }

// loopIterator yields the same nodes over and over.
type loopIterator struct {
	nodes []*discover.Node
	i     int
	done  chan struct{}
}

func (it *loopIterator) Next() bool {
	select {
	case <-it.done:
		return false
	default:
		it.i++
		return true
	}
}
func (it *loopIterator) Node() *discover.Node { return it.nodes[it.i%len(it.nodes)] }
func (it *loopIterator) Close()               { close(it.done) }

// countDialer fails every dial at once and signals after want dials.
type countDialer struct {
	n    atomic.Int64
	want int64
	done chan struct{}
}

var errBench = errors.New("bench: refused")

func (d *countDialer) Dial(ctx context.Context, n *discover.Node) (net.Conn, error) {
	if d.n.Add(1) == d.want {
		close(d.done)
	}
	return nil, errBench
}

// BenchmarkDynamicDials measures discovered nodes scheduled and dialled per
// second: the reader, the loop's checks, a task goroutine per dial and its
// result, with a dialer that fails at once.
func BenchmarkDynamicDials(b *testing.B) {
	nodes := make([]*discover.Node, 256)
	for i := range nodes {
		nodes[i] = testNode(i, "127.0.0.1", uint16(30000+i))
	}
	it := &loopIterator{nodes: nodes, done: make(chan struct{})}
	d := &countDialer{want: int64(b.N), done: make(chan struct{})}
	b.ReportAllocs()
	b.ResetTimer()
	s, err := New(nodeid.ID{}, Config{
		MaxDialedConns: 64,
		Nodes:          it,
		Dialer:         d,
		Clock:          new(benchClock),
	}, func(context.Context, net.Conn, *discover.Node, bool) error { return nil })
	if err != nil {
		b.Fatal(err)
	}
	<-d.done
	b.StopTimer()
	s.Stop()
}

// BenchmarkNotify measures one server notification (InboundPending plus
// InboundDone, two loop turns) with 100 connected static nodes, whose
// schedules every loop turn re-examines.
func BenchmarkNotify(b *testing.B) {
	const statics = 100
	var s *Scheduler
	setup := func(_ context.Context, conn net.Conn, n *discover.Node, _ bool) error {
		conn.Close()
		s.PeerAdded(n.ID(), Static)
		return nil
	}
	d := &pipeDialer{}
	s, err := New(nodeid.ID{}, Config{MaxActiveDials: statics, Dialer: d, Clock: new(clock.Simulated)}, setup)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Stop()
	ns := make([]*discover.Node, statics+1)
	for i := range ns {
		ns[i] = testNode(i, "127.0.0.1", uint16(30000+i))
	}
	for _, n := range ns[:statics] {
		s.AddStatic(n)
	}
	other := ns[statics].ID()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		s.InboundPending(other)
		s.InboundDone(other)
	}
}

// pipeDialer connects every dial to an in-memory pipe.
type pipeDialer struct{}

func (pipeDialer) Dial(context.Context, *discover.Node) (net.Conn, error) {
	a, b := net.Pipe()
	b.Close()
	return a, nil
}
