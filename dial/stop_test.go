package dial

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

func TestStopJoinsEverything(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		it := newFakeIterator()
		dialer := newFakeDialer(t)
		var setupErr error
		setup := func(ctx context.Context, conn net.Conn, n *discover.Node, static bool) error {
			defer conn.Close()
			<-ctx.Done() // a handshake that only ends when cancelled
			setupErr = ctx.Err()
			return setupErr
		}
		s, err := New(nodeid.ID{}, Config{Clock: new(clock.Simulated), Dialer: dialer, Nodes: it, MaxDialedConns: 5}, setup)
		if err != nil {
			t.Fatal(err)
		}
		static := nodes(1, 3)
		for _, n := range static {
			s.AddStatic(n)
		}
		synctest.Wait()
		inSetup, inDial := <-dialer.calls, <-dialer.calls
		inSetup.reply <- nil
		it.feed(t, testNode(5, "127.0.0.1", 30305)) // its dial is never taken
		synctest.Wait()

		s.Stop()
		if !errors.Is(setupErr, context.Canceled) {
			t.Errorf("setup ended with %v, want context.Canceled", setupErr)
		}
		if inDial.ctx.Err() == nil {
			t.Error("dial in flight not cancelled")
		}
		if !it.closed() {
			t.Error("iterator not closed")
		}
		dialer.mu.Lock()
		if len(dialer.untaken) != 1 {
			t.Errorf("%d dials ended while waiting, want the dynamic one", len(dialer.untaken))
		}
		dialer.mu.Unlock()

		// After Stop, every method returns at once and does nothing.
		a := static[0]
		s.AddStatic(a)
		s.RemoveStatic(a.ID())
		s.PeerAdded(a.ID(), Dynamic)
		s.PeerRemoved(a.ID())
		s.InboundPending(a.ID())
		s.InboundDone(a.ID())
		s.Stop()
		synctest.Wait()
		select {
		case c := <-dialer.calls:
			t.Fatalf("dial of %v after Stop", c.node.ID().TerminalString())
		default:
		}
	})
}

func TestIteratorEnds(t *testing.T) {
	// An iterator that runs dry stops dynamic dialing; static dialing goes on.
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialedConns: 5})
		h.iter.Close()
		a := testNode(1, "127.0.0.1", 30303)
		h.sched.AddStatic(a)
		h.expectDials(a)[0].reply <- errRefused
	})
}

func TestNewErrors(t *testing.T) {
	noSetup := SetupFunc(nil)
	okSetup := func(context.Context, net.Conn, *discover.Node, bool) error { return nil }
	for _, tc := range []struct {
		name  string
		cfg   Config
		setup SetupFunc
		want  error
	}{
		{"nil setup", Config{}, noSetup, ErrNilSetup},
		{"invalid prefix", Config{NetRestrict: []netip.Prefix{{}}}, okSetup, ErrInvalidConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			it := newFakeIterator()
			tc.cfg.Nodes = it
			if _, err := New(nodeid.ID{}, tc.cfg, tc.setup); !errors.Is(err, tc.want) {
				t.Fatalf("New error = %v, want %v", err, tc.want)
			}
			if it.closed() {
				t.Fatal("New closed the iterator it did not take")
			}
		})
	}
}

type nilDialer struct{}

func (nilDialer) Dial(context.Context, *discover.Node) (net.Conn, error) { return nil, nil }

func TestDialerWithoutConn(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		sim := new(clock.Simulated)
		setupCalled := false
		s, err := New(nodeid.ID{}, Config{Clock: sim, Dialer: nilDialer{}}, func(context.Context, net.Conn, *discover.Node, bool) error {
			setupCalled = true
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Stop()
		s.AddStatic(testNode(1, "127.0.0.1", 30303))
		synctest.Wait()
		if setupCalled {
			t.Fatal("setup called without a connection")
		}
		if n := sim.ActiveTimers(); n != 1 {
			t.Fatalf("%d timers active, want the backoff timer of a failed dial", n)
		}
	})
}
