package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethlog "github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/p2p"
	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/rlpx"
)

// The peer interop tests connect our rlpx + peer stack to go-ethereum's
// p2p.Server over TCP loopback, in both dial directions, with the test
// protocol itest/1 (echo_test.go) registered on both sides.

// peerGethNode is a running go-ethereum p2p.Server.
type peerGethNode struct {
	srv    *p2p.Server
	pub    *secp256k1.PublicKey
	events chan *p2p.PeerEvent
}

func startPeerGeth(t *testing.T) *peerGethNode { return startPeerGethMax(t, 10) }

func startPeerGethMax(t *testing.T, maxPeers int) *peerGethNode {
	t.Helper()
	key, err := gethcrypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	srv := &p2p.Server{Config: p2p.Config{
		PrivateKey:  key,
		MaxPeers:    maxPeers,
		Name:        "geth-interop",
		NoDiscovery: true,
		ListenAddr:  "127.0.0.1:0",
		Protocols:   []p2p.Protocol{gethItestProtocol()},
		Logger:      gethlog.NewLogger(gethlog.DiscardHandler()),
	}}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	g := &peerGethNode{srv: srv, events: make(chan *p2p.PeerEvent, 64)}
	sub := srv.SubscribeEvents(g.events)
	t.Cleanup(func() {
		sub.Unsubscribe()
		srv.Stop()
	})
	g.pub, err = secp256k1.ParsePubKey(gethcrypto.FromECDSAPub(&key.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// waitDrop waits for geth to report the peer's drop and returns its error
// text.
func (g *peerGethNode) waitDrop(t *testing.T) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-g.events:
			if ev.Type == p2p.PeerEventTypeDrop {
				return ev.Error
			}
		case <-timeout:
			t.Fatal("geth never dropped the peer")
		}
	}
}

// itestProtocol runs the client side of itest/1: it checks the greeting and
// an echo, holds the link idle for hold (longer than our read timeout, so
// only geth's pongs keep it up), checks another echo, then hands rw to the
// test and waits for the end.
func itestProtocol(hold time.Duration, ready chan<- peer.MsgReadWriter, failed chan<- error) peer.Protocol {
	return peer.Protocol{Name: "itest", Version: 1, Length: itestLength, Run: func(p *peer.Peer, rw peer.MsgReadWriter) error {
		err := func() error {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			var greeting string
			if msg.Code != itestGreeting || msg.Decode(&greeting) != nil || greeting != gethGreeting {
				return fmt.Errorf("first message: code %d %q", msg.Code, greeting)
			}
			if err := itestRoundTrip(rw, make([]byte, 64*1024)); err != nil {
				return err
			}
			idle := time.NewTimer(hold)
			<-idle.C
			return itestRoundTrip(rw, []byte("still there"))
		}()
		if err != nil {
			failed <- err
			return err
		}
		ready <- rw
		for {
			if _, err := rw.ReadMsg(); err != nil {
				return err
			}
		}
	}}
}

// itestRoundTrip sends data as an echo request and checks the reply.
func itestRoundTrip(rw peer.MsgReadWriter, data []byte) error {
	if err := peer.Send(rw, itestEcho, data); err != nil {
		return err
	}
	msg, err := rw.ReadMsg()
	if err != nil {
		return err
	}
	var got []byte
	if err := msg.Decode(&got); err != nil {
		return err
	}
	if msg.Code != itestEchoReply || !bytes.Equal(got, data) {
		return fmt.Errorf("echo: code %d, %d bytes back for %d", msg.Code, len(got), len(data))
	}
	return nil
}

func TestPeerInteropGeth(t *testing.T) {
	const (
		pingInterval = 100 * time.Millisecond
		readTimeout  = 400 * time.Millisecond
		hold         = 1200 * time.Millisecond // three read timeouts
	)
	for _, dir := range []string{"we dial", "geth dials"} {
		for _, side := range []string{"we disconnect", "geth disconnects"} {
			t.Run(dir+"/"+side, func(t *testing.T) {
				g := startPeerGeth(t)
				key, err := secp256k1.GeneratePrivateKey()
				if err != nil {
					t.Fatal(err)
				}
				conn, inbound := connectPeerGeth(t, g, key, dir == "geth dials")
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if err := conn.Handshake(ctx); err != nil {
					t.Fatal("rlpx handshake:", err)
				}
				theirs, err := peer.Handshake(ctx, conn, peer.NewHello(key.PubKey(), "devp2p-interop", peer.Cap{Name: "itest", Version: 1}))
				if err != nil {
					t.Fatal("hello:", err)
				}
				if theirs.Version != 5 || theirs.Name != "geth-interop" {
					t.Fatalf("geth's hello: %v", theirs)
				}
				if !conn.RemotePubkey().IsEqual(g.pub) {
					t.Fatal("remote key is not geth's")
				}

				ready := make(chan peer.MsgReadWriter, 1)
				failed := make(chan error, 1)
				p, err := peer.New(conn, theirs, []peer.Protocol{itestProtocol(hold, ready, failed)}, peer.Config{
					PingInterval: pingInterval,
					ReadTimeout:  readTimeout,
				})
				if err != nil {
					t.Fatal(err)
				}
				if p.Inbound() != inbound {
					t.Fatalf("Inbound() = %v, want %v", p.Inbound(), inbound)
				}
				done := make(chan error, 1)
				go func() { done <- p.Run(context.Background()) }()

				var rw peer.MsgReadWriter
				select {
				case rw = <-ready:
				case err := <-failed:
					t.Fatal("protocol:", err)
				case err := <-done:
					t.Fatal("peer ended early:", err)
				}
				// Snappy is on: the 64 KiB of zeros went out much smaller.
				if st := p.Stats(); len(st) != 1 || st[0].BytesOut >= 64*1024 || st[0].MsgsIn != 3 {
					t.Errorf("stats %+v: want a compressed 64 KiB message and 3 messages in", st)
				}

				var want peer.DiscReason
				if side == "we disconnect" {
					want = peer.DiscTooManyPeers
					p.Disconnect(want)
				} else {
					want = peer.DiscUselessPeer
					if err := peer.Send(rw, itestDiscMe, uint8(want)); err != nil {
						t.Fatal(err)
					}
				}
				err = <-done
				var de *peer.DisconnectError
				if !errors.As(err, &de) || de.Reason != want || de.Remote != (side == "geth disconnects") {
					t.Errorf("Run returned %v, want reason %v from the %s", err, want, side)
				}
				gethErr := g.waitDrop(t)
				if gethErr != p2p.DiscReason(want).Error() {
					t.Errorf("geth dropped the peer with %q, want %q", gethErr, p2p.DiscReason(want).Error())
				}
			})
		}
	}
}

// connectPeerGeth opens a TCP connection between us and geth, dialing it or
// letting it dial us, and wraps it in an rlpx.Conn of the right role.
func connectPeerGeth(t *testing.T, g *peerGethNode, key *secp256k1.PrivateKey, gethDials bool) (conn *rlpx.Conn, inbound bool) {
	t.Helper()
	if !gethDials {
		self := g.srv.Self()
		c, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", self.TCP()))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return rlpx.Client(c, key, g.pub, rlpx.Config{}), false
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ecdsaPub, err := gethcrypto.UnmarshalPubkey(key.PubKey().SerializeUncompressed())
	if err != nil {
		t.Fatal(err)
	}
	g.srv.AddPeer(enode.NewV4(ecdsaPub, net.IPv4(127, 0, 0, 1), ln.Addr().(*net.TCPAddr).Port, 0))
	ln.(*net.TCPListener).SetDeadline(time.Now().Add(10 * time.Second))
	c, err := ln.Accept()
	if err != nil {
		t.Fatal("geth did not dial:", err)
	}
	t.Cleanup(func() { c.Close() })
	return rlpx.Server(c, key, rlpx.Config{}), true
}

// TestPeerInteropGethFull checks that a Disconnect geth sends instead of its
// Hello (here: too many peers, from its post-handshake checkpoint) comes
// back from our Handshake as that reason, marked remote.
func TestPeerInteropGethFull(t *testing.T) {
	// MaxPeers 2 keeps one slot for dialing (MaxPeers/DialRatio, at least
	// 1), which leaves one for inbound connections.
	g := startPeerGethMax(t, 2)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	dial := func() (*rlpx.Conn, *secp256k1.PrivateKey) {
		key, err := secp256k1.GeneratePrivateKey()
		if err != nil {
			t.Fatal(err)
		}
		conn, _ := connectPeerGeth(t, g, key, false)
		if err := conn.Handshake(ctx); err != nil {
			t.Fatal("rlpx handshake:", err)
		}
		return conn, key
	}

	// The first peer takes geth's only slot.
	first, key := dial()
	theirs, err := peer.Handshake(ctx, first, peer.NewHello(key.PubKey(), "first", peer.Cap{Name: "itest", Version: 1}))
	if err != nil {
		t.Fatal(err)
	}
	// Our side of itest/1 only discards geth's greeting (a nil Run).
	p, err := peer.New(first, theirs, []peer.Protocol{{Name: "itest", Version: 1, Length: itestLength}}, peer.Config{})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	defer func() {
		p.Disconnect(peer.DiscRequested)
		<-done
	}()
	timeout := time.After(10 * time.Second)
	for added := false; !added; {
		select {
		case ev := <-g.events:
			added = ev.Type == p2p.PeerEventTypeAdd
		case <-timeout:
			t.Fatal("geth never added the first peer")
		}
	}

	second, key2 := dial()
	_, err = peer.Handshake(ctx, second, peer.NewHello(key2.PubKey(), "second", peer.Cap{Name: "itest", Version: 1}))
	var de *peer.DisconnectError
	if !errors.As(err, &de) || !de.Remote || de.Reason != peer.DiscTooManyPeers {
		t.Fatalf("second Hello exchange: %v, want geth's too many peers", err)
	}
}
