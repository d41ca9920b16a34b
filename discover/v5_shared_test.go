package discover

import (
	"context"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/discover/v4wire"
)

func startShared(t testing.TB, cfg Config) *UDPv4 {
	t.Helper()
	cfg.V5.Enable = true
	u, err := Listen(loopbackConn(t), newV5Key(t), cfg)
	require.NoError(t, err)
	t.Cleanup(u.Close)
	return u
}

// discv4 and discv5 on one socket, one table and one record.
func TestSharedSocket(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	a := startShared(t, Config{})
	b := startShared(t, Config{})
	require.NotNil(t, a.V5())
	require.Equal(t, a.Self().UDPAddr(), a.V5().Self().UDPAddr())
	require.Same(t, a.localNode, a.V5().LocalNode())

	t.Run("v4-ping", func(t *testing.T) {
		_, err := a.Ping(ctx, b.Self())
		require.NoError(t, err)
	})
	t.Run("v5-ping", func(t *testing.T) {
		seq, err := a.V5().Ping(ctx, b.Self())
		require.NoError(t, err)
		require.Equal(t, b.Self().Seq(), seq)
	})
	t.Run("v5-findnode-self", func(t *testing.T) {
		nodes, err := a.V5().FindNode(ctx, b.Self(), []uint{0})
		require.NoError(t, err)
		require.Len(t, nodes, 1)
		require.Equal(t, b.Self().ID(), nodes[0].ID())
	})
	t.Run("one-table", func(t *testing.T) {
		// b learnt a through either protocol; both views are one table.
		require.Eventually(t, func() bool { return b.tab.nodeByID(a.self) != nil }, 5*time.Second, time.Millisecond)
		require.Equal(t, b.TableNodes(), b.V5().TableNodes())
	})
	t.Run("v4-lookup", func(t *testing.T) {
		found := a.Lookup(ctx, v4wire.PubkeyOf(b.Self().Pubkey()))
		require.NotEmpty(t, found)
	})
}

// A v5-only node (ListenV5) and a v4-only node both talk to a shared one.
func TestSharedSocketMixedPeers(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	s := startShared(t, Config{})
	only5 := startV5(t, loopbackConn(t), nil, Config{})
	only4 := startLoopbackNode(t, nil, time.Second)
	t.Cleanup(only4.Close)
	_, err := only5.Ping(ctx, s.Self())
	require.NoError(t, err)
	_, err = only4.Ping(ctx, s.Self())
	require.NoError(t, err)
	// The shared node revalidates the v5-only node over discv5 once
	// discv4 fails.
	m := tableMux{v4: s, v5: s.V5()}
	seq, err := m.ping(ctx, only5.Self())
	require.NoError(t, err)
	require.Equal(t, only5.Self().Seq(), seq)
}

func TestPassToV5QueueFull(t *testing.T) {
	u := &UDPv4{unhandled: make(chan v5packet, 1), log: slog.New(slog.DiscardHandler)}
	from := netip.MustParseAddrPort("127.0.0.1:1")
	u.passToV5(from, []byte{1})
	u.passToV5(from, []byte{2}) // dropped, does not block
	p := <-u.unhandled
	require.Equal(t, []byte{1}, p.data)
	require.Empty(t, u.unhandled)
	(&UDPv4{}).passToV5(from, []byte{3}) // v5 off: no-op
}
