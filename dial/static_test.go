package dial

import (
	"errors"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

// dialAfter checks that n is dialled exactly d after the scheduler armed its
// static timer, and returns the dial.
func (h *harness) dialAfter(n *discover.Node, d time.Duration) *dialCall {
	h.t.Helper()
	if d > 0 {
		h.clock.WaitForTimers(1)
		h.clock.Run(d - time.Millisecond)
		h.noDial()
		h.clock.Run(time.Millisecond)
	}
	return h.expectDials(n)[0]
}

func TestStaticBackoff(t *testing.T) {
	a := testNode(1, "127.0.0.1", 30303)
	// Each round: the dial comes wait after the previous round ended; it
	// fails, or connects and the peer drops after hold.
	rounds := []struct {
		name string
		wait time.Duration
		fail bool
		hold time.Duration
	}{
		{"first dial is immediate", 0, true, 0},
		{"first retry after the minimum", 5 * time.Second, true, 0},
		{"doubles", 10 * time.Second, true, 0},
		{"doubles again", 20 * time.Second, true, 0},
		{"40s", 40 * time.Second, true, 0},
		{"80s", 80 * time.Second, true, 0},
		{"160s", 160 * time.Second, true, 0},
		{"capped at the maximum", 5 * time.Minute, true, 0},
		{"stays at the maximum", 5 * time.Minute, false, 29 * time.Second},
		{"a drop within 30s counts as a failure", 5 * time.Minute, false, 30 * time.Second},
		{"a stable connection resets to the minimum", 5 * time.Second, true, 0},
		{"then doubles again", 10 * time.Second, false, 0},
		{"an immediate drop continues the ladder", 20 * time.Second, true, 0},
	}
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{})
		h.sched.AddStatic(a)
		for _, r := range rounds {
			h.round = r.name + ": "
			c := h.dialAfter(a, r.wait)
			if r.fail {
				c.reply <- errRefused
				continue
			}
			if s := h.connect(c); !s.static {
				t.Fatalf("%ssetup called with static = false", h.round)
			}
			h.clock.Run(r.hold)
			h.peerRemoved(a)
		}
	})
}

func TestStaticNoTimerWhileConnected(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := testNode(1, "127.0.0.1", 30303)
		h := newHarness(t, Config{})
		h.sched.AddStatic(a)
		h.connect(h.dialAfter(a, 0))
		synctest.Wait()
		if n := h.clock.ActiveTimers(); n != 0 {
			t.Fatalf("%d timers active while the static peer is connected", n)
		}
		h.clock.Run(time.Hour)
		h.noDial()
	})
}

func TestStaticFailureInSetup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := testNode(1, "127.0.0.1", 30303)
		h := newHarness(t, Config{})
		h.setupErr[a.ID()] = errors.New("too many peers")
		h.sched.AddStatic(a)
		h.connect(h.dialAfter(a, 0))
		h.connect(h.dialAfter(a, 5*time.Second))
		delete(h.setupErr, a.ID())
		h.connect(h.dialAfter(a, 10*time.Second))
		h.noDial()
	})
}

func TestStaticResolve(t *testing.T) {
	a := testNode(1, "127.0.0.1", 30303)
	moved := testNode(1, "127.0.0.2", 30304)
	other := testNode(2, "127.0.0.3", 30303)

	t.Run("moved node is dialled at its new address", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r := &fakeResolver{nodes: map[nodeid.ID]*discover.Node{a.ID(): moved}}
			h := newHarness(t, Config{Resolver: r})
			h.sched.AddStatic(a)
			c := h.dialAfter(a, 0)
			if c.node.TCPAddr() != a.TCPAddr() || r.count() != 0 {
				t.Fatalf("first dial to %v after %d resolves, want %v without resolving", c.node.TCPAddr(), r.count(), a.TCPAddr())
			}
			c.reply <- errRefused
			c = h.dialAfter(a, 5*time.Second)
			if c.node.TCPAddr() != moved.TCPAddr() {
				t.Fatalf("second dial to %v, want %v", c.node.TCPAddr(), moved.TCPAddr())
			}
			if s := h.connect(c); s.node.TCPAddr() != moved.TCPAddr() {
				t.Fatalf("setup got %v, want %v", s.node.TCPAddr(), moved.TCPAddr())
			}
			h.clock.Run(time.Minute)
			h.peerRemoved(a)
			c = h.dialAfter(a, 5*time.Second)
			if c.node.TCPAddr() != moved.TCPAddr() {
				t.Fatalf("redial after disconnect to %v, want the resolved %v", c.node.TCPAddr(), moved.TCPAddr())
			}
			if r.count() != 1 {
				t.Fatalf("resolver called %d times, want 1", r.count())
			}
			c.reply <- errRefused
		})
	})

	// Cases where the second dial must still go to the original address.
	for _, tc := range []struct {
		name  string
		known *discover.Node
	}{
		{"resolver finds nothing", nil},
		{"resolver answers with another node", other},
		{"resolver answers with the same record", a},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := &fakeResolver{nodes: map[nodeid.ID]*discover.Node{}}
				if tc.known != nil {
					r.nodes[a.ID()] = tc.known
				}
				h := newHarness(t, Config{Resolver: r})
				h.sched.AddStatic(a)
				h.dialAfter(a, 0).reply <- errRefused
				c := h.dialAfter(a, 5*time.Second)
				if c.node.TCPAddr() != a.TCPAddr() {
					t.Fatalf("second dial to %v, want %v", c.node.TCPAddr(), a.TCPAddr())
				}
				if r.count() != 1 {
					t.Fatalf("resolver called %d times, want 1", r.count())
				}
				c.reply <- errRefused
			})
		})
	}

	t.Run("setup failure does not resolve", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			r := &fakeResolver{nodes: map[nodeid.ID]*discover.Node{a.ID(): moved}}
			h := newHarness(t, Config{Resolver: r})
			h.setupErr[a.ID()] = errors.New("useless peer")
			h.sched.AddStatic(a)
			h.connect(h.dialAfter(a, 0))
			c := h.dialAfter(a, 5*time.Second)
			if c.node.TCPAddr() != a.TCPAddr() || r.count() != 0 {
				t.Fatalf("dial to %v after %d resolves, want %v without resolving", c.node.TCPAddr(), r.count(), a.TCPAddr())
			}
			c.reply <- errRefused
		})
	})

	t.Run("incomplete node is resolved before its first dial", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			incomplete := testNode(1, "", 0)
			r := &fakeResolver{nodes: map[nodeid.ID]*discover.Node{a.ID(): moved}}
			h := newHarness(t, Config{Resolver: r})
			h.sched.AddStatic(incomplete)
			c := h.dialAfter(a, 0)
			if c.node.TCPAddr() != moved.TCPAddr() {
				t.Fatalf("dial to %v, want %v", c.node.TCPAddr(), moved.TCPAddr())
			}
			c.reply <- errRefused
		})
	})

	t.Run("unresolvable incomplete node is retried with backoff", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			incomplete := testNode(1, "", 0)
			r := &fakeResolver{nodes: map[nodeid.ID]*discover.Node{}}
			h := newHarness(t, Config{Resolver: r})
			h.sched.AddStatic(incomplete)
			for i, wait := range []time.Duration{5 * time.Second, 10 * time.Second, 20 * time.Second} {
				synctest.Wait()
				if r.count() != i+1 {
					t.Fatalf("resolver called %d times, want %d", r.count(), i+1)
				}
				h.clock.Run(wait - time.Millisecond)
				synctest.Wait()
				if r.count() != i+1 {
					t.Fatalf("resolved again before the backoff of %v ended", wait)
				}
				if i == 2 {
					r.set(moved) // discovery finds it at last
				}
				h.noDial() // never dialled without an endpoint
				h.clock.Run(time.Millisecond)
			}
			h.expectDials(moved)[0].reply <- errRefused
		})
	})
}

func TestStaticNotDialledWhileBusy(t *testing.T) {
	a := testNode(1, "127.0.0.1", 30303)

	t.Run("connected inbound", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t, Config{})
			h.sched.PeerAdded(a.ID(), Inbound)
			h.sched.AddStatic(a)
			h.noDial()
			h.clock.Run(time.Minute)
			h.sched.PeerRemoved(a.ID())
			h.dialAfter(a, 5*time.Second).reply <- errRefused
		})
	})

	t.Run("inbound handshake in progress", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t, Config{})
			h.sched.InboundPending(a.ID())
			h.sched.InboundPending(a.ID())
			h.sched.AddStatic(a)
			h.sched.InboundDone(a.ID())
			h.noDial()
			h.sched.InboundDone(a.ID()) // the last one: a is due at once
			h.dialAfter(a, 0).reply <- errRefused
		})
	})

	t.Run("self", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := newHarnessAs(t, a.ID(), Config{})
			h.sched.AddStatic(a)
			h.noDial()
			h.clock.Run(time.Hour)
			h.noDial()
		})
	})
}

func TestStaticOutsideNetRestrict(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a := testNode(1, "127.0.1.1", 30303)
		h := newHarness(t, Config{NetRestrict: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/24")}})
		h.sched.AddStatic(a)
		// The attempts fail without calling the Dialer, and back off.
		for _, wait := range []time.Duration{5 * time.Second, 10 * time.Second} {
			h.noDial()
			if n := h.clock.ActiveTimers(); n != 1 {
				t.Fatalf("%d timers active, want the backoff timer", n)
			}
			h.clock.Run(wait)
		}
		h.noDial()
		h.dialer.mu.Lock()
		defer h.dialer.mu.Unlock()
		if len(h.dialer.log) != 0 {
			t.Fatalf("dialer called for %v", ids(h.dialer.log))
		}
	})
}

func TestStaticUpdateAndRemove(t *testing.T) {
	a := testNode(1, "127.0.0.1", 30303)
	a2 := testNode(1, "127.0.0.2", 30303)

	t.Run("new record keeps the backoff", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t, Config{})
			h.sched.AddStatic(a)
			h.dialAfter(a, 0).reply <- errRefused
			h.sched.AddStatic(a2)
			c := h.dialAfter(a, 5*time.Second)
			if c.node.TCPAddr() != a2.TCPAddr() {
				t.Fatalf("dial to %v, want the updated %v", c.node.TCPAddr(), a2.TCPAddr())
			}
			c.reply <- errRefused
		})
	})

	t.Run("remove cancels the dial in flight", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t, Config{})
			h.sched.AddStatic(a)
			c := h.dialAfter(a, 0)
			h.sched.RemoveStatic(a.ID())
			synctest.Wait()
			if c.ctx.Err() == nil {
				t.Fatal("dial context not cancelled")
			}
			h.clock.Run(time.Hour)
			h.noDial()
			if n := h.clock.ActiveTimers(); n != 0 {
				t.Fatalf("%d timers active, want none", n)
			}
		})
	})

	t.Run("removed node is not redialled after disconnect", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			h := newHarness(t, Config{})
			h.sched.AddStatic(a)
			h.connect(h.dialAfter(a, 0))
			h.sched.RemoveStatic(a.ID())
			h.peerRemoved(a)
			h.clock.Run(time.Hour)
			h.noDial()
			if n := h.clock.ActiveTimers(); n != 0 {
				t.Fatalf("%d timers active, want none", n)
			}
		})
	})
}
