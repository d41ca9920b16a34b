package dnsdisc

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/metrics"
)

func TestConfigDefaults(t *testing.T) {
	cfg, err := Config{}.withDefaults()
	require.NoError(t, err)
	require.Equal(t, DefaultTimeout, cfg.Timeout)
	require.Equal(t, DefaultRecheckInterval, cfg.RecheckInterval)
	require.Equal(t, DefaultCacheLimit, cfg.CacheLimit)
	require.Equal(t, float64(DefaultRateLimit), cfg.RateLimit)
	require.Equal(t, DefaultRateBurst, cfg.RateBurst)
	require.Equal(t, DefaultMaxTreeEntries, cfg.MaxTreeEntries)
	require.Equal(t, DefaultMaxLinkDepth, cfg.MaxLinkDepth)
	require.NotNil(t, cfg.Resolver)
	require.NotNil(t, cfg.Logger)
	require.NotNil(t, cfg.Clock)

	for name, bad := range map[string]Config{
		"Timeout":         {Timeout: -1},
		"RecheckInterval": {RecheckInterval: -1},
		"CacheLimit":      {CacheLimit: -1},
		"RateLimit":       {RateLimit: -1},
		"RateBurst":       {RateBurst: -1},
		"MaxTreeEntries":  {MaxTreeEntries: -1},
		"MaxLinkDepth":    {MaxLinkDepth: -1},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := New(bad)
			require.ErrorIs(t, err, ErrInvalidConfig)
			require.ErrorContains(t, err, name)
		})
	}
}

func TestSyncTreeExampleZone(t *testing.T) {
	c := newTestClient(t, newMapResolver(exampleZone), Config{})
	tree, err := c.SyncTree(context.Background(), exampleURL)
	require.NoError(t, err)
	var ids []string
	for _, n := range tree.Nodes() {
		ids = append(ids, n.ID().String())
	}
	require.Equal(t, exampleNodeIDs, strings.Join(ids, " "))
	require.Equal(t, []string{specURL[:len("enrtree://")] + "AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@morenodes.example.org"}, tree.Links())
	require.Equal(t, exampleZone, tree.TXT("n"), "the synced tree reproduces the zone")
}

func TestSyncTreeBadNode(t *testing.T) {
	// go-ethereum's TestClientSyncTreeBadNode: the hash matches, the record
	// does not decode.
	zone := map[string]string{
		"n":                            "enrtree-root:v1 e=INDMVBZEEQ4ESVYAKGIYU74EAA l=C7HRFPF3BLGF3YR4DY5KX3SMBE seq=3 sig=Vl3AmunLur0JZ3sIyJPSH6A3Vvdp4F40jWQeCmkIhmcgwE4VC5U9wpK8C_uL_CMY29fd6FAhspRvq2z_VysTLAA",
		"C7HRFPF3BLGF3YR4DY5KX3SMBE.n": "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@morenodes.example.org",
		"INDMVBZEEQ4ESVYAKGIYU74EAA.n": "enr:-----",
	}
	c := newTestClient(t, newMapResolver(zone), Config{})
	_, err := c.SyncTree(context.Background(), exampleURL)
	require.ErrorIs(t, err, ErrInvalidENR)
	var ee *EntryError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, "INDMVBZEEQ4ESVYAKGIYU74EAA.n", ee.Name)
}

func TestMakeTreeRoundTrip(t *testing.T) {
	for _, n := range []int{0, 1, 13, 14, 200} {
		t.Run(fmt.Sprint(n, " nodes"), func(t *testing.T) {
			nodes := testNodes(t, "rt", n, 0)
			links := []string{NewLink("other.example.org", seededKey("x").PubKey()).String()}
			tree, url := signedTree(t, testKey(t), "nodes.example.org", 7, nodes, links)
			c := newTestClient(t, newMapResolver(tree.TXT("nodes.example.org")), Config{})
			got, err := c.SyncTree(context.Background(), url)
			require.NoError(t, err)
			require.Equal(t, uint64(7), got.Seq())
			require.Equal(t, nodeIDs(nodes), nodeIDs(got.Nodes()))
			require.Equal(t, links, got.Links())
			require.Equal(t, tree.TXT("x"), got.TXT("x"))
		})
	}
}

// TestMakeTreeRecordSizes builds a tree of the largest records there are
// (300 bytes) and a link with a 253-byte domain: every TXT record fits.
func TestMakeTreeRecordSizes(t *testing.T) {
	nodes := testNodes(t, "big", 40, 0)
	for i, n := range nodes {
		// Pad each record to exactly 300 bytes.
		rec := n.Record().Clone()
		var raw []byte
		for pad := 250; len(raw) != 300; pad-- {
			require.NoError(t, rec.SetValue("zpad", make([]byte, pad)))
			if rec.SignV4(seededKey("big"+string(rune(i)))) == nil {
				raw, _ = rec.AppendRLP(nil)
			}
		}
		var err error
		nodes[i], err = discover.NewNode(rec)
		require.NoError(t, err)
	}
	long := strings.Repeat(strings.Repeat("a", 62)+".", 4) + "b"
	require.Len(t, long, 253)
	tree, _ := signedTree(t, testKey(t), long, 1, nodes, []string{NewLink(long, testKey(t).PubKey()).String()})
	maxLen := 0
	for _, text := range tree.TXT(long) {
		maxLen = max(maxLen, len(text))
	}
	require.LessOrEqual(t, maxLen, MaxRecordSize)
	require.Equal(t, 404, maxLen, "a 300-byte record is a 404-byte entry")
}

func TestMakeTreeRejects(t *testing.T) {
	var rec = testNodes(t, "bad", 1, 0)[0].Record().Clone()
	require.NoError(t, rec.SetValue("udp", uint32(70000)))
	require.NoError(t, rec.SignV4(seededKey("bad\x00")))
	n, err := discover.NewNode(rec)
	require.NoError(t, err)
	_, err = MakeTree(1, []*discover.Node{n}, nil)
	require.ErrorIs(t, err, ErrInvalidENR, "go-ethereum's TestMakeTreeRejectsUndecodablePort")

	_, err = MakeTree(1, []*discover.Node{discover.NewV4(seededKey("v4").PubKey(), n.IP(), 1, 1)}, nil)
	require.ErrorIs(t, err, ErrInvalidENR, "a node without a record")

	_, err = MakeTree(1, nil, []string{"enrtree://nope@x"})
	require.ErrorIs(t, err, ErrInvalidLink)
}

func TestWriteZone(t *testing.T) {
	c := newTestClient(t, newMapResolver(exampleZone), Config{})
	tree, err := c.SyncTree(context.Background(), exampleURL)
	require.NoError(t, err)
	var b strings.Builder
	require.NoError(t, tree.WriteZone(&b, "n", 60, 86900))
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	require.Equal(t, "$ORIGIN n.", lines[0])
	require.Equal(t, `@ 60 IN TXT "`+exampleZone["n"]+`"`, lines[1])
	require.Equal(t, `2XS2367YHAXJFGLZHVAWLQD4ZY 86900 IN TXT "`+exampleZone["2XS2367YHAXJFGLZHVAWLQD4ZY.n"]+`"`, lines[2])
	require.Len(t, lines, 7)

	long := strings.Repeat("x", 300)
	require.Equal(t, `"`+long[:255]+`" "`+long[255:]+`"`, zoneStrings(long))
}

// TestRecordTooLarge serves records over 512 bytes at the root and at an
// entry.
func TestRecordTooLarge(t *testing.T) {
	tree, url := signedTree(t, testKey(t), "n", 1, testNodes(t, "tl", 3, 0), nil)
	big := "enrtree-branch:" + strings.Repeat("AAAAAAAAAAAAAAAAAAAAAAAAAA,", 20) + "AAAAAAAAAAAAAAAAAAAAAAAAAA"
	require.Greater(t, len(big), MaxRecordSize)

	t.Run("root", func(t *testing.T) {
		r := newMapResolver(tree.TXT("n"))
		r.set("n", tree.root.String()+" "+strings.Repeat("x", 400))
		_, err := newTestClient(t, r, Config{}).SyncTree(context.Background(), url)
		require.ErrorIs(t, err, ErrRecordTooLarge)
	})
	t.Run("entry", func(t *testing.T) {
		r := newMapResolver(tree.TXT("n"))
		r.set(tree.root.eroot+".n", big)
		_, err := newTestClient(t, r, Config{}).SyncTree(context.Background(), url)
		require.ErrorIs(t, err, ErrRecordTooLarge)
	})
	t.Run("split entry", func(t *testing.T) {
		r := newMapResolver(tree.TXT("n"))
		r.set(tree.root.eroot+".n", big[:300], big[300:])
		_, err := newTestClient(t, r, Config{}).SyncTree(context.Background(), url)
		require.ErrorIs(t, err, ErrRecordTooLarge)
	})
}

// TestWrongSubtree: a node record under l= and a link under e= are refused.
func TestWrongSubtree(t *testing.T) {
	node := testNodes(t, "ws", 1, 0)[0].String()
	link := NewLink("x", seededKey("x").PubKey()).String()
	for name, root := range map[string]*rootEntry{
		"enr under l=":  {eroot: hashOf(branchPrefix), lroot: hashOf(node)},
		"link under e=": {eroot: hashOf(link), lroot: hashOf(branchPrefix)},
	} {
		t.Run(name, func(t *testing.T) {
			tree := &Tree{root: root, entries: map[string]entry{}}
			url, err := tree.Sign(testKey(t), "n")
			require.NoError(t, err)
			r := newMapResolver(map[string]string{
				"n": tree.root.String(), hashOf(node) + ".n": node, hashOf(link) + ".n": link, hashOf(branchPrefix) + ".n": branchPrefix,
			})
			_, err = newTestClient(t, r, Config{}).SyncTree(context.Background(), url)
			require.ErrorIs(t, err, ErrWrongSubtree)
		})
	}
}

// TestEntryHashMismatch serves a valid entry under another entry's name.
func TestEntryHashMismatch(t *testing.T) {
	r := newMapResolver(exampleZone)
	r.set("2XS2367YHAXJFGLZHVAWLQD4ZY.n", exampleZone["H4FHT4B454P6UXFD7JCYQ5PWDY.n"])
	_, err := newTestClient(t, r, Config{}).SyncTree(context.Background(), exampleURL)
	require.ErrorIs(t, err, ErrHashMismatch)
	var ee *EntryError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, "2XS2367YHAXJFGLZHVAWLQD4ZY.n", ee.Name)
}

// TestRootBadSignature: a root signed by another key, a corrupted
// signature and a root whose signed fields were changed all fail.
func TestRootBadSignature(t *testing.T) {
	nodes := testNodes(t, "sig", 3, 0)
	other, _ := signedTree(t, seededKey("other"), "n", 1, nodes, nil)
	good, url := signedTree(t, testKey(t), "n", 1, nodes, nil)
	corrupt := *good.root
	corrupt.sig[10] ^= 1
	bumped := *good.root
	bumped.seq++
	for name, root := range map[string]string{
		"other key":      other.root.String(),
		"corrupted sig":  corrupt.String(),
		"seq not signed": bumped.String(),
		"high S":         highS(good.root).String(),
	} {
		t.Run(name, func(t *testing.T) {
			r := newMapResolver(good.TXT("n"))
			r.set("n", root)
			_, err := newTestClient(t, r, Config{}).SyncTree(context.Background(), url)
			require.ErrorIs(t, err, ErrInvalidSig)
		})
	}
	t.Run("verifies", func(t *testing.T) {
		_, err := newTestClient(t, newMapResolver(good.TXT("n")), Config{}).SyncTree(context.Background(), url)
		require.NoError(t, err)
	})
}

// highS returns root with its signature's S replaced by n − S: still a
// valid ECDSA signature, but malleable, which we refuse.
func highS(root *rootEntry) *rootEntry {
	out := *root
	n := [32]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe,
		0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36, 0x41, 0x41}
	var borrow int
	for i := 31; i >= 0; i-- {
		d := int(n[i]) - int(root.sig[32+i]) - borrow
		borrow = 0
		if d < 0 {
			d += 256
			borrow = 1
		}
		out.sig[32+i] = byte(d)
	}
	return &out
}

// TestRootLowerSeq: a root with a lower sequence number than the one in
// use is refused and the newer root stays.
func TestRootLowerSeq(t *testing.T) {
	nodes := testNodes(t, "seq", 5, 0)
	v5, url := signedTree(t, testKey(t), "n", 5, nodes, nil)
	v4, _ := signedTree(t, testKey(t), "n", 4, nodes[:2], nil)
	r := newMapResolver(v4.TXT("n"), v5.TXT("n"))
	c := newTestClient(t, r, Config{})
	link, err := ParseURL(url)
	require.NoError(t, err)
	ct := newClientTree(c, link, 0)
	now := time.Now()
	require.NoError(t, ct.updateRoot(context.Background(), now))
	require.Equal(t, uint64(5), ct.root.seq)

	r.set("n", v4.root.String())
	err = ct.updateRoot(context.Background(), now)
	require.ErrorIs(t, err, ErrStaleRoot)
	require.Equal(t, uint64(5), ct.root.seq, "the newer root is kept")
	require.Equal(t, v5.root.eroot, ct.nodes.root)
}

// bombTree returns the records of a tree of depth+1 distinct records whose
// branches all point to the same 13 children, so it has 13^depth leaves
// (all the same node), and its URL.
func bombTree(t *testing.T, depth int) (map[string]string, string) {
	recs := map[string]string{}
	leaf := testNodes(t, "bomb", 1, 0)[0].String()
	h := hashOf(leaf)
	recs[h+".n"] = leaf
	for range depth {
		b := branchPrefix + strings.Repeat(h+",", maxChildren-1) + h
		h = hashOf(b)
		recs[h+".n"] = b
	}
	empty := branchPrefix
	recs[hashOf(empty)+".n"] = empty
	tree := &Tree{root: &rootEntry{eroot: h, lroot: hashOf(empty)}, entries: map[string]entry{}}
	url, err := tree.Sign(testKey(t), "n")
	require.NoError(t, err)
	recs["n"] = tree.root.String()
	return recs, url
}

// TestTreeTooLarge serves trees of 13^4 and 13^30 leaves. SyncTree stops
// at MaxTreeEntries; an iterator walks the first in bounded memory, and
// rests on the second, whose leaves no capped pass reaches.
func TestTreeTooLarge(t *testing.T) {
	t.Run("sync", func(t *testing.T) {
		recs, url := bombTree(t, 30)
		r := newMapResolver(recs)
		c := newTestClient(t, r, Config{MaxTreeEntries: 500})
		_, err := c.SyncTree(context.Background(), url)
		require.ErrorIs(t, err, ErrTooManyEntries)
		require.LessOrEqual(t, r.total(), 40, "distinct records are fetched once")
	})
	t.Run("walk", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			recs, url := bombTree(t, 4)
			c := newTestClient(t, newMapResolver(recs), Config{MaxTreeEntries: 500})
			it, err := c.NewIterator(url)
			require.NoError(t, err)
			defer it.Close()
			inner := it.(*iterator)
			start := time.Now()
			for range 1000 {
				require.True(t, it.Next())
				for _, ct := range inner.trees {
					require.LessOrEqual(t, ct.nodes.fetched+len(ct.nodes.missing), 500+maxChildren)
				}
			}
			require.Less(t, time.Since(start), time.Second, "no waiting on a tree that yields")
		})
	})
	t.Run("link subtree", func(t *testing.T) {
		// A link subtree of 13^2 copies of one link, beside one node.
		recs := map[string]string{}
		leaf := NewLink("other", seededKey("o").PubKey()).String()
		h := hashOf(leaf)
		recs[h+".n"] = leaf
		for range 2 {
			b := branchPrefix + strings.Repeat(h+",", maxChildren-1) + h
			h = hashOf(b)
			recs[h+".n"] = b
		}
		node := testNodes(t, "lb", 1, 0)[0]
		recs[hashOf(node.String())+".n"] = node.String()
		tree := &Tree{root: &rootEntry{eroot: hashOf(node.String()), lroot: h}, entries: map[string]entry{}}
		url, err := tree.Sign(testKey(t), "n")
		require.NoError(t, err)
		recs["n"] = tree.root.String()
		c := newTestClient(t, newMapResolver(recs), Config{MaxTreeEntries: 100})
		it, err := c.NewIterator(url)
		require.NoError(t, err)
		defer it.Close()
		require.True(t, it.Next())
		require.Equal(t, node.ID(), it.Node().ID())
		inner := it.(*iterator)
		root := inner.trees[url]
		require.True(t, root.linksDone)
		require.LessOrEqual(t, root.links.fetched, 100)
		require.Len(t, inner.trees, 2, "the one linked tree, once")
	})
	t.Run("walk finds nothing", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			recs, url := bombTree(t, 30)
			r := newMapResolver(recs)
			c := newTestClient(t, r, Config{MaxTreeEntries: 500})
			it, err := c.NewIterator(url)
			require.NoError(t, err)
			done := make(chan bool)
			go func() { done <- it.Next() }()
			synctest.Wait()
			n := r.total()
			time.Sleep(10 * time.Minute) // fake time: the iterator rests
			synctest.Wait()
			require.Equal(t, n, r.total(), "no lookups while resting")
			it.Close()
			require.False(t, <-done)
		})
	})
}

// TestResolverHangs: a resolver that never answers is cut off by the
// lookup deadline, and Close ends an iterator blocked on it.
func TestResolverHangs(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newMapResolver()
		r.hang = true
		c := newTestClient(t, r, Config{Timeout: 2 * time.Second})
		start := time.Now()
		_, err := c.SyncTree(context.Background(), exampleURL)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		require.Equal(t, 2*time.Second, time.Since(start))

		it, err := c.NewIterator(exampleURL)
		require.NoError(t, err)
		done := make(chan bool)
		go func() { done <- it.Next() }()
		synctest.Wait()
		it.Close()
		require.False(t, <-done)
	})
}

// TestSplitTXT: a resolver that returns the character-strings of one TXT
// record as separate answers still works: their concatenation matches.
func TestSplitTXT(t *testing.T) {
	r := newMapResolver(exampleZone)
	root := exampleZone["n"]
	r.set("n", root[:100], root[100:])
	e := exampleZone["2XS2367YHAXJFGLZHVAWLQD4ZY.n"]
	r.set("2XS2367YHAXJFGLZHVAWLQD4ZY.n", e[:60], e[60:120], e[120:])
	tree, err := newTestClient(t, r, Config{}).SyncTree(context.Background(), exampleURL)
	require.NoError(t, err)
	require.Len(t, tree.Nodes(), 3)
}

func TestCacheAndRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tree, url := signedTree(t, testKey(t), "n", 1, testNodes(t, "rl", 30, 0), nil)
		r := newMapResolver(tree.TXT("n"))
		c, err := New(Config{Resolver: r, RateLimit: 2, RateBurst: 4, CacheLimit: 100})
		require.NoError(t, err)
		start := time.Now()
		_, err = c.SyncTree(context.Background(), url)
		require.NoError(t, err)
		lookups := r.total()
		require.Equal(t, len(tree.TXT("n")), lookups)
		// 4 lookups from the burst, the others at 2 per second.
		require.Equal(t, time.Duration(lookups-4)*time.Second/2, time.Since(start))

		start = time.Now()
		_, err = c.SyncTree(context.Background(), url)
		require.NoError(t, err)
		require.Equal(t, lookups+1, r.total(), "only the root is fetched again")
		require.LessOrEqual(t, time.Since(start), time.Second)
		require.Equal(t, lookups-1, c.cache.len())
	})
}

func TestLRUBounded(t *testing.T) {
	c := newLRU(3)
	for i := range 10 {
		c.add(fmt.Sprint(i), &branchEntry{})
	}
	require.Equal(t, 3, c.len())
	_, ok := c.get("6")
	require.False(t, ok)
	_, ok = c.get("9")
	require.True(t, ok)
}

// TestSyncTreeMetrics counts a good and a failed sync.
func TestSyncTreeMetrics(t *testing.T) {
	reg := metrics.NewRegistry()
	m, err := metrics.NewDNS(reg)
	require.NoError(t, err)
	c := newTestClient(t, newMapResolver(exampleZone), Config{Metrics: m})
	_, err = c.SyncTree(context.Background(), exampleURL)
	require.NoError(t, err)
	_, err = c.SyncTree(context.Background(), "enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@missing.example.org")
	require.Error(t, err)
	snap := reg.Snapshot()
	ok, _ := snap.Value(metrics.NameDNSTreeSyncs, "ok")
	bad, _ := snap.Value(metrics.NameDNSTreeSyncs, "error")
	require.Equal(t, []float64{1, 1}, []float64{ok, bad})
}
