package server

import (
	"net/netip"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/clock"
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
			th := newThrottle(clk, inboundThrottleTime, maxThrottleEntries, isLAN)
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

func TestIsLAN(t *testing.T) {
	tests := []struct {
		ip   string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.0.0.2", true},
		{"::1", true},
		{"10.1.2.3", true},
		{"172.16.0.1", true},
		{"192.168.0.1", true},
		{"169.254.1.1", true},
		{"fe80::1", true},
		{"fd00::1", true},
		{"::ffff:192.168.0.1", true},
		{"8.8.8.8", false},
		{"203.0.113.1", false},
		{"2001:db8::1", false},
		{"172.32.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := isLAN(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("isLAN(%s) = %v, want %v", tt.ip, got, tt.want)
			}
		})
	}
}

func TestAllowedIP(t *testing.T) {
	restrict := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8::/32")}
	tests := []struct {
		list []netip.Prefix
		ip   string
		want bool
	}{
		{nil, "8.8.8.8", true},
		{restrict, "10.9.9.9", true},
		{restrict, "::ffff:10.9.9.9", true},
		{restrict, "11.0.0.1", false},
		{restrict, "2001:db8::5", true},
		{restrict, "2001:db9::5", false},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := allowedIP(tt.list, netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("allowedIP(%v, %s) = %v, want %v", tt.list, tt.ip, got, tt.want)
			}
		})
	}
}
