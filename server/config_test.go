package server

import (
	"errors"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/peer"
)

func testKey(t testing.TB) *secp256k1.PrivateKey {
	t.Helper()
	k, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func nopRun(*peer.Peer, peer.MsgReadWriter) error { return nil }

func TestConfigDefaults(t *testing.T) {
	key := testKey(t)
	cfg, err := Config{PrivateKey: key}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"Name", cfg.Name, DefaultName},
		{"ListenAddr", cfg.ListenAddr, DefaultListenAddr},
		{"MaxPeers", cfg.MaxPeers, 50},
		{"DialRatio", cfg.DialRatio, 3},
		{"MaxInboundPeers", cfg.MaxInboundPeers, 50 - 50/3},
		{"MaxOutboundPeers", cfg.MaxOutboundPeers, 50},
		{"MaxPendingPeers", cfg.MaxPendingPeers, 50},
		{"MaxPendingPerIP", cfg.MaxPendingPerIP, 2},
		{"MaxPendingPerSubnet", cfg.MaxPendingPerSubnet, 8},
		{"MaxPendingPerLANIP", cfg.MaxPendingPerLANIP, 16},
		{"MaxPendingPerLANSubnet", cfg.MaxPendingPerLANSubnet, 32},
		{"HandshakeTimeout", cfg.HandshakeTimeout, 5 * time.Second},
		{"AuthTimeout", cfg.AuthTimeout, time.Second},
		{"Clock", cfg.Clock, clock.Clock(clock.System{})},
		{"dialLimit", cfg.dialLimit(), 16},
		{"Logger set", cfg.Logger != nil, true},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestConfigKeepsExplicitValues(t *testing.T) {
	clk := new(clock.Simulated)
	cfg, err := Config{
		PrivateKey: testKey(t), Name: "x", ListenAddr: "127.0.0.1:0", MaxPeers: 10, DialRatio: 2,
		MaxInboundPeers: 4, MaxOutboundPeers: 3, MaxPendingPeers: 7, HandshakeTimeout: time.Second, Clock: clk,
		MaxPendingPerIP: 1, MaxPendingPerSubnet: 3, MaxPendingPerLANIP: 4, MaxPendingPerLANSubnet: 5,
		AuthTimeout: 300 * time.Millisecond,
	}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	got := []any{cfg.Name, cfg.ListenAddr, cfg.MaxPeers, cfg.DialRatio, cfg.MaxInboundPeers, cfg.MaxOutboundPeers,
		cfg.MaxPendingPeers, cfg.HandshakeTimeout, cfg.Clock, cfg.dialLimit(), cfg.pendingCaps(), cfg.AuthTimeout}
	want := []any{"x", "127.0.0.1:0", 10, 2, 4, 3, 7, time.Second, clock.Clock(clk), 3,
		pendingCaps{total: 7, perIP: 1, perSubnet: 3, lanIP: 4, lanSubnet: 5}, 300 * time.Millisecond}
	for i := range got {
		if got[i] != want[i] {
			t.Errorf("field %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestConfigInvalid(t *testing.T) {
	key := testKey(t)
	proto := peer.Protocol{Name: "test", Version: 1, Length: 1, Run: nopRun}
	tests := []struct {
		name    string
		mutate  func(*Config)
		wantErr string
	}{
		{"no key", func(c *Config) { c.PrivateKey = nil }, "PrivateKey"},
		{"negative MaxPeers", func(c *Config) { c.MaxPeers = -1 }, "MaxPeers is negative"},
		{"negative DialRatio", func(c *Config) { c.DialRatio = -3 }, "DialRatio"},
		{"negative MaxPendingPeers", func(c *Config) { c.MaxPendingPeers = -1 }, "MaxPendingPeers"},
		{"negative timeout", func(c *Config) { c.HandshakeTimeout = -time.Second }, "HandshakeTimeout"},
		{"negative auth timeout", func(c *Config) { c.AuthTimeout = -time.Second }, "AuthTimeout"},
		{"negative MaxPendingPerIP", func(c *Config) { c.MaxPendingPerIP = -1 }, "MaxPendingPerIP"},
		{"negative MaxPendingPerSubnet", func(c *Config) { c.MaxPendingPerSubnet = -1 }, "MaxPendingPerSubnet"},
		{"negative MaxPendingPerLANIP", func(c *Config) { c.MaxPendingPerLANIP = -1 }, "MaxPendingPerLANIP"},
		{"negative MaxPendingPerLANSubnet", func(c *Config) { c.MaxPendingPerLANSubnet = -1 }, "MaxPendingPerLANSubnet"},
		{"inbound above total", func(c *Config) { c.MaxPeers, c.MaxInboundPeers = 5, 6 }, "MaxInboundPeers"},
		{"outbound above total", func(c *Config) { c.MaxOutboundPeers = 51 }, "MaxOutboundPeers"},
		{"listen without port", func(c *Config) { c.ListenAddr = "127.0.0.1" }, "ListenAddr"},
		{"listen bad port", func(c *Config) { c.ListenAddr = "127.0.0.1:70000" }, "ListenAddr"},
		{"discovery bad", func(c *Config) { c.DiscoveryAddr = "nope" }, "DiscoveryAddr"},
		{"protocol without name", func(c *Config) { c.Protocols = []peer.Protocol{{Version: 1, Run: nopRun}} }, "name"},
		{"protocol name too long", func(c *Config) {
			c.Protocols = []peer.Protocol{{Name: "ninechars", Run: nopRun}}
		}, "name"},
		{"protocol name not ASCII", func(c *Config) { c.Protocols = []peer.Protocol{{Name: "é", Run: nopRun}} }, "ASCII"},
		{"no inbound slot", func(c *Config) { c.MaxPeers, c.DialRatio = 5, 1 }, "no inbound slot"},
		{"negative backoff", func(c *Config) { c.StaticBackoffMin = -time.Second }, "StaticBackoffMin"},
		{"negative history", func(c *Config) { c.DialHistoryExpiry = -time.Second }, "DialHistoryExpiry"},
		{"discovery LocalNode", func(c *Config) { c.Discovery.LocalNode = discover.NewLocalNode(key, nil) }, "Discovery.LocalNode"},
		{"discovery NodeDB", func(c *Config) {
			db, _ := discover.OpenDB("")
			c.Discovery.NodeDB = db
		}, "Discovery.NodeDB"},
		{"discovery Bootnodes", func(c *Config) {
			c.Discovery.Bootnodes = []*discover.Node{discover.NewV4(key.PubKey(), netip.MustParseAddr("127.0.0.1"), 1, 1)}
		}, "BootstrapNodes"},
		{"discovery NetRestrict", func(c *Config) {
			c.Discovery.NetRestrict = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
		}, "NetRestrict"},
		{"protocol twice", func(c *Config) { c.Protocols = []peer.Protocol{proto, proto} }, "twice"},
		{"nil static node", func(c *Config) { c.StaticNodes = append(c.StaticNodes, nil) }, "StaticNodes[0]"},
		{"nil trusted node", func(c *Config) { c.TrustedNodes = append(c.TrustedNodes, nil) }, "TrustedNodes[0]"},
		{"nil bootnode", func(c *Config) { c.BootstrapNodes = append(c.BootstrapNodes, nil) }, "BootstrapNodes[0]"},
		{"invalid prefix", func(c *Config) { c.NetRestrict = []netip.Prefix{{}} }, "NetRestrict[0]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := Config{PrivateKey: key, Protocols: []peer.Protocol{proto}}
			tt.mutate(&cfg)
			_, err := cfg.withDefaults()
			if !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("err = %v, want ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %q, want it to mention %q", err, tt.wantErr)
			}
			if _, err := New(cfg); !errors.Is(err, ErrInvalidConfig) {
				t.Fatalf("New: err = %v, want ErrInvalidConfig", err)
			}
		})
	}
}

// TestConfigCopied checks that New's copy is not affected by later changes
// to the caller's slices.
func TestConfigCopied(t *testing.T) {
	restrict := []netip.Prefix{netip.MustParsePrefix("10.1.2.3/8")}
	protos := []peer.Protocol{{Name: "a", Version: 1, Run: nopRun}}
	cfg, err := Config{PrivateKey: testKey(t), NetRestrict: restrict, Protocols: protos}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	if restrict[0].String() != "10.1.2.3/8" {
		t.Errorf("caller's NetRestrict changed to %v", restrict[0])
	}
	if cfg.NetRestrict[0].String() != "10.0.0.0/8" {
		t.Errorf("NetRestrict not masked: %v", cfg.NetRestrict[0])
	}
	protos[0].Name = "b"
	if cfg.Protocols[0].Name != "a" {
		t.Error("Protocols aliases the caller's slice")
	}
}

// TestConfigNilRun checks that a protocol without Run is accepted: the peer
// discards its messages, as Protocol.Run documents.
func TestConfigNilRun(t *testing.T) {
	_, err := Config{PrivateKey: testKey(t), Protocols: []peer.Protocol{{Name: "quiet", Version: 1, Length: 1}}}.withDefaults()
	require.NoError(t, err)
}

// TestConfigExplicitInbound checks that DialRatio 1 is fine once the inbound
// limit is given explicitly.
func TestConfigExplicitInbound(t *testing.T) {
	cfg, err := Config{PrivateKey: testKey(t), MaxPeers: 5, DialRatio: 1, MaxInboundPeers: 2}.withDefaults()
	require.NoError(t, err)
	require.Equal(t, 2, cfg.MaxInboundPeers)
}

// TestConfigCopiesRecordEntries: changing a protocol's record entry after
// New does not reach the server.
func TestConfigCopiesRecordEntries(t *testing.T) {
	value := []byte{0xc1, 0x01}
	in := Config{PrivateKey: testKey(t), Protocols: []peer.Protocol{{Name: "p", Version: 1, Length: 1, ENR: []peer.ENREntry{{Key: "p", Value: value}}}}}
	cfg, err := in.withDefaults()
	require.NoError(t, err)
	value[1] = 0x02
	in.Protocols[0].ENR[0].Key = "q"
	require.Equal(t, peer.ENREntry{Key: "p", Value: []byte{0xc1, 0x01}}, cfg.Protocols[0].ENR[0])
}
