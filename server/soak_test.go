package server

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"

	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/peer"
)

// TestSoak: 200 peers connect to one server in waves, each exchanges
// messages and disconnects. Every message is counted on both sides, and
// nothing is left running afterwards.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("200 handshakes")
	}
	defer goleak.VerifyNone(t)
	const (
		peers       = 200
		concurrency = 25
		msgs        = 20
	)

	// The server's side of test/1 counts requests and answers each.
	serverProto := newTestProto()
	cfg := testConfig(t, serverProto.protocol())
	cfg.MaxPeers, cfg.MaxInboundPeers = peers, peers
	// All clients come from 127.0.0.1. Room for every client at once, and
	// more: the caps and evictions are TestAdmissionUnderAttack's subject.
	cfg.MaxPendingPeers, cfg.MaxPendingPerLANIP, cfg.MaxPendingPerLANSubnet = 2*concurrency, 2*concurrency, 2*concurrency
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan PeerEvent, 2*peers)
	unsub := srv.SubscribeEvents(events)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}

	var received atomic.Int64
	errs := make(chan error, peers)
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	for i := range peers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			n, err := soakClient(t, srv, msgs)
			received.Add(int64(n))
			if err != nil {
				errs <- fmt.Errorf("client %d: %w", i, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// Every peer came and went, for the reason the client gave.
	added, dropped := 0, 0
	for added < peers || dropped < peers {
		switch ev := recv(t, events); ev.Type {
		case PeerAdded:
			added++
		case PeerDropped:
			dropped++
			if ev.Reason != peer.DiscQuitting {
				t.Errorf("peer %v dropped with %v, want %v", ev.ID.TerminalString(), ev.Reason, peer.DiscQuitting)
			}
		}
	}
	srv.Close()
	unsub()

	const total = peers * msgs
	served, answered := serverProto.Requests.Load(), serverProto.Answered.Load()
	if served != total || answered != total || received.Load() != total {
		t.Fatalf("server read %d and answered %d, clients received %d; want %d each",
			served, answered, received.Load(), total)
	}
	if srv.PeerCount() != 0 {
		t.Fatalf("PeerCount = %d after every peer left", srv.PeerCount())
	}
}

// soakClient connects a full peer to srv, sends n numbered requests on
// test/1, checks the n replies, and disconnects (its protocol returns,
// which ends the peer with "client quitting"). It returns the replies
// received.
func soakClient(t *testing.T, srv *Server, n int) (int, error) {
	rp, err := dialRaw(t, srv, nil)
	if err != nil {
		return 0, err
	}
	theirs, err := rp.hello(peer.Cap{Name: "test", Version: 1})
	if err != nil {
		return 0, err
	}
	got := 0
	proto := peer.Protocol{Name: "test", Version: 1, Length: 2, Run: func(p *peer.Peer, rw peer.MsgReadWriter) error {
		errc := make(chan error, 1)
		go func() { // send while reading, as a real protocol would
			for i := range n {
				var b [8]byte
				binary.BigEndian.PutUint64(b[:], uint64(i))
				if err := rw.WriteMsg(peer.NewMsg(0, b[:])); err != nil {
					errc <- err
					return
				}
			}
			errc <- nil
		}()
		for i := range n {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			b, _ := io.ReadAll(msg.Payload)
			if msg.Code != 1 || len(b) != 8 || binary.BigEndian.Uint64(b) != uint64(i) {
				return fmt.Errorf("reply %d: code %d, payload %x", i, msg.Code, b)
			}
			got++
		}
		return <-errc
	}}
	p, err := peer.New(rp.conn, theirs, []peer.Protocol{proto}, peer.Config{})
	if err != nil {
		return 0, err
	}
	err = p.Run(context.Background())
	var de *peer.DisconnectError
	if errors.As(err, &de) && de.Reason == peer.DiscQuitting && !de.Remote {
		err = nil
	}
	return got, err
}
