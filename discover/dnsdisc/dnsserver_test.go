package dnsdisc

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/internal/dnstest"
)

// TestDNSServerTreeWithLink resolves, over real DNS, a tree of 30 nodes
// with records over 255 bytes (so three levels of entries under the root,
// and TXT records of two character-strings) that links to a second tree.
func TestDNSServerTreeWithLink(t *testing.T) {
	nodesA, nodesB := testNodes(t, "dnsA", 30, 100), testNodes(t, "dnsB", 4, 0)
	kb := seededKey("B")
	treeB, urlB := signedTree(t, kb, "b.example.org", 3, nodesB, nil)
	treeA, urlA := signedTree(t, testKey(t), "a.example.org", 1, nodesA, []string{urlB})
	long := 0
	for _, text := range treeA.TXT("") {
		long = max(long, len(text))
	}
	require.Greater(t, long, 255, "some records need two character-strings")

	srv := dnstest.Start(t, treeA.TXT("a.example.org"), treeB.TXT("b.example.org"))
	c := newTestClient(t, ServerResolver(srv.Addr()), Config{Timeout: 10 * time.Second})
	ctx := context.Background()

	got, err := c.SyncTree(ctx, urlA)
	require.NoError(t, err)
	require.Equal(t, nodeIDs(nodesA), nodeIDs(got.Nodes()))
	require.Equal(t, []string{urlB}, got.Links())
	require.Equal(t, treeA.TXT("x"), got.TXT("x"))

	it, err := c.NewIterator(urlA)
	require.NoError(t, err)
	defer it.Close()
	want := nodeIDs(append(append([]*discover.Node{}, nodesA...), nodesB...))
	require.Equal(t, want, nodeIDs(discover.ReadNodes(it, len(want))))
}

// TestDNSServerRootUpdate republishes a tree with a higher sequence number
// while an iterator walks it.
func TestDNSServerRootUpdate(t *testing.T) {
	v1, v2 := testNodes(t, "dns-v1", 20, 0), testNodes(t, "dns-v2", 20, 0)
	t1, url := signedTree(t, testKey(t), "n.example.org", 1, v1, nil)
	t2, _ := signedTree(t, testKey(t), "n.example.org", 2, v2, nil)
	srv := dnstest.Start(t, t1.TXT("n.example.org"))
	clk := new(clock.Simulated)
	c := newTestClient(t, ServerResolver(srv.Addr()), Config{Timeout: 10 * time.Second, Clock: clk, RecheckInterval: time.Minute})

	it, err := c.NewIterator(url)
	require.NoError(t, err)
	defer it.Close()
	require.Equal(t, nodeIDs(v1), nodeIDs(discover.ReadNodes(it, 20)))

	srv.Update(t2.TXT("n.example.org"))
	clk.Run(time.Minute)
	require.Equal(t, nodeIDs(v2), nodeIDs(discover.ReadNodes(it, 20)))

	got, err := c.SyncTree(context.Background(), url)
	require.NoError(t, err)
	require.Equal(t, uint64(2), got.Seq())
}

// TestDNSServerRecordRemoved removes a leaf after the root was read:
// SyncTree fails naming the entry, the iterator yields the other nodes.
func TestDNSServerRecordRemoved(t *testing.T) {
	nodes := testNodes(t, "dns-rm", 20, 0)
	tree, url := signedTree(t, testKey(t), "n.example.org", 1, nodes, nil)
	srv := dnstest.Start(t, tree.TXT("n.example.org"))
	c := newTestClient(t, ServerResolver(srv.Addr()), Config{Timeout: 10 * time.Second})

	it, err := c.NewIterator(url)
	require.NoError(t, err)
	defer it.Close()
	require.True(t, it.Next(), "the root and first entries are read")
	first := it.Node()
	victim := nodes[0]
	if victim.ID() == first.ID() {
		victim = nodes[1]
	}
	gone := hashOf(victim.String()) + ".n.example.org"
	srv.Remove(gone)

	var rest []*discover.Node
	for _, n := range discover.ReadNodes(it, 19) {
		if n.ID() != first.ID() {
			rest = append(rest, n)
		}
	}
	want := map[string]bool{}
	for _, n := range nodes {
		if n.ID() != victim.ID() && n.ID() != first.ID() {
			want[n.ID().String()] = true
		}
	}
	require.Equal(t, want, nodeIDs(rest[:len(want)]))

	_, err = newTestClient(t, ServerResolver(srv.Addr()), Config{Timeout: 10 * time.Second}).SyncTree(context.Background(), url)
	var ee *EntryError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, gone, ee.Name)
}
