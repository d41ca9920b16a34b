package dial

import (
	"context"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

// TestDiscoveredNodesOverTCP runs the scheduler as the server does: real
// TCP on loopback, the system clock, and a discover iterator.
func TestDiscoveredNodesOverTCP(t *testing.T) {
	const count = 4
	var (
		ns  []*discover.Node
		lns []net.Listener
		wg  sync.WaitGroup
	)
	for i := range count {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		lns = append(lns, ln)
		ns = append(ns, testNode(i, "127.0.0.1", uint16(ln.Addr().(*net.TCPAddr).Port)))
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				c, err := ln.Accept()
				if err != nil {
					return
				}
				c.Close()
			}
		}()
	}
	defer func() {
		for _, ln := range lns {
			ln.Close()
		}
		wg.Wait()
	}()

	type result struct {
		id     nodeid.ID
		static bool
	}
	results := make(chan result, count)
	var s *Scheduler
	ready := make(chan struct{}) // dials of Nodes may start before New returns
	setup := func(ctx context.Context, conn net.Conn, n *discover.Node, static bool) error {
		conn.Close()
		<-ready
		kind := Dynamic
		if static {
			kind = Static
		}
		s.PeerAdded(n.ID(), kind)
		results <- result{n.ID(), static}
		return nil
	}
	s, err := New(nodeid.ID{}, Config{
		MaxDialedConns: count - 1,
		Nodes:          discover.SliceIter(ns[1:]),
		Dialer:         TCPDialer{Timeout: 5 * time.Second},
	}, setup)
	if err != nil {
		t.Fatal(err)
	}
	close(ready)
	defer s.Stop()
	s.AddStatic(ns[0])

	want := make(map[nodeid.ID]bool) // ID → static
	for i, n := range ns {
		want[n.ID()] = i == 0
	}
	for range count {
		select {
		case r := <-results:
			static, ok := want[r.id]
			if !ok {
				t.Fatalf("unexpected or repeated setup of %v", r.id.TerminalString())
			}
			if r.static != static {
				t.Errorf("%v set up with static = %v, want %v", r.id.TerminalString(), r.static, static)
			}
			delete(want, r.id)
		case <-time.After(20 * time.Second): // failure guard only
			t.Fatalf("%d nodes never connected", len(want))
		}
	}
}
