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

	events := make(chan PeerEvent, 64*n)
	servers := make([]*Server, n)
	for i := range servers {
		cfg := testConfig(t, newTestProto().protocol())
		cfg.NoDiscovery = false
		cfg.MaxPeers, cfg.DialRatio = maxPeers, dialRatio
		cfg.Discovery.ResponseTimeout = replyTimeout
		if i > 0 {
			cfg.BootstrapNodes = []*discover.Node{servers[0].Self()}
		}
		srv, err := New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.SubscribeEvents(events))
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			start := time.Now()
			srv.Close()
			if d := time.Since(start); d > time.Second {
				t.Logf("server %d: Close took %v", i, d)
			}
		})
		servers[i] = srv
	}
	if rec := servers[0].Self().Record(); rec == nil {
		t.Fatal("with discovery on, Self has no signed record")
	}

	start := time.Now()
	timer := time.NewTimer(deadline)
	defer timer.Stop()
	for {
		lacking := 0
		for _, srv := range servers {
			if srv.PeerCount() < want {
				lacking++
			}
		}
		if lacking == 0 {
			t.Logf("%d servers reached %d peers each in %v", n, want, time.Since(start))
			return
		}
		select {
		case <-events:
		case <-timer.C:
			for i, srv := range servers {
				t.Logf("server %d: %d peers, table %d", i, srv.PeerCount(), len(srv.disc.TableNodes()))
			}
			t.Fatalf("after %v, %d of %d servers have fewer than %d peers", deadline, lacking, n, want)
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
