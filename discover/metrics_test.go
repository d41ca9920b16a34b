package discover

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/metrics"
)

// TestUDPMetrics provokes each kind of packet the transport counts — a
// ping, a garbled packet, an oversized one, an expired ping, an unsolicited
// pong, a findnode from a node without an endpoint proof — and a lookup,
// and reads the counters back.
func TestUDPMetrics(t *testing.T) {
	defer goleak.VerifyNone(t)
	reg := metrics.NewRegistry()
	m, err := metrics.NewDiscovery(reg)
	require.NoError(t, err)
	ut := newUDPTestConfig(t, Config{Metrics: m})
	defer ut.close()
	r := ut.remote("127.0.0.2:30303", nil)

	pkt, _, err := v4wire.Encode(r.key, &v4wire.Ping{Version: 4, From: r.endpoint(), To: r.endpoint(), Expiration: r.exp()})
	require.NoError(t, err)
	garbled := append([]byte(nil), pkt...)
	garbled[0] ^= 1 // the hash no longer matches
	r.conn.WriteToUDPAddrPort(garbled, ut.addr)
	r.conn.WriteToUDPAddrPort(append(pkt, make([]byte, v4wire.MaxPacketSize+1-len(pkt))...), ut.addr)
	r.send(&v4wire.Ping{Version: 4, From: r.endpoint(), To: r.endpoint(), Expiration: uint64(ut.clk.Now().Add(-time.Second).Unix())})
	r.send(&v4wire.Pong{To: r.endpoint(), ReplyTok: [32]byte{1}, Expiration: r.exp()})
	r.send(&v4wire.Findnode{Expiration: r.exp()})
	r.sync()
	// The transport pings back the unknown node after its pong, which is
	// counted by then.
	if p, _ := r.read(); p.Kind() != v4wire.PingPacket {
		t.Fatalf("got %s, want the ping-back", p.Name())
	}

	// The table's first refresh ran its lookups before newUDPTestConfig
	// returned; one more is counted on top.
	before, _ := reg.Snapshot().Value(metrics.NameDiscoverLookups, "v4")
	require.Positive(t, before, "the first refresh's lookups")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ut.udp.Lookup(ctx, v4wire.Pubkey{}) // ends at once, but counts

	snap := reg.Snapshot()
	tests := []struct {
		name   string
		family string
		labels []string
		want   float64
	}{
		{"pings in (expired, and sync's)", metrics.NameDiscoverPackets, []string{"in", "v4", "ping"}, 2},
		{"pongs out", metrics.NameDiscoverPackets, []string{"out", "v4", "pong"}, 1},
		{"pongs in", metrics.NameDiscoverPackets, []string{"in", "v4", "pong"}, 1},
		{"findnodes in", metrics.NameDiscoverPackets, []string{"in", "v4", "findnode"}, 1},
		{"bad hash", metrics.NameDiscoverBadPackets, []string{"v4", "bad_hash"}, 1},
		{"too big", metrics.NameDiscoverBadPackets, []string{"v4", "too_big"}, 1},
		{"expired", metrics.NameDiscoverBadPackets, []string{"v4", "expired"}, 1},
		{"unsolicited", metrics.NameDiscoverBadPackets, []string{"v4", "unsolicited"}, 1},
		{"no endpoint proof", metrics.NameDiscoverBadPackets, []string{"v4", "no_endpoint_proof"}, 1},
		{"lookups", metrics.NameDiscoverLookups, []string{"v4"}, before + 1},
		{"lookup durations", metrics.NameDiscoverLookupDuration, []string{"v4"}, before + 1},
		{"table nodes", metrics.NameDiscoverTableNodes, nil, float64(len(ut.known))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := snap.Value(tt.family, tt.labels...)
			require.True(t, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

// TestV5Metrics: a discv5 ping with its handshake, and a packet too small
// to be one, counted by type and reason.
func TestV5Metrics(t *testing.T) {
	defer goleak.VerifyNone(t)
	reg := metrics.NewRegistry()
	m, err := metrics.NewDiscovery(reg)
	require.NoError(t, err)
	a := startV5(t, loopbackConn(t), nil, Config{Metrics: m})
	regB := metrics.NewRegistry()
	mB, err := metrics.NewDiscovery(regB)
	require.NoError(t, err)
	b := startV5(t, loopbackConn(t), nil, Config{Metrics: mB})
	defer a.Close()
	defer b.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()

	_, err = a.Ping(ctx, b.Self()) // random packet, WHOAREYOU, handshake with the PING, PONG
	require.NoError(t, err)
	// The handshake carried a's record into b's table, which a standalone
	// discv5 node counts like discv4's.
	require.Eventually(t, func() bool {
		v, _ := regB.Snapshot().Value(metrics.NameDiscoverTableNodes)
		return v == 1
	}, 5*time.Second, time.Millisecond)
	junk := loopbackConn(t)
	defer junk.Close()
	_, err = junk.WriteToUDPAddrPort(make([]byte, 20), a.Self().UDPAddr())
	require.NoError(t, err)
	require.Eventually(t, func() bool {
		v, _ := reg.Snapshot().Value(metrics.NameDiscoverBadPackets, "v5", "too_small")
		return v == 1
	}, 5*time.Second, time.Millisecond)

	snap := reg.Snapshot()
	for _, tt := range []struct {
		name   string
		labels []string
		want   float64
	}{
		// The PING goes out twice: first under no session (answered by
		// WHOAREYOU), then inside the handshake packet.
		{"ping out", []string{"out", "v5", "ping"}, 2},
		{"whoareyou in", []string{"in", "v5", "whoareyou"}, 1},
		{"pong in", []string{"in", "v5", "pong"}, 1},
	} {
		got, ok := snap.Value(metrics.NameDiscoverPackets, tt.labels...)
		require.True(t, ok, tt.name)
		// At least: the table may revalidate b meanwhile.
		require.GreaterOrEqual(t, got, tt.want, tt.name)
	}
}
