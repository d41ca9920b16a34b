package discover

import (
	"net/netip"
	"testing"
)

func TestCheckRelayIP(t *testing.T) {
	tests := []struct {
		name         string
		sender, addr string
		ok           bool
	}{
		{"public relays public", "8.8.8.8", "1.2.3.4", true},
		{"public relays LAN", "8.8.8.8", "192.168.1.1", false},
		{"public relays loopback", "8.8.8.8", "127.0.0.1", false},
		{"public relays unspecified", "8.8.8.8", "0.0.0.0", false},
		{"public relays documentation", "8.8.8.8", "192.0.2.1", false},
		{"public relays multicast", "8.8.8.8", "224.0.0.1", false},
		{"LAN relays LAN", "10.0.0.1", "192.168.1.1", true},
		{"LAN relays loopback", "10.0.0.1", "127.0.0.1", false},
		{"loopback relays loopback", "127.0.0.1", "127.0.0.2", true},
		{"loopback relays public", "127.0.0.1", "1.2.3.4", true},
		{"public relays v6 ULA", "2a00::1", "fd00::1", false},
		{"public relays v6 loopback", "2a00::1", "::1", false},
		{"v4-mapped public relays LAN", "::ffff:8.8.8.8", "10.0.0.1", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := checkRelayIP(netip.MustParseAddr(tt.sender), netip.MustParseAddr(tt.addr))
			if (err == nil) != tt.ok {
				t.Fatalf("checkRelayIP(%s, %s) = %v, want ok=%v", tt.sender, tt.addr, err, tt.ok)
			}
		})
	}
}

func TestNetSet(t *testing.T) {
	t.Run("ipv4 per /24", func(t *testing.T) {
		s := newNetSet(2)
		for i, ip := range []string{"1.2.3.4", "1.2.3.5"} {
			if !s.add(netip.MustParseAddr(ip)) {
				t.Fatalf("add #%d rejected", i)
			}
		}
		if s.add(netip.MustParseAddr("1.2.3.200")) {
			t.Fatal("third address in /24 accepted")
		}
		if !s.add(netip.MustParseAddr("1.2.4.1")) {
			t.Fatal("address in another /24 rejected")
		}
		s.remove(netip.MustParseAddr("1.2.3.4"))
		if !s.add(netip.MustParseAddr("1.2.3.200")) {
			t.Fatal("add after remove rejected")
		}
	})
	t.Run("ipv6 per /56", func(t *testing.T) {
		s := newNetSet(1)
		if !s.add(netip.MustParseAddr("2a00:1:2:300::1")) {
			t.Fatal("first rejected")
		}
		if s.add(netip.MustParseAddr("2a00:1:2:3ff::1")) {
			t.Fatal("same /56 accepted")
		}
		if !s.add(netip.MustParseAddr("2a00:1:2:400::1")) {
			t.Fatal("other /56 rejected")
		}
	})
	t.Run("LAN exempt", func(t *testing.T) {
		s := newNetSet(1)
		for i := 0; i < 5; i++ {
			if !s.add(netip.AddrFrom4([4]byte{127, 0, 0, byte(i + 1)})) {
				t.Fatal("loopback counted")
			}
			if !s.add(netip.AddrFrom4([4]byte{192, 168, 0, byte(i + 1)})) {
				t.Fatal("LAN counted")
			}
		}
		if len(s.members) != 0 {
			t.Fatalf("members = %v, want none", s.members)
		}
	})
	t.Run("remove unknown", func(t *testing.T) {
		s := newNetSet(2)
		s.remove(netip.MustParseAddr("1.2.3.4"))
		if len(s.members) != 0 {
			t.Fatal("remove created entry")
		}
	})
}
