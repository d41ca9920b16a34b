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
			events := make(chan PeerEvent, 64*n)
			servers := make([]*Server, n)
			for i := range servers {
				cfg := testConfig(t, newTestProto().protocol())
				cfg.NoDiscovery = false
				cfg.MaxPeers, cfg.DialRatio = maxPeers, dialRatio
				var boot *discover.Node
				if i > 0 {
					boot = servers[0].Self()
				}
				mode.setup(&cfg, boot)
				srv, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(srv.SubscribeEvents(events))
				if err := srv.Start(); err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { srv.Close() })
				servers[i] = srv
				if srv.disc5 == nil {
					t.Fatal("discv5 not running")
				}
			}
			timer := time.NewTimer(45 * time.Second)
			defer timer.Stop()
			for {
				lacking := 0
				for _, srv := range servers {
					if srv.PeerCount() < want {
						lacking++
					}
				}
				if lacking == 0 {
					return
				}
				select {
				case <-events:
				case <-timer.C:
					t.Fatalf("%d of %d servers have fewer than %d peers", lacking, n, want)
				}
			}
		})
	}
}
