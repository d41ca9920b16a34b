package discover

import (
	"net/netip"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/nodeid"
)

// FuzzHandlePacket feeds arbitrary datagrams to a transport's packet
// handler, from an unbonded and from a bonded sender: nothing may panic or
// hang, whatever the packet.
func FuzzHandlePacket(f *testing.F) {
	key, _ := secp256k1.GeneratePrivateKey()
	ep := v4wire.Endpoint{IP: netip.MustParseAddr("127.0.0.2"), UDP: 30303}
	exp := uint64(time.Now().Add(time.Hour).Unix())
	for _, p := range []v4wire.Packet{
		&v4wire.Ping{Version: 4, From: ep, To: ep, Expiration: exp, ENRSeq: 3},
		&v4wire.Pong{To: ep, Expiration: exp},
		&v4wire.Findnode{Expiration: exp},
		&v4wire.Neighbors{Nodes: []v4wire.Node{{IP: ep.IP, UDP: 30303, TCP: 30303}}, Expiration: exp},
		&v4wire.ENRRequest{Expiration: exp},
	} {
		pkt, _, err := v4wire.Encode(key, p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(pkt, false)
		f.Add(pkt, true)
	}
	pn := newPipeNet(f)
	tkey, _ := secp256k1.GeneratePrivateKey()
	u, err := Listen(pn.listen("127.0.0.1:30303"), tkey, Config{})
	if err != nil {
		f.Fatal(err)
	}
	defer u.Close()
	from := netip.MustParseAddrPort("127.0.0.2:30303")
	bondedFrom := netip.MustParseAddrPort("127.0.0.3:30303")
	f.Fuzz(func(t *testing.T, data []byte, bonded bool) {
		src := from
		if bonded {
			src = bondedFrom
			if _, pub, _, err := v4wire.Decode(data); err == nil {
				u.db.setLastPong(nodeid.ID(pub.ID()), bondedFrom.Addr(), u.clock.Now())
			}
		}
		u.handlePacket(src, data)
	})
}
