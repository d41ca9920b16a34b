package interop

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gdiscover "github.com/ethereum/go-ethereum/p2p/discover"
	"github.com/ethereum/go-ethereum/p2p/enode"
)

// fakePacket is a datagram long enough to carry a discv4 type byte.
func fakePacket(typ byte) []byte {
	b := make([]byte, v4TypeOffset+10)
	b[v4TypeOffset] = typ
	copy(b, gcrypto.Keccak256(b[32:]))
	return b
}

func TestGuardConnCounting(t *testing.T) {
	const S, R = 's', 'r' // send or receive
	type step struct {
		dir byte
		typ byte
	}
	sends := func(typ byte, n int) []step {
		s := make([]step, n)
		for i := range s {
			s[i] = step{S, typ}
		}
		return s
	}
	cat := func(parts ...[]step) []step {
		var all []step
		for _, p := range parts {
			all = append(all, p...)
		}
		return all
	}
	tests := []struct {
		name      string
		steps     []step
		tripAt    int // index of the step that trips; -1 for none
		requests  int // requests that passed
		wireSends int
	}{
		{"11 pings pass", sends(v4Ping, 11), -1, 11, 11},
		{"12th ping trips", sends(v4Ping, 12), 11, 11, 11},
		{"mixed requests trip", cat(sends(v4Ping, 4), sends(v4Findnode, 4), sends(v4ENRRequest, 4)), 11, 11, 11},
		{"pong resets", cat(sends(v4Ping, 11), []step{{R, v4Pong}}, sends(v4Ping, 11)), -1, 22, 22},
		{"neighbors resets", cat(sends(v4Findnode, 11), []step{{R, v4Neighbors}}, sends(v4Findnode, 11)), -1, 22, 22},
		{"enrresponse resets", cat(sends(v4ENRRequest, 11), []step{{R, v4ENRResponse}}, sends(v4Ping, 11)), -1, 22, 22},
		{"received requests do not reset", cat(sends(v4Ping, 11), []step{{R, v4Ping}, {R, v4Findnode}}, sends(v4Ping, 1)), 13, 11, 11},
		{"sent replies are not requests", cat(sends(v4Pong, 20), sends(v4Neighbors, 20), sends(v4ENRResponse, 20)), -1, 0, 60},
		{"short packets are not requests", []step{{S, 0}, {S, 0}}, -1, 0, 2},
		{"no sends after trip", cat(sends(v4Ping, 12), sends(v4Pong, 3), []step{{R, v4Pong}}, sends(v4Ping, 2)), 11, 11, 11},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			mn := newMemNet(t)
			conn, peer := mn.listen(), mn.listen()
			var sent, wire atomic.Int64
			var anyTrip atomic.Bool
			g := newGuardConn(countConn{conn, &wire}, &sent, &anyTrip)
			tripped := -1
			buf := make([]byte, 1280)
			for i, s := range tt.steps {
				if s.dir == R {
					pkt := fakePacket(s.typ)
					if s.typ == 0 {
						pkt = pkt[:v4TypeOffset]
					}
					peer.WriteToUDPAddrPort(pkt, conn.Addr())
					if _, _, err := g.ReadFromUDPAddrPort(buf); err != nil && tripped < 0 {
						t.Fatalf("step %d: read: %v", i, err)
					}
					continue
				}
				pkt := fakePacket(s.typ)
				if s.typ == 0 {
					pkt = pkt[:v4TypeOffset]
				}
				_, err := g.WriteToUDPAddrPort(pkt, peer.Addr())
				if err != nil && tripped < 0 {
					if !errors.Is(err, errGuardTripped) {
						t.Fatalf("step %d: error %v, want errGuardTripped", i, err)
					}
					tripped = i
				}
			}
			if tripped != tt.tripAt {
				t.Errorf("tripped at step %d, want %d", tripped, tt.tripAt)
			}
			if got := anyTrip.Load(); got != (tt.tripAt >= 0) {
				t.Errorf("anyTrip = %v", got)
			}
			if got := g.requestsSent(); got != tt.requests {
				t.Errorf("requests passed = %d, want %d", got, tt.requests)
			}
			if got := wire.Load(); got != int64(tt.wireSends) {
				t.Errorf("datagrams on the wire = %d, want %d", got, tt.wireSends)
			}
			if sent.Load() != wire.Load() {
				t.Errorf("guard counted %d sends, wire saw %d", sent.Load(), wire.Load())
			}
			if tt.tripAt >= 0 {
				if _, err := conn.WriteToUDPAddrPort(fakePacket(v4Pong), peer.Addr()); !errors.Is(err, net.ErrClosed) {
					t.Errorf("inner conn not closed after trip: write error %v", err)
				}
			}
		})
	}
}

// TestGuardStopsGethPingingDeadNodes runs a go-ethereum node that pings
// nodes nobody answers for. The guard must close its socket before the 12th
// unanswered request, and nothing may be sent after that.
func TestGuardStopsGethPingingDeadNodes(t *testing.T) {
	mn := newMemNet(t)
	var sent, wire atomic.Int64
	var anyTrip atomic.Bool
	conn := mn.listen()
	guard := newGuardConn(countConn{conn, &wire}, &sent, &anyTrip)

	key, db, ln := newGethLocalNode(t, conn.Addr())
	t.Cleanup(db.Close)
	udp, err := gdiscover.ListenV4(guard, ln, gdiscover.Config{PrivateKey: key})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(udp.Close)

	deadNode := func() *enode.Node {
		k, err := gcrypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		addr := mn.deadAddr()
		return enode.NewV4(&k.PublicKey, net.IP(addr.Addr().AsSlice()), 0, int(addr.Port()))
	}
	pingAll := func(n int) {
		nodes := make([]*enode.Node, n)
		for i := range nodes {
			nodes[i] = deadNode()
		}
		var wg sync.WaitGroup
		for _, dn := range nodes {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := udp.Ping(dn); err == nil {
					t.Errorf("ping of dead node %v succeeded", dn.ID())
				}
			}()
		}
		wg.Wait()
	}

	pingAll(20)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	select {
	case <-guard.trippedCh:
	case <-ctx.Done():
		t.Fatalf("guard did not trip; %d requests sent", guard.requestsSent())
	}
	if err := guard.tripped(); !errors.Is(err, errGuardTripped) {
		t.Fatalf("tripped() = %v", err)
	}
	t.Log(guard.tripped())
	afterTrip := wire.Load()
	if got := guard.requestsSent(); got > guardLimit || got < 1 {
		t.Errorf("%d requests passed the guard, want 1..%d", got, guardLimit)
	}
	if afterTrip != int64(guard.requestsSent()) {
		t.Errorf("%d datagrams on the wire, %d requests passed the guard", afterTrip, guard.requestsSent())
	}

	pingAll(3)
	if got := wire.Load(); got != afterTrip {
		t.Errorf("%d datagrams sent after the guard tripped", got-afterTrip)
	}
	if _, err := conn.WriteToUDPAddrPort(fakePacket(v4Ping), netip.AddrPort{}); !errors.Is(err, net.ErrClosed) {
		t.Errorf("socket still open after trip: %v", err)
	}
}
