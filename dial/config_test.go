package dial

import (
	"net/netip"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/clock"
)

func TestConfigDefaults(t *testing.T) {
	restrict := []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	for _, tc := range []struct {
		name               string
		in                 Config
		maxDialed, active  int
		history, min, maxB time.Duration
	}{
		{"zero", Config{}, 0, 16, 30 * time.Second, 5 * time.Second, 5 * time.Minute},
		{"negative", Config{MaxDialedConns: -1, MaxActiveDials: -1, HistoryExpiry: -1, StaticBackoffMin: -1, StaticBackoffMax: -1},
			0, 16, 30 * time.Second, 5 * time.Second, 5 * time.Minute},
		{"set", Config{MaxDialedConns: 7, MaxActiveDials: 3, HistoryExpiry: time.Minute, StaticBackoffMin: time.Second, StaticBackoffMax: time.Hour},
			7, 3, time.Minute, time.Second, time.Hour},
		{"max below min", Config{StaticBackoffMin: time.Hour, StaticBackoffMax: time.Minute},
			0, 16, 30 * time.Second, time.Hour, time.Hour},
		{"restrict copied", Config{NetRestrict: restrict}, 0, 16, 30 * time.Second, 5 * time.Second, 5 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.in.withDefaults()
			if c.MaxDialedConns != tc.maxDialed || c.MaxActiveDials != tc.active {
				t.Errorf("MaxDialedConns, MaxActiveDials = %d, %d, want %d, %d", c.MaxDialedConns, c.MaxActiveDials, tc.maxDialed, tc.active)
			}
			if c.HistoryExpiry != tc.history || c.StaticBackoffMin != tc.min || c.StaticBackoffMax != tc.maxB {
				t.Errorf("durations = %v, %v, %v, want %v, %v, %v", c.HistoryExpiry, c.StaticBackoffMin, c.StaticBackoffMax, tc.history, tc.min, tc.maxB)
			}
			if _, ok := c.Dialer.(TCPDialer); !ok {
				t.Errorf("Dialer = %T, want TCPDialer", c.Dialer)
			}
			if _, ok := c.Clock.(clock.System); !ok {
				t.Errorf("Clock = %T, want clock.System", c.Clock)
			}
			if c.Rand == nil || c.Log == nil {
				t.Error("Rand or Log not set")
			}
			if len(tc.in.NetRestrict) > 0 && &c.NetRestrict[0] == &tc.in.NetRestrict[0] {
				t.Error("NetRestrict shares the caller's array")
			}
		})
	}
}

func TestKindString(t *testing.T) {
	for k, want := range map[Kind]string{Inbound: "inbound", Dynamic: "dynamic", Static: "static", 0: "unknown", 9: "unknown"} {
		if got := k.String(); got != want {
			t.Errorf("Kind(%d).String() = %q, want %q", k, got, want)
		}
	}
}
