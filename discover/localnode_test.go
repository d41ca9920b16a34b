package discover

import (
	"bytes"
	"net/netip"
	"sync"
	"testing"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/rlp"
	"github.com/stretchr/testify/require"
)

func TestLocalNode(t *testing.T) {
	key := testKey(t, 3)
	ln := NewLocalNode(key, nil)
	require.Equal(t, nodeid.FromPubkey(key.PubKey()), ln.ID())

	n0 := ln.Node()
	seq0 := n0.Seq()
	require.True(t, seq0 > 1_600_000_000_000, "seq starts from the clock in ms, got %d", seq0)
	require.True(t, n0.Incomplete())
	require.Equal(t, ln.ID(), n0.ID())

	ln.SetIP(netip.MustParseAddr("127.0.0.1"))
	ln.SetUDP(30303)
	ln.SetTCP(30304)
	n1 := ln.Node()
	require.Equal(t, seq0+1, n1.Seq(), "several changes, one bump")
	require.Equal(t, netip.MustParseAddrPort("127.0.0.1:30303"), n1.UDPAddr())
	require.Equal(t, netip.MustParseAddrPort("127.0.0.1:30304"), n1.TCPAddr())
	require.True(t, n1 == ln.Node(), "no change, same node")
	require.Equal(t, seq0+1, ln.Seq())

	// Setting the same values changes nothing.
	ln.SetIP(netip.MustParseAddr("127.0.0.1"))
	ln.SetUDP(30303)
	require.True(t, n1 == ln.Node())

	// The published record verifies and round-trips.
	back, err := ParseNode(n1.String())
	require.NoError(t, err)
	require.Equal(t, n1.Seq(), back.Seq())
	require.Equal(t, n1.UDPAddr(), back.UDPAddr())

	// The old node is immutable.
	ln.SetUDP(1)
	n2 := ln.Node()
	require.Equal(t, seq0+2, n2.Seq())
	require.Equal(t, uint16(1), n2.UDP())
	require.Equal(t, uint16(30303), n1.UDP())

	t.Run("Set and Delete", func(t *testing.T) {
		require.NoError(t, ln.Set("eth", []byte{0xc0}))
		n := ln.Node()
		require.Equal(t, seq0+3, n.Seq())
		v, ok := n.Record().Get("eth")
		require.True(t, ok)
		require.Equal(t, []byte{0xc0}, v)
		ln.Delete("eth")
		require.False(t, ln.Node().Record().Has("eth"))
		require.Equal(t, seq0+4, ln.Seq())
	})
	t.Run("Set too big", func(t *testing.T) {
		before := ln.Node()
		err := ln.Set("big", rlp.AppendBytes(nil, bytes.Repeat([]byte{1}, 250)))
		require.ErrorIs(t, err, enr.ErrTooBig)
		require.True(t, before == ln.Node(), "nothing changed")
		require.ErrorIs(t, ln.Set("bad", []byte{0x82}), enr.ErrInvalidValue)
	})
	t.Run("change pushing over the limit is undone", func(t *testing.T) {
		// Fill the record to one byte below the limit with an IPv4
		// address; switching to adding an IPv6 address overflows it.
		before := ln.Node()
		size := func() int {
			b, err := ln.Node().AppendRecord(nil)
			require.NoError(t, err)
			return len(b)
		}
		pad := enr.MaxSize - size() - len("pad") - 1 - 3 - 4
		require.NoError(t, ln.Set("pad", rlp.AppendBytes(nil, make([]byte, pad))))
		require.True(t, size() >= enr.MaxSize-4, "size %d", size())
		full := ln.Node()
		require.True(t, full != before)
		ln.SetIP(netip.MustParseAddr("2001:db8::1"))
		require.True(t, full == ln.Node())
		require.ErrorIs(t, ln.Err(), enr.ErrTooBig)
		require.False(t, ln.Node().Record().Has(enr.KeyIP6))
		ln.Delete("pad")
		require.True(t, ln.Node() != full)
		require.NoError(t, ln.Err())
	})
}

func TestLocalNodeSeqPersists(t *testing.T) {
	db, err := OpenDB(t.TempDir())
	require.NoError(t, err)
	defer db.Close()
	key := testKey(t, 4)

	ln := NewLocalNode(key, db)
	ln.SetUDP(1)
	seq := ln.Seq()
	require.Equal(t, seq, db.LocalSeq(ln.ID()))

	// A new LocalNode for the same key never reuses a published seq.
	ln2 := NewLocalNode(key, db)
	require.Equal(t, seq+1, ln2.Seq())
	require.Equal(t, seq+1, db.LocalSeq(ln.ID()))
}

func TestLocalNodeConcurrent(t *testing.T) {
	ln := NewLocalNode(testKey(t, 5), nil)
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 20 {
				ln.SetUDP(uint16(i*100 + j))
				n := ln.Node()
				if n.Record() == nil || !n.Record().Signed() {
					t.Error("unsigned node")
				}
			}
		}()
	}
	wg.Wait()
	n := ln.Node()
	back, err := ParseNode(n.String())
	require.NoError(t, err)
	require.Equal(t, n.UDP(), back.UDP())
}

func TestLocalNodeStaticAndPredicted(t *testing.T) {
	ln := NewLocalNode(testKey(t, 4), nil)
	ln.SetIP(netip.MustParseAddr("127.0.0.1"))
	ln.SetUDP(30303)
	seq := ln.Seq()

	v4 := netip.MustParseAddrPort("198.51.100.1:40000")
	require.True(t, ln.SetPredicted(v4))
	require.False(t, ln.SetPredicted(v4), "same endpoint again")
	require.Equal(t, v4, ln.Node().UDPAddr())
	require.Equal(t, seq+1, ln.Seq())

	// IPv6 predictions go to ip6/udp6 and leave IPv4 alone.
	v6 := netip.MustParseAddrPort("[2001:db8::1]:40001")
	require.True(t, ln.SetPredicted(v6))
	ip6, _ := ln.Node().Record().IP6()
	udp6, _ := ln.Node().Record().UDP6()
	require.Equal(t, v6, netip.AddrPortFrom(ip6, udp6))
	require.Equal(t, v4, ln.Node().UDPAddr())

	// A static IPv4 address wins over every later IPv4 prediction, not
	// over IPv6 ones.
	ln.SetStaticIP(netip.MustParseAddr("::ffff:192.0.2.9"))
	require.False(t, ln.SetPredicted(netip.MustParseAddrPort("198.51.100.2:1")))
	require.Equal(t, netip.MustParseAddr("192.0.2.9"), ln.Node().IP())
	require.Equal(t, uint16(40000), ln.Node().UDP())
	require.True(t, ln.SetPredicted(netip.MustParseAddrPort("[2001:db8::2]:40001")))
}
