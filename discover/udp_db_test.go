package discover

import (
	"net/netip"
	"path/filepath"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover/v4wire"
)

// TestUDPSeedsFromDB: the table starts with the recent nodes of the node
// database, not the stale ones.
func TestUDPSeedsFromDB(t *testing.T) {
	defer goleak.VerifyNone(t)
	db, err := OpenDB("")
	require.NoError(t, err)
	defer db.Close()
	clk := new(clock.Simulated)
	var fresh, stale []*Node
	for i := range 6 {
		k, _ := secp256k1.GeneratePrivateKey()
		n := NewV4(k.PubKey(), netip.AddrFrom4([4]byte{127, 0, 4, byte(i + 1)}), 30303, 30303)
		seen := clk.Now().Add(-time.Hour)
		if i%2 == 1 {
			seen = clk.Now().Add(-6 * 24 * time.Hour)
			stale = append(stale, n)
		} else {
			fresh = append(fresh, n)
		}
		require.NoError(t, db.UpdateNode(n, seen))
	}
	pn := newPipeNet(t)
	key, _ := secp256k1.GeneratePrivateKey()
	u, err := Listen(pn.listen(testTransportAddr), key, Config{Clock: clk, NodeDB: db, RevalidateInterval: time.Hour})
	require.NoError(t, err)
	defer u.Close()
	for _, n := range fresh {
		require.True(t, u.tab.nodeByID(n.ID()) != nil, "recent node %v seeded", n.ID().TerminalString())
	}
	for _, n := range stale {
		require.True(t, u.tab.nodeByID(n.ID()) == nil, "stale node %v seeded", n.ID().TerminalString())
	}
}

// TestUDPBondSurvivesRestart: a bond made before a restart on a persistent
// node database still counts after it.
func TestUDPBondSurvivesRestart(t *testing.T) {
	defer goleak.VerifyNone(t)
	path := filepath.Join(t.TempDir(), "nodes.db")
	key, _ := secp256k1.GeneratePrivateKey()
	remoteKey, _ := secp256k1.GeneratePrivateKey()
	clk := new(clock.Simulated)
	run := func(f func(ut *udpTest, r *remote)) {
		db, err := OpenDB(path)
		require.NoError(t, err)
		defer db.Close()
		ut := &udpTest{t: t, pn: newPipeNet(t), clk: clk, addr: netip.MustParseAddrPort(testTransportAddr)}
		ut.udp, err = Listen(ut.pn.listen(testTransportAddr), key, Config{Clock: clk, NodeDB: db, RevalidateInterval: time.Hour})
		require.NoError(t, err)
		defer ut.udp.Close()
		f(ut, ut.remote("127.0.0.2:30303", remoteKey))
	}
	run(func(ut *udpTest, r *remote) {
		ut.udp.tab.waitInit(t.Context()) // empty table: the refresh ends at once
		r.bond()
	})
	clk.Run(time.Hour)
	run(func(ut *udpTest, r *remote) {
		// Still bonded: an ENR request is answered without a new ping.
		// The startup refresh may ask r for nodes meanwhile (it trusts
		// the stored bond too); those requests are skipped.
		hash := r.send(&v4wire.ENRRequest{Expiration: r.exp()})
		for {
			p, _ := r.read()
			if _, ok := p.(*v4wire.Findnode); ok {
				continue
			}
			resp, ok := p.(*v4wire.ENRResponse)
			if !ok || resp.ReplyTok != hash {
				t.Fatalf("got %s, want the ENRRESPONSE", p.Name())
			}
			break
		}
		require.True(t, ut.udp.tab.nodeByID(r.id()) != nil, "bonded node seeded from the DB")
	})
}
