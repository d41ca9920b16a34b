package server

import (
	"fmt"
	"net"
	"net/netip"
	"slices"
	"testing"

	"github.com/devp2p-go/devp2p/internal/netutil"
)

// pendingStep is one connection arriving at a pendingSet in a test.
type pendingStep struct {
	ip        string
	authed    bool        // whether it has sent its auth (before later steps)
	want      admitResult // the decision
	wantEvict int         // index of the step evicted for it, or -1
}

// runPending feeds steps to a set with caps and checks each decision. It
// returns the set and the connections (nil where refused).
func runPending(t *testing.T, caps pendingCaps, steps []pendingStep) (*pendingSet, []*pendingConn) {
	t.Helper()
	ps := newPendingSet(caps, netutil.IsLAN)
	conns := make([]*pendingConn, len(steps))
	evicted := make([]bool, len(steps))
	for i, s := range steps {
		ip := netip.MustParseAddr(s.ip)
		authed := s.authed
		pc := &pendingConn{ip: ip, subnet: subnetOf(ip), authed: func() bool { return authed }, evict: func() { evicted[i] = true }}
		victim, res := ps.admit(pc)
		if res != s.want {
			t.Fatalf("step %d (%s): %v, want %v", i, s.ip, res, s.want)
		}
		gotEvict := -1
		for j, c := range conns {
			if c != nil && c == victim {
				gotEvict = j
			}
		}
		if gotEvict != s.wantEvict {
			t.Fatalf("step %d (%s): evicted step %d, want %d", i, s.ip, gotEvict, s.wantEvict)
		}
		if victim != nil {
			victim.evict()
		}
		if res == pendingAdmitted {
			conns[i] = pc
		}
	}
	checkPendingCounts(t, ps)
	return ps, conns
}

// checkPendingCounts checks the set's counters against its list.
func checkPendingCounts(t *testing.T, ps *pendingSet) {
	t.Helper()
	byIP, bySubnet := map[netip.Addr]int{}, map[netip.Prefix]int{}
	for _, pc := range ps.conns {
		byIP[pc.ip]++
		bySubnet[pc.subnet]++
	}
	if fmt.Sprint(byIP) != fmt.Sprint(ps.byIP) || fmt.Sprint(bySubnet) != fmt.Sprint(ps.bySubnet) {
		t.Fatalf("counters %v %v, list says %v %v", ps.byIP, ps.bySubnet, byIP, bySubnet)
	}
}

// wide are caps that do not bind unless a test lowers one.
var wide = pendingCaps{total: 100, perIP: 100, perSubnet: 100, lanIP: 100, lanSubnet: 100}

const (
	ok     = pendingAdmitted
	noEvic = -1
)

func TestPendingCapPerIP(t *testing.T) {
	caps := wide
	caps.perIP, caps.lanIP = 2, 3
	tests := []struct {
		name  string
		steps []pendingStep
	}{
		{"the third from one address takes its oldest stalled slot", []pendingStep{
			{"203.0.113.1", false, ok, noEvic},
			{"203.0.113.1", false, ok, noEvic},
			{"203.0.113.1", false, ok, 0},
			{"203.0.113.1", false, ok, 1},
		}},
		{"an address whose handshakes have all sent auth gets no more", []pendingStep{
			{"203.0.113.1", true, ok, noEvic},
			{"203.0.113.1", true, ok, noEvic},
			{"203.0.113.1", false, pendingIPFull, noEvic},
		}},
		{"only the address's own slots are taken", []pendingStep{
			{"203.0.113.2", false, ok, noEvic},
			{"203.0.113.1", true, ok, noEvic},
			{"203.0.113.1", false, ok, noEvic},
			{"203.0.113.1", false, ok, 2}, // not step 0, older but from another address
		}},
		{"other addresses are not limited", []pendingStep{
			{"203.0.113.1", true, ok, noEvic},
			{"203.0.113.1", true, ok, noEvic},
			{"203.0.113.2", true, ok, noEvic},
			{"198.51.100.1", true, ok, noEvic},
		}},
		{"LAN addresses have their own cap", []pendingStep{
			{"192.168.1.5", true, ok, noEvic},
			{"192.168.1.5", true, ok, noEvic},
			{"192.168.1.5", true, ok, noEvic},
			{"192.168.1.5", true, pendingIPFull, noEvic},
		}},
		{"loopback is LAN", []pendingStep{
			{"127.0.0.2", true, ok, noEvic},
			{"127.0.0.2", true, ok, noEvic},
			{"127.0.0.2", true, ok, noEvic},
			{"127.0.0.2", true, pendingIPFull, noEvic},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { runPending(t, caps, tt.steps) })
	}
}

// The accept path hands admission the IPv4 address of an IPv4-mapped
// IPv6 peer, so that it shares the IPv4 address's caps.
func TestRemoteIPUnmaps(t *testing.T) {
	for _, tt := range []struct{ remote, want string }{
		{"[::ffff:203.0.113.1]:30303", "203.0.113.1"},
		{"203.0.113.1:30303", "203.0.113.1"},
		{"[2001:db8::1]:30303", "2001:db8::1"},
	} {
		fd := &addrConn{remote: net.TCPAddrFromAddrPort(netip.MustParseAddrPort(tt.remote))}
		if got := remoteIP(fd); got != netip.MustParseAddr(tt.want) {
			t.Errorf("remoteIP(%s) = %v, want %s", tt.remote, got, tt.want)
		}
	}
}

// addrConn is a net.Conn that only has a remote address.
type addrConn struct {
	net.Conn
	remote net.Addr
}

func (c *addrConn) RemoteAddr() net.Addr { return c.remote }

func TestPendingCapPer24(t *testing.T) {
	caps := wide
	caps.perSubnet, caps.lanSubnet = 3, 4
	tests := []struct {
		name  string
		steps []pendingStep
	}{
		{"a full /24 gives up a stalled slot, the oldest of its busiest address", []pendingStep{
			{"203.0.113.2", false, ok, noEvic},
			{"203.0.113.1", false, ok, noEvic},
			{"203.0.113.1", false, ok, noEvic},
			{"203.0.113.3", false, ok, 1}, // .1 holds the most slots
			{"203.0.113.4", false, ok, 0}, // now one each: the oldest
		}},
		{"a /24 whose handshakes have all sent auth gets no more", []pendingStep{
			{"203.0.113.1", true, ok, noEvic},
			{"203.0.113.2", true, ok, noEvic},
			{"203.0.113.3", true, ok, noEvic},
			{"203.0.113.4", false, pendingSubnetFull, noEvic},
		}},
		{"only slots of the same /24 are taken", []pendingStep{
			{"203.0.114.1", false, ok, noEvic},
			{"203.0.113.1", true, ok, noEvic},
			{"203.0.113.2", false, ok, noEvic},
			{"203.0.113.3", true, ok, noEvic},
			{"203.0.113.4", false, ok, 2},
		}},
		{"other /24s are not limited", []pendingStep{
			{"203.0.113.1", true, ok, noEvic},
			{"203.0.113.2", true, ok, noEvic},
			{"203.0.113.3", true, ok, noEvic},
			{"203.0.112.255", true, ok, noEvic},
			{"203.0.114.0", true, ok, noEvic},
		}},
		{"private /24s have the LAN cap", []pendingStep{
			{"10.1.2.1", true, ok, noEvic},
			{"10.1.2.2", true, ok, noEvic},
			{"10.1.2.3", true, ok, noEvic},
			{"10.1.2.4", true, ok, noEvic},
			{"10.1.2.5", true, pendingSubnetFull, noEvic},
			{"10.1.3.1", true, ok, noEvic},
		}},
		{"every loopback address is one subnet", []pendingStep{
			{"127.0.0.2", true, ok, noEvic},
			{"127.0.1.2", true, ok, noEvic},
			{"127.1.0.2", true, ok, noEvic},
			{"::1", true, ok, noEvic},
			{"127.0.0.3", true, pendingSubnetFull, noEvic},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runPending(t, caps, tt.steps)
		})
	}
}

func TestPendingCapPer64(t *testing.T) {
	caps := wide
	caps.perSubnet, caps.lanSubnet = 2, 3
	tests := []struct {
		name  string
		steps []pendingStep
	}{
		{"a full /64 gives up its oldest stalled slot", []pendingStep{
			{"2001:db8:1:2::1", false, ok, noEvic},
			{"2001:db8:1:2:ffff::1", false, ok, noEvic},
			{"2001:db8:1:2::3", false, ok, 0},
		}},
		{"a /64 whose handshakes have all sent auth gets no more", []pendingStep{
			{"2001:db8:1:2::1", true, ok, noEvic},
			{"2001:db8:1:2::2", true, ok, noEvic},
			{"2001:db8:1:2::3", false, pendingSubnetFull, noEvic},
		}},
		{"other /64s are not limited", []pendingStep{
			{"2001:db8:1:2::1", true, ok, noEvic},
			{"2001:db8:1:2::2", true, ok, noEvic},
			{"2001:db8:1:3::1", true, ok, noEvic},
			{"2001:db8:1:1::1", true, ok, noEvic},
		}},
		{"unique local /64s have the LAN cap", []pendingStep{
			{"fd00:1:2:3::1", true, ok, noEvic},
			{"fd00:1:2:3::2", true, ok, noEvic},
			{"fd00:1:2:3::3", true, ok, noEvic},
			{"fd00:1:2:3::4", true, pendingSubnetFull, noEvic},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runPending(t, caps, tt.steps)
		})
	}
}

func TestDropOldestUnauthenticated(t *testing.T) {
	caps := wide
	caps.total = 3
	tests := []struct {
		name  string
		steps []pendingStep
	}{
		{"the oldest stalled one goes", []pendingStep{
			{"203.0.113.1", false, ok, noEvic},
			{"198.51.100.1", false, ok, noEvic},
			{"192.0.2.1", false, ok, noEvic},
			{"203.0.114.1", false, ok, 0},
			{"203.0.115.1", false, ok, 1},
		}},
		{"those that sent their auth stay", []pendingStep{
			{"203.0.113.1", true, ok, noEvic},
			{"198.51.100.1", false, ok, noEvic},
			{"192.0.2.1", true, ok, noEvic},
			{"203.0.114.1", false, ok, 1},
			{"203.0.115.1", false, ok, 3},
		}},
		{"all sent their auth: the new one is refused", []pendingStep{
			{"203.0.113.1", true, ok, noEvic},
			{"198.51.100.1", true, ok, noEvic},
			{"192.0.2.1", true, ok, noEvic},
			{"203.0.114.1", false, pendingFull, noEvic},
		}},
		{"the busiest subnet gives up a slot first", []pendingStep{
			{"198.51.100.1", false, ok, noEvic},
			{"203.0.113.1", false, ok, noEvic},
			{"203.0.113.2", false, ok, noEvic},
			{"192.0.2.1", false, ok, 1},
		}},
		{"a newcomer from a source as busy as any other is refused", []pendingStep{
			{"198.51.100.1", false, ok, noEvic},
			{"203.0.113.1", false, ok, noEvic},
			{"192.0.2.1", false, ok, noEvic},
			{"203.0.113.1", false, pendingFull, noEvic}, // not step 0: its address holds as many
			{"203.0.114.1", false, ok, 0},
		}},
		{"within a subnet, the busiest address", []pendingStep{
			{"127.0.0.3", false, ok, noEvic},
			{"127.0.0.2", false, ok, noEvic},
			{"127.0.0.2", false, ok, noEvic},
			{"127.0.0.4", false, ok, 1},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			runPending(t, caps, tt.steps)
		})
	}

	// A newcomer from an address of its own outlasts any number of stalled
	// connections arriving from addresses that hold several slots.
	t.Run("a newcomer outlasts a flood", func(t *testing.T) {
		caps := wide
		caps.total = 10
		ps := newPendingSet(caps, netutil.IsLAN)
		never := func() bool { return false }
		attackers := []netip.Addr{netip.MustParseAddr("127.0.0.2"), netip.MustParseAddr("127.0.0.3")}
		for i := range caps.total {
			if _, res := ps.admit(&pendingConn{ip: attackers[i%2], subnet: loopbackNet, authed: never}); res != ok {
				t.Fatal(res)
			}
		}
		legit := &pendingConn{ip: netip.MustParseAddr("127.0.0.10"), subnet: loopbackNet, authed: never}
		if victim, res := ps.admit(legit); res != ok || victim == nil {
			t.Fatalf("newcomer: %v, victim %v", res, victim)
		}
		admitted := 0
		for i := range 1000 {
			victim, res := ps.admit(&pendingConn{ip: attackers[i%2], subnet: loopbackNet, authed: never})
			if victim == legit {
				t.Fatalf("arrival %d evicted the newcomer", i)
			}
			if res == ok {
				admitted++
			}
			if victim != nil {
				ps.release(victim)
			}
		}
		if admitted == 0 {
			t.Fatal("every stalled connection kept its slot against newer ones from its address")
		}
	})

	t.Run("evicted connections still closing are bounded", func(t *testing.T) {
		caps := wide
		caps.total = 2
		ps := newPendingSet(caps, netutil.IsLAN)
		never := func() bool { return false }
		add := func(ip string) (*pendingConn, admitResult) {
			a := netip.MustParseAddr(ip)
			return ps.admit(&pendingConn{ip: a, subnet: subnetOf(a), authed: never})
		}
		add("203.0.113.1")
		add("203.0.113.2")
		var victims []*pendingConn
		for i := range caps.total {
			v, res := add(fmt.Sprintf("198.51.100.%d", i+1))
			if res != ok || v == nil {
				t.Fatalf("eviction %d: %v", i, res)
			}
			victims = append(victims, v)
		}
		if _, res := add("192.0.2.1"); res != pendingTooManyEvict {
			t.Fatalf("with %d evicted still closing: %v, want %v", len(victims), res, pendingTooManyEvict)
		}
		ps.release(victims[0])
		if _, res := add("192.0.2.1"); res != ok {
			t.Fatalf("after one evicted connection closed: %v", res)
		}
		if pending, evicting := ps.counts(); pending != caps.total || evicting != caps.total {
			t.Fatalf("counts %d pending, %d evicting; want %d, %d", pending, evicting, caps.total, caps.total)
		}
	})
}

func TestSubnetOf(t *testing.T) {
	for _, tt := range []struct{ ip, want string }{
		{"203.0.113.77", "203.0.113.0/24"},
		{"::ffff:203.0.113.77", "203.0.113.0/24"},
		{"2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"127.0.0.1", "127.0.0.0/8"},
		{"127.9.9.9", "127.0.0.0/8"},
		{"::1", "127.0.0.0/8"},
	} {
		t.Run(tt.ip, func(t *testing.T) {
			if got := subnetOf(netip.MustParseAddr(tt.ip)); got.String() != tt.want {
				t.Fatalf("subnetOf(%s) = %v, want %s", tt.ip, got, tt.want)
			}
		})
	}
	if got := subnetOf(netip.Addr{}); got.IsValid() {
		t.Fatalf("subnetOf(zero) = %v, want the zero Prefix", got)
	}
}

// FuzzPendingSet drives a pendingSet with arbitrary arrivals, auths and
// releases, and checks after every step that no cap is exceeded, that the
// counters match the list, and that every eviction took a connection that
// had not sent its auth, from the full scope, and from a source no less
// busy than the newcomer's.
func FuzzPendingSet(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 0, 1, 0x41, 2, 0x82})
	f.Add([]byte{3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 0x40, 0x80, 7, 7})
	addrs := []netip.Addr{
		netip.MustParseAddr("203.0.113.1"), netip.MustParseAddr("203.0.113.2"),
		netip.MustParseAddr("198.51.100.1"), netip.MustParseAddr("2001:db8:1:2::1"),
		netip.MustParseAddr("2001:db8:1:2::2"), netip.MustParseAddr("127.0.0.2"),
		netip.MustParseAddr("127.0.0.3"), netip.MustParseAddr("10.0.0.1"),
	}
	caps := pendingCaps{total: 6, perIP: 2, perSubnet: 3, lanIP: 3, lanSubnet: 4}
	f.Fuzz(func(t *testing.T, ops []byte) {
		ps := newPendingSet(caps, netutil.IsLAN)
		type conn struct {
			pc     *pendingConn
			authed bool
		}
		var live []*conn // admitted, not yet released
		for _, op := range ops {
			switch op >> 6 {
			case 0, 3: // arrival
				ip := addrs[int(op)%len(addrs)]
				c := &conn{}
				c.pc = &pendingConn{ip: ip, subnet: subnetOf(ip), authed: func() bool { return c.authed }}
				lan := netutil.IsLAN(ip)
				perIP, perSubnet := caps.perIP, caps.perSubnet
				if lan {
					perIP, perSubnet = caps.lanIP, caps.lanSubnet
				}
				ps.mu.Lock()
				ipFull, subnetFull, full := ps.byIP[ip] >= perIP, ps.bySubnet[c.pc.subnet] >= perSubnet, len(ps.conns) >= caps.total
				nIP, nSubnet := ps.byIP[ip], ps.bySubnet[c.pc.subnet]
				var vIP, vSubnet int
				ps.mu.Unlock()
				victim, res := ps.admit(c.pc)
				if victim != nil {
					vIP, vSubnet = victimCounts(ps, victim)
				}
				switch {
				case res != pendingAdmitted:
					if !ipFull && !subnetFull && !full {
						t.Fatalf("refused (%v) with no cap reached", res)
					}
				case victim == nil:
					if ipFull || subnetFull || full {
						t.Fatal("admitted beyond a cap without evicting")
					}
				default:
					if victim.authed() {
						t.Fatal("evicted a connection that had sent its auth")
					}
					if ipFull && victim.ip != ip || !ipFull && subnetFull && victim.subnet != c.pc.subnet {
						t.Fatalf("evicted %v outside the full scope for %v", victim.ip, ip)
					}
					if victim.ip != ip && (vSubnet < nSubnet || vSubnet == nSubnet && vIP <= nIP) {
						t.Fatalf("%v (subnet %d, address %d slots) evicted for %v (%d, %d)", victim.ip, vSubnet, vIP, ip, nSubnet, nIP)
					}
					for i, l := range live {
						if l.pc == victim {
							live = slices.Delete(live, i, i+1)
							break
						}
					}
					ps.release(victim) // its goroutine ends
				}
				if res == pendingAdmitted {
					live = append(live, c)
				}
			case 1: // a live connection sends its auth
				if len(live) > 0 {
					live[int(op)%len(live)].authed = true
				}
			case 2: // a live connection ends its setup
				if len(live) > 0 {
					i := int(op) % len(live)
					ps.release(live[i].pc)
					ps.release(live[i].pc) // a second release is harmless
					live = slices.Delete(live, i, i+1)
				}
			}
			checkPendingCounts(t, ps)
			ps.mu.Lock()
			if len(ps.conns) != len(live) || len(ps.conns) > caps.total || ps.evicting != 0 {
				t.Fatalf("%d pending (%d live), %d evicting; cap %d", len(ps.conns), len(live), ps.evicting, caps.total)
			}
			for ip, n := range ps.byIP {
				if max := map[bool]int{false: caps.perIP, true: caps.lanIP}[netutil.IsLAN(ip)]; n > max {
					t.Fatalf("%v holds %d slots, cap %d", ip, n, max)
				}
			}
			for sn, n := range ps.bySubnet {
				if max := map[bool]int{false: caps.perSubnet, true: caps.lanSubnet}[netutil.IsLAN(sn.Addr())]; n > max {
					t.Fatalf("%v holds %d slots, cap %d", sn, n, max)
				}
			}
			ps.mu.Unlock()
		}
	})
}

// victimCounts returns the slots the evicted connection's address and
// subnet held before it left the set.
func victimCounts(ps *pendingSet, v *pendingConn) (ip, subnet int) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return ps.byIP[v.ip] + 1, ps.bySubnet[v.subnet] + 1
}
