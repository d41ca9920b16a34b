package server

import (
	"net"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
)

// An unspecified listen address is advertised as loopback of its own
// family, before and after Start, with and without discovery — never
// [::1] for an IPv4 setting (Go reports a 0.0.0.0 listener as [::]).
func TestAdvertisedAddressForUnspecifiedListen(t *testing.T) {
	v4 := netip.MustParseAddr("127.0.0.1")
	tests := []struct {
		listen string
		want   netip.Addr
		needV6 bool
	}{
		{":0", v4, false},
		{"0.0.0.0:0", v4, false},
		{"[::]:0", netip.IPv6Loopback(), true},
	}
	for _, tt := range tests {
		for _, disc := range []bool{false, true} {
			t.Run(tt.listen+map[bool]string{false: "/no-discovery", true: "/discovery"}[disc], func(t *testing.T) {
				if tt.needV6 {
					if ln, err := net.Listen("tcp6", "[::1]:0"); err != nil {
						t.Skip("no IPv6 loopback:", err)
					} else {
						ln.Close()
					}
				}
				cfg := testConfig(t)
				cfg.ListenAddr = tt.listen
				cfg.NoDiscovery = !disc
				cfg.NoDial = true
				srv, err := New(cfg)
				require.NoError(t, err)
				defer srv.Close()
				require.Equal(t, tt.want, srv.Self().IP(), "before Start")
				require.NoError(t, srv.Start())
				self := srv.Self()
				require.Equal(t, tt.want, self.IP(), "after Start")
				require.NotZero(t, self.TCP())
				if disc {
					_, has6 := self.Record().IP6()
					_, has4 := self.Record().IP4()
					require.Equal(t, tt.want.Is4(), has4)
					require.Equal(t, tt.want.Is6(), has6)
				}
			})
		}
	}
}
