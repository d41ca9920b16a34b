package discover

import (
	"context"
	"testing"
	"time"

	"go.uber.org/goleak"
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

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	settleNetwork(t, ctx, nodes, minTable)
	checkNoStrangers(t, nodes)

	start := time.Now()
	defer func() { t.Logf("final lookups took %v", time.Since(start)) }()
	lookupEach(t, nodes, func(from, target *UDPv5) []*Node { return from.Lookup(ctx, target.self) })
}
