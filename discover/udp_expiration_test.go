package discover

import (
	"context"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/discover/v4wire"
)

// TestUDPExpirationSigned checks that the expiration of every packet type
// that carries one is read as a signed Unix time, as go-ethereum reads it:
// 2^63 and above are in the past, so such requests get no answer and such
// replies complete nothing. (ENRResponse has no expiration.)
func TestUDPExpirationSigned(t *testing.T) {
	defer goleak.VerifyNone(t)
	for _, tc := range []struct {
		name string
		exp  uint64
	}{{"2^63", 1 << 63}, {"2^64-1", math.MaxUint64}} {
		exp := tc.exp
		// Requests: the remote (bonded first where the request needs it)
		// gets no answer.
		for _, req := range []struct {
			name   string
			bond   bool
			packet func(r *remote) v4wire.Packet
		}{
			{"ping", false, func(r *remote) v4wire.Packet {
				return &v4wire.Ping{Version: 4, From: r.endpoint(), To: v4wire.Endpoint{IP: r.ut.addr.Addr(), UDP: r.ut.addr.Port()}, Expiration: exp}
			}},
			{"findnode", true, func(*remote) v4wire.Packet { return &v4wire.Findnode{Expiration: exp} }},
			{"enrrequest", true, func(*remote) v4wire.Packet { return &v4wire.ENRRequest{Expiration: exp} }},
		} {
			t.Run(tc.name+"/"+req.name, func(t *testing.T) {
				ut := newUDPTest(t)
				defer ut.close()
				r := ut.remote("127.0.0.2:30303", nil)
				if req.bond {
					r.bond()
				}
				r.send(req.packet(r))
				r.expectNothingBefore()
			})
		}
		t.Run(tc.name+"/pong", func(t *testing.T) {
			ut := newUDPTest(t)
			defer ut.close()
			r := ut.remote("127.0.0.2:30303", nil)
			hash, ping := r.startPing()
			r.send(&v4wire.Pong{To: r.endpoint(), ReplyTok: hash, Expiration: exp})
			r.sync()
			r.read() // ping-back for the sync ping
			ut.clk.Run(time.Second)
			require.ErrorIs(t, (<-ping).err, ErrTimeout)
		})
		t.Run(tc.name+"/neighbors", func(t *testing.T) {
			ut := newUDPTest(t)
			defer ut.close()
			r := ut.remote("127.0.0.2:30303", nil)
			r.bond()
			errc := make(chan error, 1)
			go func() {
				_, err := ut.udp.findnode(context.Background(), r.node(), v4wire.Pubkey{})
				errc <- err
			}()
			p, _ := r.read()
			if _, ok := p.(*v4wire.Findnode); !ok {
				t.Fatalf("got %s, want FINDNODE", p.Name())
			}
			r.send(&v4wire.Neighbors{Nodes: []v4wire.Node{{IP: r.conn.Addr().Addr(), UDP: 30303, TCP: 30303, ID: v4wire.PubkeyOf(r.key.PubKey())}}, Expiration: exp})
			r.syncBonded()
			ut.clk.Run(time.Second)
			require.ErrorIs(t, <-errc, ErrTimeout)
		})
	}
}
