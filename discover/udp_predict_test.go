package discover

import (
	"context"
	"fmt"
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/discover/v4wire"
)

// pingAnswered makes the transport ping a remote at addr, which answers
// with a Pong claiming our endpoint is to. It returns once the transport
// has handled the Pong.
func (ut *udpTest) pingAnswered(addr string, to netip.AddrPort) {
	ut.t.Helper()
	r := ut.remote(addr, nil)
	defer r.conn.Close() // the address may be used again by a later call
	hash, ping := r.startPing()
	r.send(&v4wire.Pong{To: v4wire.NewEndpoint(to, 0), ReplyTok: hash, Expiration: r.exp()})
	require.NoError(ut.t, (<-ping).err)
}

func TestUDPPredictsEndpointFromPongs(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTest(t)
	defer ut.close()
	external := netip.MustParseAddrPort("5.6.7.8:40404")
	before := ut.udp.Self()

	for i := range 9 {
		ut.pingAnswered(fmt.Sprintf("10.0.0.%d:30303", i+1), external)
	}
	require.Equal(t, before.Seq(), ut.udp.Self().Seq(), "changed before 10 senders agreed")

	ut.pingAnswered("10.0.0.10:30303", external)
	self := ut.udp.Self()
	require.Equal(t, external.Addr(), self.IP())
	require.Equal(t, external.Port(), self.UDP())
	require.Greater(t, self.Seq(), before.Seq())

	// A lying minority, each liar repeating itself, changes nothing.
	for round := range 3 {
		for i := range 5 {
			ut.pingAnswered(fmt.Sprintf("10.0.1.%d:30303", i+1), netip.MustParseAddrPort("9.9.9.9:1"))
		}
		require.Equal(t, self.Seq(), ut.udp.Self().Seq(), "round %d", round)
	}
}

// A claim its sender could not have seen is no statement: public peers
// never see us at a LAN or loopback address, and nobody sees us at a
// special-purpose one, however many agree. The same peers' claim of a
// public endpoint is counted.
func TestUDPPredictionIgnoresUnseeableClaims(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTest(t)
	defer ut.close()
	before := ut.udp.Self()
	for _, claim := range []string{"10.1.2.3:40404", "127.0.0.9:40404", "192.0.2.1:40404", "224.0.0.1:40404"} {
		for i := range 12 {
			ut.pingAnswered(fmt.Sprintf("5.6.8.%d:30303", i+1), netip.MustParseAddrPort(claim))
		}
		require.Equal(t, before.Seq(), ut.udp.Self().Seq(), "claim %s", claim)
		require.Equal(t, before.IP(), ut.udp.Self().IP(), "claim %s", claim)
	}
	external := netip.MustParseAddrPort("5.6.7.8:40404")
	for i := range 10 {
		ut.pingAnswered(fmt.Sprintf("5.6.8.%d:30303", i+1), external)
	}
	require.Equal(t, external.Addr(), ut.udp.Self().IP())
}

// Pongs that answer no ping of ours are not statements.
func TestUDPUnsolicitedPongsIgnored(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTest(t)
	defer ut.close()
	before := ut.udp.Self()
	for i := range 20 {
		r := ut.remote(fmt.Sprintf("10.0.0.%d:30303", i+1), nil)
		r.send(&v4wire.Pong{To: v4wire.NewEndpoint(netip.MustParseAddrPort("9.9.9.9:1"), 0), Expiration: r.exp()})
		r.sync()
	}
	require.Equal(t, before.Seq(), ut.udp.Self().Seq())
	require.Equal(t, before.IP(), ut.udp.Self().IP())
}

// A static IP (configured, or from a NAT gateway) is not overridden.
func TestUDPPredictionKeepsStaticIP(t *testing.T) {
	defer goleak.VerifyNone(t)
	ut := newUDPTest(t)
	defer ut.close()
	static := netip.MustParseAddr("192.0.2.50")
	ut.udp.localNode.SetStaticIP(static)
	for i := range 12 {
		ut.pingAnswered(fmt.Sprintf("10.0.0.%d:30303", i+1), netip.MustParseAddrPort("5.6.7.8:40404"))
	}
	require.Equal(t, static, ut.udp.Self().IP())
	require.Equal(t, uint16(30303), ut.udp.Self().UDP())
}

// TestV5PredictsEndpointFromPongs: a discv5 node whose record claims a
// loopback address learns its real endpoint from the PONGs of ten peers,
// each answering a PING of ours.
func TestV5PredictsEndpointFromPongs(t *testing.T) {
	defer goleak.VerifyNone(t)
	pn := newPipeNet(t)
	external := netip.MustParseAddrPort("5.6.7.8:40404")
	key := newV5Key(t)
	ln := NewLocalNode(key, nil)
	ln.SetIP(netip.MustParseAddr("127.0.0.1"))
	ln.SetUDP(30303)
	a := startV5(t, pn.listen(external.String()), key, Config{LocalNode: ln})
	defer a.Close()
	before := a.Self().Seq()

	ctx := context.Background()
	for i := range 10 {
		require.Equal(t, "127.0.0.1", a.Self().IP().String(), "changed before 10 senders agreed (%d)", i)
		b := startV5(t, pn.listen(fmt.Sprintf("10.0.0.%d:30303", i+1)), nil, Config{})
		_, err := a.Ping(ctx, b.Self())
		require.NoError(t, err)
		b.Close()
	}
	self := a.Self()
	require.Equal(t, external.Addr(), self.IP())
	require.Equal(t, external.Port(), self.UDP())
	require.Greater(t, self.Seq(), before)
}
