package discover

import (
	"context"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/nodeid"
)

// TestV5LoopbackNetwork runs 64 discv5 nodes on loopback UDP, bootstrapped
// from the first one. Random lookups run until every table holds at least
// 16 nodes (bounded by a deadline); then a lookup for every node's ID,
// started elsewhere, finds that node. Under the race detector the network
// shrinks to 12 nodes, as in TestLoopbackNetwork.
func TestV5LoopbackNetwork(t *testing.T) {
	if testing.Short() {
		t.Skip("64-node network")
	}
	t.Cleanup(func() { goleak.VerifyNone(t) })
	size, minTable, timeout := 64, BucketSize, DefaultV5ResponseTimeout
	if raceEnabled {
		size, minTable, timeout = 12, 11, 3*time.Second
	}
	cfg := Config{V5: V5Config{ResponseTimeout: timeout}}
	nodes := []*UDPv5{startV5(t, loopbackConn(t), nil, cfg)}
	cfg.V5.Bootnodes = []*Node{nodes[0].Self()}
	for len(nodes) < size {
		nodes = append(nodes, startV5(t, loopbackConn(t), nil, cfg))
	}

	setup := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	for round := 0; ; round++ {
		var short []*UDPv5
		for _, n := range nodes {
			if n.tab.len() < minTable {
				short = append(short, n)
			}
		}
		if len(short) == 0 {
			t.Logf("settled after %d rounds (%v)", round, time.Since(setup))
			break
		}
		if ctx.Err() != nil {
			t.Fatalf("%d nodes still have fewer than %d table entries", len(short), minTable)
		}
		var wg sync.WaitGroup
		sem := make(chan struct{}, 8)
		for _, n := range short {
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				n.LookupRandom(ctx)
			}()
		}
		wg.Wait()
	}

	members := make(map[nodeid.ID]bool, size)
	for _, n := range nodes {
		members[n.self] = true
	}
	for i, n := range nodes {
		for _, e := range n.TableNodes() {
			if !members[e.ID()] {
				t.Fatalf("node %d has a stranger %v in its table", i, e.ID())
			}
		}
	}

	start := time.Now()
	defer func() { t.Logf("final lookups took %v", time.Since(start)) }()
	var wg sync.WaitGroup
	for i, target := range nodes {
		from := nodes[(i+size/2)%size]
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, n := range from.Lookup(ctx, target.self) {
				if n.ID() == target.self {
					return
				}
			}
			t.Errorf("lookup from %v did not find %v", from.self.TerminalString(), target.self.TerminalString())
		}()
	}
	wg.Wait()
}
