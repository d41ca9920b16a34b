package dial

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

func TestDynamicDialRatio(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const limit = 3
		h := newHarness(t, Config{MaxDialedConns: limit})
		// At every dial, dynamic dials in flight plus dynamic peers stay
		// within the cap. The dialer's count is a lower bound of the
		// scheduler's, so this catches any dial started beyond it.
		h.dialer.check = func(*discover.Node) {
			h.mu.Lock()
			defer h.mu.Unlock()
			if n := h.dialer.active + h.dynPeers(); n > limit {
				t.Errorf("dynamic dial with %d dials in flight and %d dynamic peers, cap %d", h.dialer.active, h.dynPeers(), limit)
			}
		}
		n := nodes(1, 7)

		h.iter.feed(t, n[0], n[1], n[2])
		c := h.expectDials(n[0], n[1], n[2])
		h.iter.feed(t, n[3]) // taken by the reader, held until a slot frees

		h.connect(c[0]) // 1 peer + 2 dials: full
		h.noDial()
		c[1].reply <- errRefused
		c3 := h.expectDials(n[3])[0]

		h.iter.feed(t, n[4])
		h.noDial()
		c3.reply <- errRefused // frees a slot
		c4 := h.expectDials(n[4])[0]

		h.iter.feed(t, n[5])
		h.connect(c4) // 2 peers + the dial of n[2]: full
		h.noDial()
		h.peerRemoved(n[0]) // a peer leaves: dialling resumes
		c5 := h.expectDials(n[5])[0]

		c[2].reply <- errRefused
		c5.reply <- errRefused
	})
}

func TestDynamicDialingOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		it := newFakeIterator()
		h := newHarness(t, Config{Nodes: it}) // MaxDialedConns 0
		synctest.Wait()
		select {
		case it.ch <- testNode(1, "127.0.0.1", 30303):
			t.Fatal("iterator read although dynamic dialing is off")
		default:
		}
		h.sched.Stop()
		if !it.closed() {
			t.Fatal("iterator not closed by Stop")
		}
	})
}

func TestMaxActiveDials(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxActiveDials: 2, MaxDialedConns: 10})
		h.dialer.check = func(*discover.Node) {
			if h.dialer.active > 2 {
				t.Errorf("%d dials in flight, limit 2", h.dialer.active)
			}
		}
		static := nodes(1, 4)
		dyn := nodes(10, 12)
		for _, n := range static {
			h.sched.AddStatic(n)
		}
		first := h.expectAnyDials(2)
		h.iter.feed(t, dyn[0]) // waits: no free slot
		h.noDial()

		var third *discover.Node
		for _, n := range static {
			if n.ID() != first[0].node.ID() && n.ID() != first[1].node.ID() {
				third = n
			}
		}
		first[0].reply <- errRefused
		c := h.expectDials(third)[0] // static dials go first

		first[1].reply <- errRefused
		c0 := h.expectDials(dyn[0])[0]
		h.iter.feed(t, dyn[1])
		h.noDial()
		c.reply <- errRefused
		c1 := h.expectDials(dyn[1])[0]
		c0.reply <- errRefused
		c1.reply <- errRefused

		if h.dialer.maxActive != 2 {
			t.Fatalf("at most %d dials in flight, want 2", h.dialer.maxActive)
		}
	})
}

func TestStaticDialsSharedFairly(t *testing.T) {
	// With more static nodes due than slots, a seeded Rand decides; over
	// rounds every node gets its turn.
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxActiveDials: 1})
		static := nodes(1, 4)
		for _, n := range static {
			h.sched.AddStatic(n)
		}
		seen := make(map[nodeid.ID]bool)
		for range static {
			c := h.expectAnyDials(1)[0]
			if seen[c.node.ID()] {
				t.Fatalf("%v dialled twice before the others", c.node.ID().TerminalString())
			}
			seen[c.node.ID()] = true
			h.connect(c)
		}
	})
}

func TestHistoryExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialedConns: 10})
		n := nodes(1, 5)
		a := n[0]

		h.iter.feed(t, a)
		h.expectDials(a)[0].reply <- errRefused
		h.iter.feed(t, a)
		h.noDial()

		h.clock.Run(10 * time.Second)
		h.iter.feed(t, n[1]) // in the history until +40s
		h.expectDials(n[1])[0].reply <- errRefused

		h.clock.Run(DefaultHistoryExpiry - 10*time.Second - time.Millisecond)
		h.iter.feed(t, a)
		h.noDial()

		h.clock.Run(time.Millisecond) // a expires, n[1] does not
		h.iter.feed(t, n[1])
		h.noDial()
		h.iter.feed(t, a)
		h.expectDials(a)[0].reply <- errRefused

		synctest.Wait()
		if n := h.clock.ActiveTimers(); n != 1 {
			t.Fatalf("%d timers active, want the history timer", n)
		}
		h.clock.Run(time.Hour)
		synctest.Wait()
		if n := h.clock.ActiveTimers(); n != 0 {
			t.Fatalf("%d timers active after the history emptied, want none", n)
		}
	})
}

func TestDynamicSkips(t *testing.T) {
	self := testNode(100, "127.0.0.1", 30303)
	candidate := testNode(1, "127.0.0.1", 30303)
	restrict := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/24")}
	for _, tc := range []struct {
		name      string
		cfg       Config
		prepare   func(h *harness)
		candidate *discover.Node
		want      bool // the candidate is dialled
	}{
		{name: "dialable", candidate: candidate, want: true},
		{name: "self", candidate: self},
		{
			name:      "connected peer",
			prepare:   func(h *harness) { h.sched.PeerAdded(candidate.ID(), Inbound) },
			candidate: candidate,
		},
		{
			name: "disconnected peer",
			prepare: func(h *harness) {
				h.sched.PeerAdded(candidate.ID(), Dynamic)
				h.sched.PeerRemoved(candidate.ID())
			},
			candidate: candidate,
			want:      true,
		},
		{
			name:      "inbound handshake in progress",
			prepare:   func(h *harness) { h.sched.InboundPending(candidate.ID()) },
			candidate: candidate,
		},
		{
			name: "inbound handshake done",
			prepare: func(h *harness) {
				h.sched.InboundPending(candidate.ID())
				h.sched.InboundDone(candidate.ID())
			},
			candidate: candidate,
			want:      true,
		},
		{
			name:      "static node",
			prepare:   func(h *harness) { h.sched.AddStatic(candidate); h.connect(h.expectDials(candidate)[0]) },
			candidate: candidate,
		},
		{name: "no IP", candidate: testNode(1, "", 30303)},
		{name: "unspecified IP", candidate: testNode(1, "0.0.0.0", 30303)},
		{name: "multicast IP", candidate: testNode(1, "224.0.0.1", 30303)},
		{name: "TCP port zero", candidate: testNode(1, "127.0.0.1", 0)},
		{name: "outside NetRestrict", cfg: Config{NetRestrict: restrict}, candidate: testNode(1, "127.0.1.1", 30303)},
		{name: "inside NetRestrict", cfg: Config{NetRestrict: restrict}, candidate: candidate, want: true},
		{
			name:      "IPv4-mapped inside NetRestrict",
			cfg:       Config{NetRestrict: restrict},
			candidate: testNode(1, "::ffff:127.0.0.1", 30303),
			want:      true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				cfg := tc.cfg
				cfg.MaxDialedConns = 10
				h := newHarnessAs(t, self.ID(), cfg)
				if tc.prepare != nil {
					tc.prepare(h)
				}
				h.iter.feed(t, tc.candidate)
				if !tc.want {
					h.noDial()
					return
				}
				if s := h.connect(h.expectDials(tc.candidate)[0]); s.static {
					t.Fatal("dynamic node set up as static")
				}
			})
		})
	}
}

func TestDynamicPeerCountedUntilRemoved(t *testing.T) {
	// Inbound and static peers do not use dynamic slots; dynamic peers do,
	// until PeerRemoved.
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialedConns: 1})
		n := nodes(1, 5)
		h.sched.PeerAdded(n[0].ID(), Inbound)
		h.sched.PeerAdded(n[1].ID(), Static)
		h.iter.feed(t, n[2])
		h.connect(h.expectDials(n[2])[0])
		h.iter.feed(t, n[3])
		h.noDial()
		h.sched.PeerAdded(n[2].ID(), Dynamic) // a repeated notification changes nothing
		h.noDial()
		h.peerRemoved(n[2])
		h.expectDials(n[3])[0].reply <- errRefused
	})
}
