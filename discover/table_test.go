package discover

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"runtime"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/stretchr/testify/require"
)

// newTestTable returns a table around the key pool's self ID whose loop is
// not started: tests drive its loop-owned methods directly.
func newTestTable(t *testing.T, clk clock.Clock) (*table, *fakeTableNet, *fakeStore) {
	t.Helper()
	if clk == nil {
		clk = new(clock.Simulated)
	}
	fn, fs := newFakeTableNet(), newFakeStore()
	tab := newTable(tableConfig{
		self:               testPool().self,
		clock:              clk,
		rand:               &lockedRand{r: rand.New(rand.NewPCG(1, 2))},
		log:                slog.New(slog.DiscardHandler),
		revalidateInterval: 10 * time.Second,
		refreshInterval:    30 * time.Minute,
	}, fn, fs)
	return tab, fn, fs
}

func bucketOf(tab *table, n *Node) *bucket { return tab.bucketFor(n.ID()) }

func inEntries(tab *table, n *Node) bool { return indexOf(bucketOf(tab, n).entries, n.ID()) >= 0 }
func inReplacements(tab *table, n *Node) bool {
	return indexOf(bucketOf(tab, n).replacements, n.ID()) >= 0
}

func TestTableBucketIndex(t *testing.T) {
	tab, _, _ := newTestTable(t, nil)
	p := testPool()
	for _, d := range []int{256, 252, 248} {
		n := p.nodeAt(t, d, "10.0.0.1")
		if got, want := bucketOf(tab, n), tab.buckets[d-240]; got != want {
			t.Errorf("distance %d: wrong bucket", d)
		}
	}
}

func TestTableIPLimits(t *testing.T) {
	p := testPool()
	t.Run("bucket /24 limit", func(t *testing.T) {
		tab, _, _ := newTestTable(t, nil)
		a := p.nodeAt(t, 256, "1.2.3.1")
		b := p.nodeAt(t, 256, "1.2.3.2")
		c := p.nodeAt(t, 256, "1.2.3.3")
		other := p.nodeAt(t, 256, "1.2.4.1")
		for _, n := range []*Node{a, b, c, other} {
			tab.handleSeen(n)
		}
		require.True(t, inEntries(tab, a) && inEntries(tab, b), "first two accepted")
		require.False(t, inEntries(tab, c) || inReplacements(tab, c), "third from the /24 rejected")
		require.True(t, inEntries(tab, other), "other /24 accepted")
	})
	t.Run("bucket limit counts replacements", func(t *testing.T) {
		tab, _, _ := newTestTable(t, nil)
		for i := range BucketSize {
			tab.handleSeen(p.nodeAt(t, 256, fmt.Sprintf("10.0.%d.1", i)))
		}
		r1 := p.nodeAt(t, 256, "1.2.3.1")
		r2 := p.nodeAt(t, 256, "1.2.3.2")
		r3 := p.nodeAt(t, 256, "1.2.3.3")
		for _, n := range []*Node{r1, r2, r3} {
			tab.handleFound(n)
		}
		require.True(t, inReplacements(tab, r1) && inReplacements(tab, r2), "replacements accepted")
		require.False(t, inReplacements(tab, r3), "third replacement from the /24 rejected")
	})
	t.Run("table /24 limit", func(t *testing.T) {
		tab, _, _ := newTestTable(t, nil)
		var added []*Node
		// Two per bucket over six buckets: the eleventh exceeds the table limit.
		for d := 256; d > 250; d-- {
			for range 2 {
				n := p.nodeAt(t, d, fmt.Sprintf("1.2.3.%d", len(added)+1))
				tab.handleSeen(n)
				added = append(added, n)
			}
		}
		for i, n := range added[:tableIPLimit] {
			require.True(t, inEntries(tab, n), "node %d accepted", i)
		}
		require.False(t, inEntries(tab, added[tableIPLimit]), "eleventh node in the table accepted")
		// Removing one makes room again.
		tab.deleteEntry(added[0].ID())
		late := p.nodeAt(t, 250, "1.2.3.200")
		tab.handleSeen(late)
		require.True(t, inEntries(tab, late), "node after removal rejected")
	})
	t.Run("ipv6 /56 limit", func(t *testing.T) {
		tab, _, _ := newTestTable(t, nil)
		a := p.nodeAt(t, 256, "2a00:1:2:300::1")
		b := p.nodeAt(t, 256, "2a00:1:2:3aa::1")
		c := p.nodeAt(t, 256, "2a00:1:2:3ff::1")
		for _, n := range []*Node{a, b, c} {
			tab.handleSeen(n)
		}
		require.True(t, inEntries(tab, a) && inEntries(tab, b))
		require.False(t, inEntries(tab, c), "third in /56 accepted")
	})
	t.Run("loopback and LAN exempt", func(t *testing.T) {
		tab, _, _ := newTestTable(t, nil)
		for i := range 5 {
			lo := p.nodeAt(t, 256, fmt.Sprintf("127.0.0.%d", i+1))
			lan := p.nodeAt(t, 256, fmt.Sprintf("192.168.0.%d", i+1))
			tab.handleSeen(lo)
			tab.handleSeen(lan)
			require.True(t, inEntries(tab, lo) && inEntries(tab, lan), "local node %d rejected", i)
		}
	})
}

func TestTableSeenAndFound(t *testing.T) {
	p := testPool()
	tab, _, fs := newTestTable(t, nil)
	a := p.nodeAt(t, 256, "10.0.0.1")
	b := p.nodeAt(t, 256, "10.0.0.2")
	c := p.nodeAt(t, 256, "10.0.0.3")
	tab.handleFound(a)
	tab.handleFound(b)
	tab.handleSeen(c)
	bk := bucketOf(tab, a)
	require.Equal(t, []nodeid.ID{c.ID(), a.ID(), b.ID()}, entryIDs(bk.entries), "seen goes to the front, found to the back")
	tab.handleSeen(b)
	require.Equal(t, []nodeid.ID{b.ID(), c.ID(), a.ID()}, entryIDs(bk.entries), "seen again moves to the front")
	require.True(t, fs.nodes[b.ID()] != nil, "seen node stored in the DB")
	tab.handleSeen(&Node{id: testPool().self, ip: a.IP(), udp: 30303})
	require.Equal(t, 3, len(bk.entries), "self never added")
	noAddr := NewV4(p.keyAt(t, 256).PubKey(), netip.Addr{}, 0, 0)
	tab.handleSeen(noAddr)
	tab.handleFound(noAddr)
	require.False(t, inEntries(tab, noAddr) || inReplacements(tab, noAddr), "node without an address added")
}

func entryIDs(list []*tableNode) []nodeid.ID {
	out := make([]nodeid.ID, len(list))
	for i, e := range list {
		out[i] = e.ID()
	}
	return out
}

func TestTableReplacements(t *testing.T) {
	p := testPool()
	tab, fn, _ := newTestTable(t, nil)
	var full []*Node
	for i := range BucketSize {
		n := p.nodeAt(t, 256, fmt.Sprintf("10.0.%d.1", i))
		tab.handleSeen(n)
		full = append(full, n)
	}
	var repl []*Node
	for i := range maxReplacements + 2 {
		n := p.nodeAt(t, 256, fmt.Sprintf("10.1.%d.1", i))
		tab.handleFound(n)
		repl = append(repl, n)
	}
	bk := bucketOf(tab, full[0])
	require.Equal(t, BucketSize, len(bk.entries))
	require.Equal(t, maxReplacements, len(bk.replacements), "replacement list is bounded")
	require.False(t, inReplacements(tab, repl[0]), "oldest replacement dropped")

	// Revalidation picks the least recently seen entry: the first added.
	victim := tab.pickRevalidate()
	require.Equal(t, full[0].ID(), victim.ID())
	fn.dead[victim.ID()] = true
	tab.applyRevalidation(tab.revalidate(t.Context(), victim))
	require.False(t, inEntries(tab, victim), "dead node evicted")
	require.Equal(t, BucketSize, len(bk.entries), "a replacement was promoted")
	require.Equal(t, maxReplacements-1, len(bk.replacements))
	promoted := bk.entries[len(bk.entries)-1]
	require.True(t, indexOf(entryIDsToList(repl), promoted.ID()) >= 0, "promoted node came from the replacements")
}

func entryIDsToList(nodes []*Node) []*tableNode {
	out := make([]*tableNode, len(nodes))
	for i, n := range nodes {
		out[i] = &tableNode{Node: n}
	}
	return out
}

func TestTableRevalidateAlive(t *testing.T) {
	p := testPool()
	tab, fn, fs := newTestTable(t, nil)
	a := p.nodeAt(t, 256, "10.0.0.1")
	b := p.nodeAt(t, 256, "10.0.0.2")
	tab.handleSeen(a)
	tab.handleSeen(b) // order: b, a
	n := tab.pickRevalidate()
	require.Equal(t, a.ID(), n.ID(), "least recently seen picked")
	tab.applyRevalidation(tab.revalidate(t.Context(), n))
	require.Equal(t, []nodeid.ID{a.ID(), b.ID()}, entryIDs(bucketOf(tab, a).entries), "live node moved to front")
	require.True(t, fs.nodes[a.ID()] != nil, "live node stored")
	require.Equal(t, 1, len(fn.pinged))
}

func TestTableRemoveAndClosest(t *testing.T) {
	p := testPool()
	tab, _, _ := newTestTable(t, nil)
	var all []*Node
	for d := 256; d > 246; d-- {
		n := p.nodeAt(t, d, fmt.Sprintf("10.0.0.%d", d-240))
		tab.handleSeen(n)
		all = append(all, n)
	}
	target := all[3].ID()
	got := tab.closestInLoop(target, 4)
	require.Equal(t, 4, len(got))
	require.Equal(t, target, got[0].ID(), "closest to a node's own nodeid.ID is that node")
	for i := 1; i < len(got); i++ {
		require.True(t, nodeid.DistCmp(target, got[i-1].ID(), got[i].ID()) < 0, "sorted by distance")
	}
	tab.deleteEntry(target)
	require.False(t, inEntries(tab, all[3]))
	require.True(t, tab.closestInLoop(target, 1)[0].ID() != target)
}

// TestTableLoop runs the table goroutine on a simulated clock: seeds load
// at start, revalidation fires on the timer and evicts a dead node, and
// close joins everything.
func TestTableLoop(t *testing.T) {
	p := testPool()
	clk := new(clock.Simulated)
	tab, fn, fs := newTestTable(t, clk)
	seed := p.nodeAt(t, 256, "10.0.0.1")
	fs.updateNode(seed, clk.Now())
	boot := p.nodeAt(t, 255, "10.0.0.2")
	tab.cfg.bootnodes = []*Node{boot}
	fn.dead[seed.ID()] = true
	fn.dead[boot.ID()] = true

	tab.start()
	defer tab.close()
	tab.waitInit(t.Context())
	require.Equal(t, 2, tab.len(), "seed and bootnode loaded")

	// Revalidation pings one node per round; both are dead.
	for round := 0; tab.len() > 0; round++ {
		if round > 10 {
			t.Fatal("dead nodes never evicted")
		}
		clk.WaitForTimers(3)
		clk.Run(tab.cfg.revalidateInterval)
		want := 2 - (round + 1)
		waitCond(t, func() bool { return tab.len() == want })
	}
	require.Equal(t, 1, fn.refreshN)
}

// waitCond waits, without sleeping, until cond holds or 5 s pass.
func waitCond(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached in 5s")
		}
		runtime.Gosched()
	}
}

// TestTableRevalidateNewerRecord: a pong announcing a higher enr-seq makes
// revalidation fetch the record (EIP-868) and store it in the table.
func TestTableRevalidateNewerRecord(t *testing.T) {
	p := testPool()
	tab, fn, _ := newTestTable(t, nil)
	key := p.keyAt(t, 256)
	ln := NewLocalNode(key, nil)
	ln.SetIP(netip.MustParseAddr("10.0.0.1"))
	ln.SetUDP(30303)
	ln.SetTCP(30305)
	old := NewV4(key.PubKey(), netip.MustParseAddr("10.0.0.1"), 30303, 30303)
	tab.handleSeen(old)

	fn.seqs[old.ID()] = ln.Seq()
	fn.records[old.ID()] = ln.Node()
	tab.applyRevalidation(tab.revalidate(t.Context(), tab.pickRevalidate()))
	e := bucketOf(tab, old).entries[0]
	require.Equal(t, ln.Seq(), e.Seq(), "newer record stored")
	require.Equal(t, uint16(30305), e.TCP())

	// A lower seq in a later pong does not replace it.
	fn.seqs[old.ID()] = 1
	fn.records[old.ID()] = old
	tab.applyRevalidation(tab.revalidate(t.Context(), tab.pickRevalidate()))
	require.Equal(t, ln.Seq(), bucketOf(tab, old).entries[0].Seq(), "record kept")
}
