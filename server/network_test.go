package server

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/discover"
)

// TestDiscoveryNetwork: servers on loopback with discovery on, all
// bootstrapped from the first, find each other and each reaches at least
// MaxPeers/DialRatio peers (the share it fills by dialing discovered
// nodes).
func TestDiscoveryNetwork(t *testing.T) {
	// Under the race detector each discv4 signature check costs tens of
	// milliseconds on a loaded machine, so the network shrinks and replies
	// get longer to arrive (as in package discover's loopback test).
	n, replyTimeout := 32, time.Duration(0)
	if raceEnabled {
		n, replyTimeout = 12, 3*time.Second
	}
	if testing.Short() {
		n = 8
	}
	const maxPeers, dialRatio = 9, 3
	const want = maxPeers / dialRatio
	const deadline = 45 * time.Second

	servers, events := startDiscoveryNet(t, n, maxPeers, dialRatio, func(cfg *Config, boot *discover.Node) {
		cfg.Discovery.ResponseTimeout = replyTimeout
		if boot != nil {
			cfg.BootstrapNodes = []*discover.Node{boot}
		}
	})
	if rec := servers[0].Self().Record(); rec == nil {
		t.Fatal("with discovery on, Self has no signed record")
	}

	start := time.Now()
	if lacking := waitPeers(servers, events, want, deadline); lacking > 0 {
		for i, srv := range servers {
			t.Logf("server %d: %d peers, table %d", i, srv.PeerCount(), len(srv.disc.TableNodes()))
		}
		t.Fatalf("after %v, %d of %d servers have fewer than %d peers", deadline, lacking, n, want)
	}
	t.Logf("%d servers reached %d peers each in %v", n, want, time.Since(start))
}

// startDiscoveryNet starts n loopback servers with discovery on, each
// taking maxPeers peers and dialing maxPeers/dialRatio of them, all
// subscribed to the returned channel. setup adjusts each server's config;
// boot is the first server's node, nil for the first server itself.
func startDiscoveryNet(t *testing.T, n, maxPeers, dialRatio int, setup func(cfg *Config, boot *discover.Node)) ([]*Server, <-chan PeerEvent) {
	t.Helper()
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
		setup(&cfg, boot)
		srv := startSubscribed(t, cfg, events)
		t.Cleanup(func() { // runs first; startSubscribed's Close then does nothing
			start := time.Now()
			srv.Close()
			if d := time.Since(start); d > time.Second {
				t.Logf("server %d: Close took %v", i, d)
			}
		})
		servers[i] = srv
	}
	return servers, events
}

// waitPeers waits, re-checking on every event of events, until each of
// servers has at least want peers or timeout passes. It returns how many
// servers still have fewer (0 once all have enough).
func waitPeers(servers []*Server, events <-chan PeerEvent, want int, timeout time.Duration) (lacking int) {
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		lacking = 0
		for _, srv := range servers {
			if srv.PeerCount() < want {
				lacking++
			}
		}
		if lacking == 0 {
			return 0
		}
		select {
		case <-events:
		case <-timer.C:
			return lacking
		}
	}
}

// TestDiscoveryConfig: the discovery endpoint's address and node database
// follow Config.DiscoveryAddr and Config.NodeDBPath, and our record
// announces both ports.
func TestDiscoveryConfig(t *testing.T) {
	dir := t.TempDir()
	cfg := testConfig(t)
	cfg.NoDiscovery = false
	cfg.NoDial = true
	cfg.DiscoveryAddr = "127.0.0.1:0"
	cfg.NodeDBPath = dir

	srv := startServer(t, cfg)
	self := srv.Self()
	if self.UDP() == 0 || self.TCP() == 0 || self.Record() == nil {
		t.Fatalf("Self = %v, want a signed record with both ports", self)
	}
	if info := srv.NodeInfo(); info.ENR == "" || info.ENR != self.Record().String() {
		t.Fatalf("NodeInfo.ENR = %q", info.ENR)
	}
	srv.Close()
	if _, err := os.Stat(filepath.Join(dir, "nodes.db")); err != nil {
		t.Fatalf("node database not in NodeDBPath: %v", err)
	}
}
