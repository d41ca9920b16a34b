package discover

import (
	"context"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/discover/v5wire"
)

// bigRecord returns a signed record of exactly size bytes.
func bigRecord(t *testing.T, size int) *enr.Record {
	t.Helper()
	key := newV5Key(t)
	for pad := 0; ; pad++ {
		r := new(enr.Record)
		r.SetIP(netip.MustParseAddr("1.2.3.4"))
		r.SetUDP(30303)
		require.NoError(t, r.Set("z", rlpString(pad)))
		require.NoError(t, r.SignV4(key))
		b, err := r.AppendRLP(nil)
		require.NoError(t, err)
		if len(b) == size {
			return r
		}
		require.Less(t, len(b), size, "overshot")
	}
}

// rlpString is the RLP encoding of n zero bytes.
func rlpString(n int) []byte {
	switch {
	case n == 1:
		return []byte{0}
	case n < 56:
		return append([]byte{0x80 + byte(n)}, make([]byte, n)...)
	default:
		return append([]byte{0xb8, byte(n)}, make([]byte, n)...)
	}
}

func TestPackNodes(t *testing.T) {
	t.Run("empty-is-one-packet", func(t *testing.T) {
		p := packNodes([]byte{1}, nil)
		require.Len(t, p, 1)
		require.Equal(t, uint8(1), p[0].Total)
		require.Empty(t, p[0].Nodes)
	})
	t.Run("16-records-of-300-bytes", func(t *testing.T) {
		rec := bigRecord(t, 300)
		recs := make([]*enr.Record, 16)
		for i := range recs {
			recs[i] = rec
		}
		packets := packNodes(make([]byte, 8), recs)
		require.Len(t, packets, 6) // three records per packet
		n := 0
		for _, p := range packets {
			require.Equal(t, uint8(6), p.Total)
			require.LessOrEqual(t, len(p.Nodes), 3)
			n += len(p.Nodes)
			// Each packet fits in 1280 bytes with an 8-byte request ID.
			pt := v5wire.AppendMessage(nil, p)
			size := v5wire.MaskingIVSize + v5wire.StaticHeaderSize + v5wire.MessageAuthSize + len(pt) + 16
			require.LessOrEqual(t, size, v5wire.MaxPacketSize)
		}
		require.Equal(t, 16, n)
	})
}

// A NODES response announcing total 0 is read as one packet.
func TestV5NodesTotalZero(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	pn := newPipeNet(t)
	u := pipeV5(t, pn, "1.2.3.1:30303", Config{V5: V5Config{ResponseTimeout: 5 * time.Second}})
	p := newV5Peer(t, pn, "5.6.7.1:30303")
	errc := make(chan error, 1)
	go func() { _, err := u.FindNode(ctx, p.node, []uint{256}); errc <- err }()
	m, from := p.answerHandshake()
	pkt, _, err := p.codec.EncodeMessage(u.self, from, &v5wire.Nodes{ReqID: m.RequestID(), Total: 0})
	require.NoError(t, err)
	start := time.Now()
	p.write(from, pkt)
	require.NoError(t, <-errc)
	require.Less(t, time.Since(start), 5*time.Second, "returned without waiting for a second packet")
}
