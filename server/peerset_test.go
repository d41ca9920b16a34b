package server

import (
	"slices"
	"sync"
	"testing"

	"github.com/devp2p-go/devp2p/nodeid"
)

func id(b byte) nodeid.ID { return nodeid.ID{b} }

func TestPeerSetReserve(t *testing.T) {
	self := id(0xff)
	type op struct {
		id    nodeid.ID
		flags connFlag
		want  rejection
	}
	lim := limits{maxPeers: 3, maxInbound: 2, maxOutbound: 2}
	tests := []struct {
		name    string
		limits  limits
		trusted []nodeid.ID
		running []nodeid.ID // reserved and promoted before ops (outbound)
		ops     []op
	}{
		{name: "self refused", limits: lim, ops: []op{{self, flagInbound, rejectSelf}, {self, flagStaticDial, rejectSelf}}},
		{name: "self refused even if trusted", limits: lim, trusted: []nodeid.ID{self}, ops: []op{{self, flagDynDial, rejectSelf}}},
		{name: "duplicate of running peer", limits: lim, running: []nodeid.ID{id(1)}, ops: []op{{id(1), flagInbound, rejectAlready}}},
		{name: "duplicate of reservation", limits: lim, ops: []op{{id(1), flagInbound, admitted}, {id(1), flagDynDial, rejectAlready}}},
		{name: "duplicate trusted still refused", limits: lim, trusted: []nodeid.ID{id(1)}, ops: []op{{id(1), flagInbound, admitted}, {id(1), flagInbound, rejectAlready}}},
		{name: "inbound cap", limits: lim, ops: []op{
			{id(1), flagInbound, admitted}, {id(2), flagInbound, admitted}, {id(3), flagInbound, rejectTooManyPeers}, {id(3), flagDynDial, admitted},
		}},
		{name: "outbound cap", limits: lim, ops: []op{
			{id(1), flagDynDial, admitted}, {id(2), flagStaticDial, admitted}, {id(3), flagDynDial, rejectTooManyPeers}, {id(3), flagInbound, admitted},
		}},
		{name: "total cap", limits: lim, ops: []op{
			{id(1), flagDynDial, admitted}, {id(2), flagInbound, admitted}, {id(3), flagInbound, admitted},
			{id(4), flagDynDial, rejectTooManyPeers}, {id(4), flagInbound, rejectTooManyPeers},
		}},
		{name: "reservations and running peers both count", limits: lim, running: []nodeid.ID{id(1), id(2)}, ops: []op{
			{id(3), flagDynDial, rejectTooManyPeers}, {id(3), flagInbound, admitted}, {id(4), flagInbound, rejectTooManyPeers},
		}},
		{name: "trusted bypass all limits", limits: lim, trusted: []nodeid.ID{id(4), id(5)}, running: []nodeid.ID{id(1), id(2)}, ops: []op{
			{id(3), flagInbound, admitted}, {id(4), flagInbound, admitted}, {id(5), flagDynDial, admitted}, {id(6), flagInbound, rejectTooManyPeers},
		}},
		{name: "trusted flag on the connection bypasses", limits: limits{}, ops: []op{
			{id(1), flagInbound, rejectTooManyPeers}, {id(1), flagInbound | flagTrusted, admitted},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newPeerSet(self, tt.limits)
			for _, n := range tt.trusted {
				s.setTrusted(n, true)
			}
			for _, n := range tt.running {
				if _, r := s.reserve(n, flagTrusted|flagStaticDial); r != admitted {
					t.Fatalf("setup reserve: %v", r)
				}
				if r := s.promote(n, new(serverPeer)); r != admitted {
					t.Fatalf("setup promote: %v", r)
				}
			}
			for i, o := range tt.ops {
				flags, got := s.reserve(o.id, o.flags)
				if got != o.want {
					t.Fatalf("op %d: reserve(%x, %b) = %v, want %v", i, o.id[0], o.flags, got, o.want)
				}
				if got == admitted && slices.Contains(tt.trusted, o.id) && !flags.has(flagTrusted) {
					t.Errorf("op %d: trusted node admitted without flagTrusted", i)
				}
			}
		})
	}
}

func TestPeerSetLifecycle(t *testing.T) {
	s := newPeerSet(id(0xff), limits{maxPeers: 1, maxInbound: 1, maxOutbound: 1})
	if _, r := s.reserve(id(1), flagInbound); r != admitted {
		t.Fatalf("reserve: %v", r)
	}
	if n := s.count(); n != 0 {
		t.Fatalf("count with a reservation = %d, want 0", n)
	}
	if _, _, ok := s.get(id(1)); ok {
		t.Fatal("get found a reserved (not running) peer")
	}
	one := new(serverPeer)
	if r := s.promote(id(1), one); r != admitted {
		t.Fatalf("promote: %v", r)
	}
	if p, f, ok := s.get(id(1)); !ok || p != one || !f.has(flagInbound) {
		t.Fatalf("get = %p, %b, %v; want %p", p, f, ok, one)
	}
	if s.count() != 1 || len(s.running()) != 1 {
		t.Fatalf("count = %d, running = %v", s.count(), s.running())
	}
	// Full: the slot is freed only by release.
	if _, r := s.reserve(id(2), flagDynDial); r != rejectTooManyPeers {
		t.Fatalf("reserve when full: %v", r)
	}
	s.release(id(1))
	s.release(id(1)) // idempotent
	if s.count() != 0 {
		t.Fatalf("count after release = %d", s.count())
	}
	if _, r := s.reserve(id(2), flagDynDial); r != admitted {
		t.Fatalf("reserve after release: %v", r)
	}
	// Closing refuses later checkpoints, including promotion of a reservation.
	if got := s.close(); len(got) != 0 {
		t.Fatalf("close returned %v, want no running peers", got)
	}
	if r := s.promote(id(2), new(serverPeer)); r != rejectQuitting {
		t.Fatalf("promote after close: %v", r)
	}
	s.release(id(2))
	if _, r := s.reserve(id(3), flagTrusted); r != rejectQuitting {
		t.Fatalf("reserve after close: %v", r)
	}
}

// TestPeerSetConcurrentDuplicates checks that of many simultaneous
// connections to one node exactly one gets through.
func TestPeerSetConcurrentDuplicates(t *testing.T) {
	s := newPeerSet(id(0xff), limits{maxPeers: 50, maxInbound: 50, maxOutbound: 50})
	const n = 32
	results := make(chan rejection, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := flagInbound
			if i%2 == 0 {
				f = flagDynDial
			}
			_, r := s.reserve(id(7), f)
			results <- r
		}()
	}
	wg.Wait()
	close(results)
	counts := map[rejection]int{}
	for r := range results {
		counts[r]++
	}
	if counts[admitted] != 1 || counts[rejectAlready] != n-1 {
		t.Fatalf("results %v, want 1 admitted and %d already connected", counts, n-1)
	}
}

// FuzzPeerSet drives the peer set with random operations and checks its
// invariants after each: counters match the entries, a refused reserve
// changes nothing, an admitted untrusted connection fitted the limits, and
// nothing is admitted twice, to self, or after close.
func FuzzPeerSet(f *testing.F) {
	f.Add([]byte{0x00, 0x11, 0x22, 0x33, 0x41, 0x52, 0x60, 0x71})
	f.Add([]byte{0x01, 0x01, 0x02, 0x13, 0x24, 0x35, 0x46, 0x57, 0x68, 0x79, 0x8a})
	f.Fuzz(func(t *testing.T, ops []byte) {
		self := id(7)
		lim := limits{maxPeers: 4, maxInbound: 2, maxOutbound: 3}
		s := newPeerSet(self, lim)
		trusted := map[nodeid.ID]bool{}
		closed := false
		for _, op := range ops {
			n := id(op & 7)
			switch op >> 4 & 7 {
			case 0, 1, 2: // reserve with one of the flags
				flags := []connFlag{flagInbound, flagDynDial, flagStaticDial}[op>>4&7]
				before := len(s.entries)
				in, out := s.inbound, s.outbound
				_, existed := s.entries[n]
				got, r := s.reserve(n, flags)
				if r != admitted {
					if len(s.entries) != before || s.inbound != in || s.outbound != out {
						t.Fatalf("refused reserve (%v) changed the set", r)
					}
					continue
				}
				switch {
				case closed || n == self || existed:
					t.Fatalf("admitted %x (closed %v, self %v, existed %v)", n[0], closed, n == self, existed)
				case trusted[n] != got.has(flagTrusted):
					t.Fatalf("trusted flag %v, want %v", got.has(flagTrusted), trusted[n])
				case !trusted[n] && (before >= lim.maxPeers || flags == flagInbound && in >= lim.maxInbound || flags != flagInbound && out >= lim.maxOutbound):
					t.Fatalf("admitted untrusted %x beyond limits (%d total, %d in, %d out)", n[0], before, in, out)
				}
			case 3:
				if e := s.entries[n]; e != nil && !e.running {
					if r := s.promote(n, new(serverPeer)); (r == admitted) == closed {
						t.Fatalf("promote = %v with closed %v", r, closed)
					}
				}
			case 4:
				s.release(n)
			case 5:
				trusted[n] = !trusted[n]
				s.setTrusted(n, trusted[n])
			case 6:
				if op&8 != 0 {
					s.close()
					closed = true
				}
			}
			in, out, running := 0, 0, 0
			for _, e := range s.entries {
				if e.flags.has(flagInbound) {
					in++
				} else {
					out++
				}
				if e.running {
					running++
				}
			}
			if in != s.inbound || out != s.outbound || running != s.count() || len(s.running()) != running {
				t.Fatalf("counters in %d/%d out %d/%d running %d/%d", s.inbound, in, s.outbound, out, s.count(), running)
			}
		}
	})
}
