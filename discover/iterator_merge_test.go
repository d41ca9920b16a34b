package discover

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMergeIters(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	mk := func(n int, port uint16) []*Node {
		var out []*Node
		for i := range n {
			out = append(out, signedNode(t, newV5Key(t), netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), port+uint16(i))))
		}
		return out
	}
	a, b := mk(3, 1000), mk(2, 2000)

	t.Run("exhausts-all-sources", func(t *testing.T) {
		it := MergeIters(SliceIter(a), SliceIter(b))
		defer it.Close()
		got := ReadNodes(it, 10)
		require.ElementsMatch(t, append(append([]*Node{}, a...), b...), got)
		require.False(t, it.Next())
	})
	t.Run("close-unblocks-a-blocked-source", func(t *testing.T) {
		blocked := &blockingIter{closed: make(chan struct{})}
		it := MergeIters(blocked, SliceIter(a))
		require.Len(t, ReadNodes(it, 3), 3)
		it.Close()
		require.False(t, it.Next())
	})
}

// blockingIter never yields a node until it is closed.
type blockingIter struct{ closed chan struct{} }

func (b *blockingIter) Next() bool  { <-b.closed; return false }
func (b *blockingIter) Node() *Node { return nil }
func (b *blockingIter) Close()      { close(b.closed) }
