package discover

import (
	"net/netip"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"
)

func TestConfigInvalid(t *testing.T) {
	key, _ := secp256k1.GeneratePrivateKey()
	other, _ := secp256k1.GeneratePrivateKey()
	for _, tc := range []struct {
		name string
		key  *secp256k1.PrivateKey
		cfg  Config
	}{
		{"nil key", nil, Config{}},
		{"LocalNode of another key", key, Config{LocalNode: NewLocalNode(other, nil)}},
		{"negative ResponseTimeout", key, Config{ResponseTimeout: -time.Second}},
		{"negative BondExpiration", key, Config{BondExpiration: -1}},
		{"negative RefreshInterval", key, Config{RefreshInterval: -1}},
		{"negative RevalidateInterval", key, Config{RevalidateInterval: -1}},
		{"negative MaxPendingReplies", key, Config{MaxPendingReplies: -1}},
		{"invalid NetRestrict prefix", key, Config{NetRestrict: []netip.Prefix{{}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pn := newPipeNet(t)
			conn := pn.listen("127.0.0.1:30303")
			defer conn.Close()
			u, err := Listen(conn, tc.key, tc.cfg)
			require.ErrorIs(t, err, ErrInvalidConfig)
			require.Nil(t, u)
		})
	}
}

func TestConfigDefaults(t *testing.T) {
	key, _ := secp256k1.GeneratePrivateKey()
	cfg, err := Config{}.withDefaults(key)
	require.NoError(t, err)
	require.Equal(t, DefaultResponseTimeout, cfg.ResponseTimeout)
	require.Equal(t, DefaultBondExpiration, cfg.BondExpiration)
	require.Equal(t, DefaultRefreshInterval, cfg.RefreshInterval)
	require.Equal(t, DefaultRevalidateInterval, cfg.RevalidateInterval)
	require.Equal(t, DefaultMaxPendingReplies, cfg.MaxPendingReplies)
	require.NotNil(t, cfg.Clock)
	require.NotNil(t, cfg.Rand)
	require.NotNil(t, cfg.Logger)
}
