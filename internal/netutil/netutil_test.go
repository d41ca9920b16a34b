package netutil

import (
	"net/netip"
	"testing"
)

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
			if got := IsLAN(netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("IsLAN(%s) = %v, want %v", tt.ip, got, tt.want)
			}
		})
	}
}

func TestAllowed(t *testing.T) {
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
			if got := Allowed(tt.list, netip.MustParseAddr(tt.ip)); got != tt.want {
				t.Errorf("Allowed(%v, %s) = %v, want %v", tt.list, tt.ip, got, tt.want)
			}
		})
	}
}

func TestSource(t *testing.T) {
	tests := []struct {
		ip, want string
	}{
		{"8.8.8.8", "8.8.8.8/32"},
		{"::ffff:8.8.4.4", "8.8.4.4/32"},
		{"2001:db8:1:2::1", "2001:db8:1:2::/64"},
		{"2001:db8:1:2:ffff::9", "2001:db8:1:2::/64"},
		{"fe80::1%eth0", "fe80::/64"},
		{"::1", "::/64"},
	}
	for _, tt := range tests {
		t.Run(tt.ip, func(t *testing.T) {
			if got := Source(netip.MustParseAddr(tt.ip)); got != netip.MustParsePrefix(tt.want) {
				t.Errorf("Source(%s) = %v, want %s", tt.ip, got, tt.want)
			}
		})
	}
	if got := Source(netip.Addr{}); got.IsValid() {
		t.Errorf("Source of the zero Addr = %v, want the zero Prefix", got)
	}
}
