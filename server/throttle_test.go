package server

import (
	"net/netip"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/internal/netutil"
)

func TestThrottle(t *testing.T) {
	a := netip.MustParseAddr("203.0.113.1")
	b := netip.MustParseAddr("203.0.113.2")
	lan := netip.MustParseAddr("192.168.1.7")
	type step struct {
		advance time.Duration // run the clock first
		ip      netip.Addr
		want    bool
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"first connection passes", []step{{0, a, true}}},
		{"second within window refused", []step{{0, a, true}, {10 * time.Second, a, false}}},
		{"refusal does not extend the window", []step{
			{0, a, true}, {29 * time.Second, a, false}, {time.Second, a, true},
		}},
		{"just before expiry refused", []step{{0, a, true}, {inboundThrottleTime - 1, a, false}}},
		{"after expiry allowed", []step{{0, a, true}, {inboundThrottleTime, a, true}, {time.Second, a, false}}},
		{"other addresses independent", []step{{0, a, true}, {0, b, true}, {0, a, false}, {0, b, false}}},
		{"LAN exempt", []step{{0, lan, true}, {0, lan, true}, {0, lan, true}}},
		{"IPv4-mapped IPv6 is the same address", []step{
			{0, a, true}, {0, netip.AddrFrom16(a.As16()), false},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := new(clock.Simulated)
			th := newThrottle(clk, inboundThrottleTime, maxThrottleEntries, netutil.IsLAN)
			for i, s := range tt.steps {
				clk.Run(s.advance)
				if got := th.allow(s.ip); got != s.want {
					t.Fatalf("step %d: allow(%v) = %v, want %v", i, s.ip, got, s.want)
				}
			}
		})
	}
}

func TestThrottleBoundedMemory(t *testing.T) {
	clk := new(clock.Simulated)
	const max = 100
	th := newThrottle(clk, inboundThrottleTime, max, nil)
	ip := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{198, 51, byte(i >> 8), byte(i)}) }
	for i := range 3 * max {
		if !th.allow(ip(i)) {
			t.Fatalf("fresh address %v refused", ip(i))
		}
		if th.len() > max {
			t.Fatalf("after %d addresses, %d entries, want <= %d", i+1, th.len(), max)
		}
	}
	// The oldest entries were pushed out; the newest are still throttled.
	if !th.allow(ip(0)) {
		t.Error("oldest address still throttled after being pushed out")
	}
	if th.allow(ip(3*max - 1)) {
		t.Error("newest address not throttled")
	}
	// Everything expires once the window passes.
	clk.Run(inboundThrottleTime)
	th.expire(clk.Now())
	if th.len() != 0 {
		t.Errorf("%d entries after the window passed, want 0", th.len())
	}
}

// TestThrottleIPv6By64: IPv6 sources are throttled by /64, so a host cannot
// sidestep the throttle by connecting from fresh addresses of its block.
func TestThrottleIPv6By64(t *testing.T) {
	tests := []struct {
		name   string
		first  string
		second string
		want   bool // whether the second is allowed right after the first
	}{
		{"same address", "2001:db8:1:2::1", "2001:db8:1:2::1", false},
		{"same /64", "2001:db8:1:2::1", "2001:db8:1:2:ffff:ffff:ffff:ffff", false},
		{"zone ignored", "2001:db8:1:2::1%eth0", "2001:db8:1:2::2%eth1", false},
		{"next /64", "2001:db8:1:2::1", "2001:db8:1:3::1", true},
		{"IPv4 still by address", "203.0.113.1", "203.0.113.2", true},
		{"IPv4 same address", "203.0.113.1", "203.0.113.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := new(clock.Simulated)
			th := newThrottle(clk, inboundThrottleTime, maxThrottleEntries, netutil.IsLAN)
			if !th.allow(netip.MustParseAddr(tt.first)) {
				t.Fatalf("first connection from %s refused", tt.first)
			}
			if got := th.allow(netip.MustParseAddr(tt.second)); got != tt.want {
				t.Fatalf("allow(%s) after %s = %v, want %v", tt.second, tt.first, got, tt.want)
			}
			clk.Run(inboundThrottleTime)
			if !th.allow(netip.MustParseAddr(tt.second)) {
				t.Fatalf("%s still refused after the window", tt.second)
			}
		})
	}
}
