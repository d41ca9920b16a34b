package dnsdisc

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/discover"
)

func TestIteratorAllNodes(t *testing.T) {
	nodes := testNodes(t, "all", 40, 0)
	tree, url := signedTree(t, testKey(t), "n", 1, nodes, nil)
	c := newTestClient(t, newMapResolver(tree.TXT("n")), Config{})
	it, err := c.NewIterator(url)
	require.NoError(t, err)
	defer it.Close()
	require.Equal(t, nodeIDs(nodes), nodeIDs(discover.ReadNodes(it, 40)))
}

// TestIteratorLinkLoop: A links to B, B back to A and to C, C to itself.
// Each tree is walked once and all their nodes come out.
func TestIteratorLinkLoop(t *testing.T) {
	ka, kb, kc := seededKey("A"), seededKey("B"), seededKey("C")
	la, lb, lc := NewLink("a", ka.PubKey()).String(), NewLink("b", kb.PubKey()).String(), NewLink("c", kc.PubKey()).String()
	na, nb, nc := testNodes(t, "a", 3, 0), testNodes(t, "b", 3, 0), testNodes(t, "c", 3, 0)
	ta, _ := signedTree(t, ka, "a", 1, na, []string{lb})
	tb, _ := signedTree(t, kb, "b", 1, nb, []string{la, lc})
	tc, _ := signedTree(t, kc, "c", 1, nc, []string{lc})
	c := newTestClient(t, newMapResolver(ta.TXT("a"), tb.TXT("b"), tc.TXT("c")), Config{})
	it, err := c.NewIterator(la)
	require.NoError(t, err)
	defer it.Close()
	want := nodeIDs(append(append(append([]*discover.Node{}, na...), nb...), nc...))
	require.Equal(t, want, nodeIDs(discover.ReadNodes(it, 9)))
	require.Len(t, it.(*iterator).trees, 3)
}

// TestIteratorLinkDepth: a chain of six linked trees is followed only
// MaxLinkDepth links deep.
func TestIteratorLinkDepth(t *testing.T) {
	const chain, depth = 6, 2
	r := newMapResolver()
	var urls []string
	var want []*discover.Node
	for i := chain - 1; i >= 0; i-- {
		var links []string
		if i < chain-1 {
			links = []string{urls[0]}
		}
		nodes := testNodes(t, fmt.Sprint("chain", i), 1, 0)
		tree, url := signedTree(t, seededKey(fmt.Sprint("k", i)), fmt.Sprint("t", i), 1, nodes, links)
		r.add(tree.TXT(fmt.Sprint("t", i)))
		urls = append([]string{url}, urls...)
		if i <= depth {
			want = append(want, nodes...)
		}
	}
	c := newTestClient(t, r, Config{MaxLinkDepth: depth})
	it, err := c.NewIterator(urls[0])
	require.NoError(t, err)
	defer it.Close()
	got := map[string]bool{}
	for range 300 {
		require.True(t, it.Next())
		got[it.Node().ID().String()] = true
	}
	require.Equal(t, nodeIDs(want), got)
	require.Len(t, it.(*iterator).trees, depth+1)
	require.Zero(t, r.count("t3"), "the tree past the depth limit is never fetched")
}

// TestIteratorEmptyTree: a tree without nodes makes Next wait, not spin
// (go-ethereum#22306), until the next root check.
func TestIteratorEmptyTree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tree, url := signedTree(t, testKey(t), "n", 1, nil, nil)
		r := newMapResolver(tree.TXT("n"))
		c := newTestClient(t, r, Config{RecheckInterval: time.Hour})
		it, err := c.NewIterator(url)
		require.NoError(t, err)
		done := make(chan bool)
		go func() { done <- it.Next() }()
		synctest.Wait()
		require.Equal(t, 1, r.count("n"))
		time.Sleep(59 * time.Minute)
		synctest.Wait()
		require.Equal(t, 1, r.count("n"), "no lookups before the recheck")
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		require.Equal(t, 2, r.count("n"), "the root is checked again after an hour")
		it.Close()
		require.False(t, <-done)
	})
}

// TestIteratorCloseBeforeNext (go-ethereum#22906).
func TestIteratorCloseBeforeNext(t *testing.T) {
	c := newTestClient(t, newMapResolver(exampleZone), Config{})
	it, err := c.NewIterator(exampleURL)
	require.NoError(t, err)
	it.Close()
	require.False(t, it.Next())
	require.Nil(t, it.Node())
	it.Close()
}

func TestIteratorRootUpdate(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		v1, v2 := testNodes(t, "v1", 5, 0), testNodes(t, "v2", 5, 0)
		t1, url := signedTree(t, testKey(t), "n", 1, v1, nil)
		t2, _ := signedTree(t, testKey(t), "n", 2, v2, nil)
		r := newMapResolver(t1.TXT("n"))
		c := newTestClient(t, r, Config{RecheckInterval: time.Minute})
		it, err := c.NewIterator(url)
		require.NoError(t, err)
		defer it.Close()
		require.Equal(t, nodeIDs(v1), nodeIDs(discover.ReadNodes(it, 5)))

		r.add(t2.TXT("n"))
		time.Sleep(time.Minute)
		require.Equal(t, nodeIDs(v2), nodeIDs(discover.ReadNodes(it, 5)), "after the recheck only the new tree's nodes")
	})
}

// TestIteratorSkipsBadEntries: a leaf that fails (missing, or not matching
// its hash) is skipped, and the rest of the tree still comes out.
func TestIteratorSkipsBadEntries(t *testing.T) {
	nodes := testNodes(t, "skip", 20, 0)
	tree, url := signedTree(t, testKey(t), "n", 1, nodes, nil)
	r := newMapResolver(tree.TXT("n"))
	missing, wrong := hashOf(nodes[3].String()), hashOf(nodes[4].String())
	r.remove(missing + ".n")
	r.set(wrong+".n", nodes[5].String())
	c := newTestClient(t, r, Config{})
	it, err := c.NewIterator(url)
	require.NoError(t, err)
	defer it.Close()
	got := nodeIDs(discover.ReadNodes(it, 18))
	want := nodeIDs(append(append([]*discover.Node{}, nodes[:3]...), nodes[5:]...))
	require.Equal(t, want, got)
}

// TestIteratorMaxTrees: a tree linking to more trees than the iterator
// keeps; only maxTrees are walked, and the links left out are logged in one
// line per rebuild, not one per link (a tree decides how many it lists).
func TestIteratorMaxTrees(t *testing.T) {
	var links []string
	for i := range maxTrees + 20 {
		links = append(links, NewLink(fmt.Sprint("t", i), seededKey("k").PubKey()).String())
	}
	tree, url := signedTree(t, testKey(t), "n", 1, testNodes(t, "mt", 1, 0), links)
	r := newMapResolver(tree.TXT("n"))
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := newTestClient(t, r, Config{Logger: logger})
	it, err := c.NewIterator(url)
	require.NoError(t, err)
	defer it.Close()
	for range 20 {
		require.True(t, it.Next())
	}
	require.Len(t, it.(*iterator).trees, maxTrees)

	logs.Reset()
	it.(*iterator).rebuild()
	require.Len(t, it.(*iterator).trees, maxTrees)
	require.Equal(t, 1, strings.Count(logs.String(), "too many linked trees"), logs.String())
	// The root and 255 of its links make maxTrees: 21 links are left out.
	require.Contains(t, logs.String(), "dropped=21")
}

// TestIteratorLinkRemoved: a tree whose link disappears in a new root is
// dropped with its progress.
func TestIteratorLinkRemoved(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		kb := seededKey("B")
		na, nb := testNodes(t, "ra", 2, 0), testNodes(t, "rb", 2, 0)
		tb, lb := signedTree(t, kb, "b", 1, nb, nil)
		a1, la := signedTree(t, testKey(t), "a", 1, na, []string{lb})
		a2, _ := signedTree(t, testKey(t), "a", 2, na, nil)
		r := newMapResolver(a1.TXT("a"), tb.TXT("b"))
		c := newTestClient(t, r, Config{RecheckInterval: time.Minute})
		it, err := c.NewIterator(la)
		require.NoError(t, err)
		defer it.Close()
		require.Equal(t, nodeIDs(append(append([]*discover.Node{}, na...), nb...)), nodeIDs(discover.ReadNodes(it, 4)))
		require.Len(t, it.(*iterator).trees, 2)

		r.add(a2.TXT("a"))
		time.Sleep(time.Minute)
		// Within a few steps A's new root and empty link subtree are read
		// and B is dropped; B may yield a node or two before that.
		inner := it.(*iterator)
		for i := 0; len(inner.trees) > 1; i++ {
			require.Less(t, i, 20, "B never dropped")
			require.True(t, it.Next())
		}
		for range 50 {
			require.True(t, it.Next())
			require.Contains(t, nodeIDs(na), it.Node().ID().String())
		}
	})
}
