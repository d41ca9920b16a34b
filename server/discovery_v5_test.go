package server

import (
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/discover"
)

// TestDiscoveryV5Modes: servers that find each other over discv5 alone,
// or over discv4 and discv5 on one socket with separate bootnode lists,
// dial what they find until each has MaxPeers/DialRatio peers.
func TestDiscoveryV5Modes(t *testing.T) {
	n := 6
	if raceEnabled {
		n = 4
	}
	const maxPeers, dialRatio = 6, 3
	const want = maxPeers / dialRatio
	for _, mode := range []struct {
		name  string
		setup func(cfg *Config, boot *discover.Node)
	}{
		{"v5-only", func(cfg *Config, boot *discover.Node) {
			cfg.NoDiscoveryV4 = true
			if boot != nil {
				cfg.BootstrapNodesV5 = []*discover.Node{boot}
			}
		}},
		{"v4-and-v5-v5-bootnodes", func(cfg *Config, boot *discover.Node) {
			cfg.DiscoveryV5 = true
			if boot != nil {
				cfg.BootstrapNodesV5 = []*discover.Node{boot}
			}
		}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			servers, events := startDiscoveryNet(t, n, maxPeers, dialRatio, mode.setup)
			for _, srv := range servers {
				if srv.disc5 == nil {
					t.Fatal("discv5 not running")
				}
			}
			if lacking := waitPeers(servers, events, want, 45*time.Second); lacking > 0 {
				t.Fatalf("%d of %d servers have fewer than %d peers", lacking, n, want)
			}
		})
	}
}
