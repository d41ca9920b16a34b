package server

import (
	"testing"

	"github.com/devp2p-go/devp2p/nodeid"
)

// BenchmarkConnect measures the whole inbound path per connection: TCP
// accept, the RLPx handshake, the post-handshake checkpoint, Hello and the
// add-peer checkpoint (both sides run in this process).
func BenchmarkConnect(b *testing.B) {
	cfg := testConfig(b, newTestProto().protocol())
	cfg.MaxPeers, cfg.MaxInboundPeers = 1<<20, 1<<20
	srv, ev := startWithEvents(b, cfg)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rp, err := connectRaw(b, srv, nil)
		if err != nil {
			b.Fatal(err)
		}
		waitEvent(b, ev, PeerAdded)
		rp.conn.Close()
		waitEvent(b, ev, PeerDropped)
	}
}

// BenchmarkPeerSet measures a checkpoint pair (reserve, promote, release)
// on a set holding 50 peers.
func BenchmarkPeerSet(b *testing.B) {
	s := newPeerSet(id(0xff), limits{maxPeers: 100, maxInbound: 100, maxOutbound: 100})
	for i := range 50 {
		s.reserve(nodeid.ID{byte(i), 1}, flagInbound)
		s.promote(nodeid.ID{byte(i), 1}, new(serverPeer))
	}
	p := new(serverPeer)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		n := nodeid.ID{byte(i), 2}
		if _, r := s.reserve(n, flagDynDial); r != admitted {
			b.Fatal(r)
		}
		s.promote(n, p)
		s.release(n)
	}
}
