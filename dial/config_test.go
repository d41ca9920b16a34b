package dial

import (
	"net/netip"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/clock"

	"github.com/stretchr/testify/require"
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
		{"set", Config{MaxDialedConns: 7, MaxActiveDials: 3, HistoryExpiry: time.Minute, StaticBackoffMin: time.Second, StaticBackoffMax: time.Hour},
			7, 3, time.Minute, time.Second, time.Hour},
		{"restrict copied", Config{NetRestrict: restrict}, 0, 16, 30 * time.Second, 5 * time.Second, 5 * time.Minute},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := tc.in.withDefaults()
			require.NoError(t, err)
			require.Equal(t, tc.maxDialed, c.MaxDialedConns)
			require.Equal(t, tc.active, c.MaxActiveDials)
			require.Equal(t, []time.Duration{tc.history, tc.min, tc.maxB}, []time.Duration{c.HistoryExpiry, c.StaticBackoffMin, c.StaticBackoffMax})
			require.IsType(t, TCPDialer{}, c.Dialer)
			require.IsType(t, clock.System{}, c.Clock)
			require.NotNil(t, c.Rand)
			require.NotNil(t, c.Logger)
			if len(tc.in.NetRestrict) > 0 {
				require.NotSame(t, &tc.in.NetRestrict[0], &c.NetRestrict[0], "NetRestrict shares the caller's array")
			}
		})
	}
}

func TestConfigInvalid(t *testing.T) {
	for name, cfg := range map[string]Config{
		"negative MaxDialedConns":   {MaxDialedConns: -1},
		"negative MaxActiveDials":   {MaxActiveDials: -1},
		"negative HistoryExpiry":    {HistoryExpiry: -1},
		"negative StaticBackoffMin": {StaticBackoffMin: -1},
		"negative StaticBackoffMax": {StaticBackoffMax: -1},
		"max below min":             {StaticBackoffMin: time.Hour, StaticBackoffMax: time.Minute},
		"max below default min":     {StaticBackoffMax: time.Second},
		"invalid prefix":            {NetRestrict: []netip.Prefix{{}}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := cfg.withDefaults()
			require.ErrorIs(t, err, ErrInvalidConfig)
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
