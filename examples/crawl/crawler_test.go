package main

import (
	"io"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
)

// TestCrawlerBookkeeping drives the crawler's state without a network:
// nodes are recorded once, queued once, and listed only once verified, in
// the order they were first seen, with the record a verification brought.
func TestCrawlerBookkeeping(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	c := newCrawler(nil, 4, slog.New(slog.NewTextHandler(io.Discard, nil)))
	c.now = func() time.Time { return now }
	tick := func() { now = now.Add(time.Second) }

	newNode := func() (*discover.Node, *discover.Node) {
		key, err := secp256k1.GeneratePrivateKey()
		if err != nil {
			t.Fatal(err)
		}
		plain := discover.NewV4(key.PubKey(), netip.MustParseAddr("127.0.0.1"), 30303, 30303)
		ln := discover.NewLocalNode(key, nil)
		ln.SetIP(netip.MustParseAddr("127.0.0.1"))
		ln.SetUDP(30303)
		return plain, ln.Node()
	}
	a, aRecord := newNode()
	b, _ := newNode()
	unverified, _ := newNode()

	c.see(a)
	tick()
	c.see(b)
	c.see(unverified)
	tick()
	c.see(a) // again: no new entry, later last-seen
	c.see(discover.NewV4(a.Pubkey(), netip.Addr{}, 0, 0))
	if len(c.nodes) != 3 || len(c.queue) != 3 {
		t.Fatalf("%d nodes, %d queued; want 3 and 3", len(c.nodes), len(c.queue))
	}

	// Verifications complete out of order; one fails.
	tick()
	c.inflight = 3
	c.handleResult(result{node: b, verified: true, at: now})
	c.handleResult(result{node: unverified})
	c.handleResult(result{node: aRecord, verified: true, at: now})
	if c.inflight != 0 || c.verified != 2 {
		t.Fatalf("in flight %d, verified %d; want 0 and 2", c.inflight, c.verified)
	}
	got := c.verifiedEntries()
	if len(got) != 2 || got[0].node.ID() != a.ID() || got[1].node.ID() != b.ID() {
		t.Fatalf("verified entries %v, want a then b", got)
	}
	start := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	if e := got[0]; e.node.Record() == nil || !e.firstSeen.Equal(start) || !e.lastSeen.Equal(start.Add(3*time.Second)) {
		t.Fatalf("a: record %v, first %v, last %v", e.node.Record() != nil, e.firstSeen, e.lastSeen)
	}

	// A second success does not count twice.
	c.inflight = 1
	c.handleResult(result{node: b, verified: true, at: now})
	if c.verified != 2 {
		t.Fatalf("verified %d after a repeat, want 2", c.verified)
	}
}
