package discover

import (
	"net/netip"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func testNodes(t *testing.T, n int) []*Node {
	t.Helper()
	out := make([]*Node, n)
	for i := range out {
		k, err := secp256k1.GeneratePrivateKey()
		require.NoError(t, err)
		out[i] = NewV4(k.PubKey(), netip.AddrFrom4([4]byte{127, 0, 3, byte(i + 1)}), 30303, 30303)
	}
	return out
}

func TestReadNodesAndFilter(t *testing.T) {
	nodes := testNodes(t, 6)
	withDup := append(append([]*Node{}, nodes...), nodes[0], nodes[1])
	tests := []struct {
		name string
		it   Iterator
		n    int
		want []*Node
	}{
		{"fewer than available", SliceIter(nodes), 3, nodes[:3]},
		{"exhausted early", SliceIter(nodes[:2]), 5, nodes[:2]},
		{"duplicates skipped", SliceIter(withDup), 8, nodes},
		{"filter", FilterIter(SliceIter(nodes), func(n *Node) bool { return n.IP().As4()[3]%2 == 0 }), 10, []*Node{nodes[1], nodes[3], nodes[5]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ReadNodes(tt.it, tt.n)
			require.Equal(t, len(tt.want), len(got))
			for i := range got {
				require.Equal(t, tt.want[i].ID(), got[i].ID(), "node %d", i)
			}
		})
	}
	t.Run("closed slice", func(t *testing.T) {
		it := SliceIter(nodes)
		require.True(t, it.Next())
		it.Close()
		it.Close()
		require.False(t, it.Next())
		require.True(t, it.Node() == nil)
	})
}

// TestRandomNodesClose: with an empty network, Next waits; Close unblocks
// it, and Close of the transport ends a fresh iterator at once.
func TestRandomNodesClose(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTest(t)
	defer ut.close()
	// An empty table: every lookup finds nothing, and the iterator waits
	// on the simulated clock between lookups.
	for _, n := range ut.known {
		ut.udp.tab.remove(n.ID())
	}
	it := ut.udp.RandomNodes()
	res := make(chan bool, 1)
	go func() { res <- it.Next() }()
	it.Close()
	require.False(t, <-res, "Next after Close")
	it.Close()

	it2 := ut.udp.RandomNodes()
	ut.close()
	require.False(t, it2.Next(), "Next after the transport closed")
}

// TestRandomNodesYields runs four transports on the packet pipe with the
// system clock: C and D join through B, then A's iterator yields B, C and D.
func TestRandomNodesYields(t *testing.T) {
	defer goleak.VerifyNone(t)
	pn := newPipeNet(t)
	start := func(addr string, boot []*Node) *UDPv4 {
		k, _ := secp256k1.GeneratePrivateKey()
		u, err := Listen(pn.listen(addr), k, Config{Bootnodes: boot})
		require.NoError(t, err)
		return u
	}
	b := start("127.0.0.2:30303", nil)
	defer b.Close()
	c := start("127.0.0.3:30303", []*Node{b.Self()})
	defer c.Close()
	d := start("127.0.0.4:30303", []*Node{b.Self()})
	defer d.Close()
	c.tab.waitInit(t.Context())
	d.tab.waitInit(t.Context())
	a := start("127.0.0.1:30303", []*Node{b.Self()})
	defer a.Close()

	it := a.RandomNodes()
	defer it.Close()
	got := make(chan []*Node, 1)
	go func() { got <- ReadNodes(it, 3) }()
	var nodes []*Node
	select {
	case nodes = <-got:
	case <-time.After(20 * time.Second):
		it.Close()
		<-got
		t.Fatal("iterator yielded fewer than 3 nodes in 20s")
	}
	ids := map[nodeid.ID]bool{}
	for _, n := range nodes {
		ids[n.ID()] = true
	}
	for _, want := range []*UDPv4{b, c, d} {
		require.True(t, ids[want.Self().ID()], "node %v yielded", want.Self().ID().TerminalString())
	}
}
