package peer

import (
	"bytes"
	"context"
	"errors"
	"net"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/rlpx"
)

// rlpxPair returns two rlpx connections over net.Pipe that completed the
// RLPx handshake, and the underlying pipe ends.
func rlpxPair(t testing.TB) (a, b *rlpx.Conn, keyA, keyB *secp256k1.PrivateKey, pa, pb net.Conn) {
	keyA, keyB = newKey(t), newKey(t)
	pa, pb = net.Pipe()
	t.Cleanup(func() { pa.Close(); pb.Close() })
	a = rlpx.Client(pa, keyA, keyB.PubKey(), rlpx.Config{})
	b = rlpx.Server(pb, keyB, rlpx.Config{})
	errc := make(chan error, 1)
	go func() { errc <- b.Handshake(context.Background()) }()
	if err := a.Handshake(context.Background()); err != nil {
		t.Fatal("client handshake:", err)
	}
	if err := recv(t, errc, "server handshake"); err != nil {
		t.Fatal("server handshake:", err)
	}
	return a, b, keyA, keyB, pa, pb
}

func rlpxPairFunc(t testing.TB) (a, b transport, keyA, keyB *secp256k1.PrivateKey) {
	ca, cb, keyA, keyB, _, _ := rlpxPair(t)
	return ca, cb, keyA, keyB
}

func TestRLPxHandshake(t *testing.T) {
	checkLeaks(t)
	a, b, keyA, keyB, _, _ := rlpxPair(t)
	type result struct {
		h   *Hello
		err error
	}
	rc := make(chan result, 1)
	go func() {
		h, err := Handshake(context.Background(), b, helloFor(keyB, Cap{"eth", 68}))
		rc <- result{h, err}
	}()
	ha, err := Handshake(context.Background(), a, helloFor(keyA, Cap{"eth", 67}, Cap{"eth", 68}))
	if err != nil {
		t.Fatal(err)
	}
	hb := recv(t, rc, "server hello")
	if hb.err != nil {
		t.Fatal(hb.err)
	}
	if len(ha.Caps) != 1 || len(hb.h.Caps) != 2 || ha.Version != 5 || hb.h.Version != 5 {
		t.Errorf("hellos %v and %v", ha, hb.h)
	}
	// Snappy is now on at both ends: a message goes through compressed and
	// arrives intact. (Handshake leaves the 2 KiB Hello read limit in
	// force; New would raise it.)
	payload := make([]byte, 2048)
	errc := make(chan error, 1)
	go func() { _, err := a.WriteMsg(0x10, payload); errc <- err }()
	code, got, wire, err := b.ReadMsg()
	if err != nil || code != 0x10 || len(got) != len(payload) {
		t.Fatalf("read %#x %d bytes: %v", code, len(got), err)
	}
	if wire >= len(payload) {
		t.Errorf("a 2 KiB zero payload took %d bytes on the wire; snappy is off", wire)
	}
	if err := recv(t, errc, "write"); err != nil {
		t.Fatal(err)
	}
}

// TestRLPxHandshakeRejects sends each malformed Hello over a real RLPx
// connection and checks the reason and the Disconnect that comes back.
func TestRLPxHandshakeRejects(t *testing.T) {
	for _, m := range malformedHellos(t) {
		t.Run(m.name, func(t *testing.T) {
			checkLeaks(t)
			a, b, keyA, _, _, _ := rlpxPair(t)
			errc := make(chan error, 1)
			go func() {
				_, err := Handshake(context.Background(), a, helloFor(keyA))
				errc <- err
			}()
			if _, err := b.WriteMsg(helloMsg, m.payload); err != nil {
				t.Fatal(err)
			}
			want := DiscProtocolError
			if errors.Is(m.want, ErrInvalidIdentity) {
				want = DiscInvalidIdentity
			}
			// Our Hello, then our Disconnect.
			for i, wantCode := range []uint64{helloMsg, disconnectMsg} {
				code, data, _, err := b.ReadMsg()
				if err != nil || code != wantCode {
					t.Fatalf("message %d: code %#x err %v, want %#x", i, code, err, wantCode)
				}
				if code == disconnectMsg && decodeDisconnect(data) != want {
					t.Errorf("sent Disconnect(%v), want %v", decodeDisconnect(data), want)
				}
			}
			err := recv(t, errc, "handshake")
			if r, ok := ReasonOf(err); !ok || r != want || !errors.Is(err, m.want) {
				t.Errorf("Handshake error %v, want reason %v wrapping %v", err, want, m.want)
			}
		})
	}
}

func TestRLPxPeerPair(t *testing.T) {
	checkLeaks(t)
	testPeerPair(t, rlpxPairFunc)
}

// TestRLPxExitPaths runs a Peer on a real RLPx connection against a remote
// driven by hand, with snappy on at both ends.
func TestRLPxExitPaths(t *testing.T) {
	tests := []struct {
		name    string
		trigger func(t *testing.T, remote *rlpx.Conn, pipe net.Conn, p *Peer)
		reason  DiscReason
		remote  bool
		sends   bool
	}{
		{
			name: "remote disconnect (compressed)",
			trigger: func(t *testing.T, remote *rlpx.Conn, _ net.Conn, _ *Peer) {
				remote.WriteMsg(disconnectMsg, encodeDisconnect(DiscTooManyPeers))
			},
			reason: DiscTooManyPeers, remote: true,
		},
		{
			name:    "local disconnect",
			trigger: func(_ *testing.T, _ *rlpx.Conn, _ net.Conn, p *Peer) { p.Disconnect(DiscSelf) },
			reason:  DiscSelf, sends: true,
		},
		{
			name: "unknown code",
			trigger: func(_ *testing.T, remote *rlpx.Conn, _ net.Conn, _ *Peer) {
				remote.WriteMsg(0x40, emptyList)
			},
			reason: DiscProtocolError, sends: true,
		},
		{
			name: "connection cut mid frame",
			trigger: func(_ *testing.T, _ *rlpx.Conn, pipe net.Conn, _ *Peer) {
				pipe.Write(make([]byte, 20)) // part of a frame header
				pipe.Close()
			},
			reason: DiscNetworkError,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLeaks(t)
			a, b, _, keyB, _, pipeB := rlpxPair(t)
			a.SetSnappy(true)
			b.SetSnappy(true)
			p, err := New(a, helloFor(keyB), []Protocol{blockingProto("blk", 1, 5)}, Config{})
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- p.Run(context.Background()) }()
			got := make(chan []rawMsg, 1)
			go func() {
				var msgs []rawMsg
				for {
					code, data, _, err := b.ReadMsg()
					if err != nil {
						got <- msgs
						return
					}
					msgs = append(msgs, rawMsg{code, append([]byte(nil), data...)})
				}
			}()
			tt.trigger(t, b, pipeB, p)
			err = recv(t, done, "Run")
			var de *DisconnectError
			if !errors.As(err, &de) || de.Reason != tt.reason || de.Remote != tt.remote {
				t.Fatalf("Run returned %v, want reason %v remote %v", err, tt.reason, tt.remote)
			}
			msgs := recv(t, got, "remote reader")
			if tt.sends {
				if len(msgs) == 0 || msgs[len(msgs)-1].code != disconnectMsg || decodeDisconnect(msgs[len(msgs)-1].data) != tt.reason {
					t.Errorf("remote got %v, want Disconnect(%v) last", msgs, tt.reason)
				}
			} else if len(msgs) != 0 {
				t.Errorf("remote got %v, want nothing", msgs)
			}
		})
	}
}

// TestRLPxHelloV4NoSnappy checks that snappy follows the version field (nim-eth #758): a peer whose Hello
// says version 4 does not get compressed messages, whatever the RLPx
// handshake version was.
func TestRLPxHelloV4NoSnappy(t *testing.T) {
	checkLeaks(t)
	a, b, keyA, keyB, _, _ := rlpxPair(t)
	errc := make(chan error, 1)
	go func() {
		_, err := Handshake(context.Background(), a, helloFor(keyA))
		errc <- err
	}()
	old := helloFor(keyB)
	old.Version = 4
	enc, err := encodeHello(old)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.WriteMsg(helloMsg, enc); err != nil {
		t.Fatal(err)
	}
	if code, _, _, err := b.ReadMsg(); err != nil || code != helloMsg {
		t.Fatalf("read our hello: %#x %v", code, err)
	}
	if err := recv(t, errc, "handshake"); err != nil {
		t.Fatal(err)
	}
	// b never turned snappy on; a plain 1 KiB message from a must arrive
	// as sent and take more than 1 KiB on the wire.
	payload := bytes.Repeat([]byte{0}, 1024)
	go func() { _, err := a.WriteMsg(0x10, payload); errc <- err }()
	code, got, wire, err := b.ReadMsg()
	if err != nil || code != 0x10 || !bytes.Equal(got, payload) || wire < len(payload) {
		t.Fatalf("got code %#x, %d bytes (%d on the wire), err %v", code, len(got), wire, err)
	}
	if err := recv(t, errc, "write"); err != nil {
		t.Fatal(err)
	}
}

// TestRLPxOurHelloV4NoSnappy checks the other half of EIP-706: when our
// Hello announces version 4, we do not compress, even to a peer that
// announced 5.
func TestRLPxOurHelloV4NoSnappy(t *testing.T) {
	checkLeaks(t)
	a, b, keyA, keyB, _, _ := rlpxPair(t)
	errc := make(chan error, 1)
	go func() {
		ours := helloFor(keyA)
		ours.Version = 4
		_, err := Handshake(context.Background(), a, ours)
		errc <- err
	}()
	enc, err := encodeHello(helloFor(keyB)) // version 5
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.WriteMsg(helloMsg, enc); err != nil {
		t.Fatal(err)
	}
	code, data, _, err := b.ReadMsg()
	if err != nil || code != helloMsg {
		t.Fatalf("read our hello: %#x %v", code, err)
	}
	if h, err := decodeHello(data); err != nil || h.Version != 4 {
		t.Fatalf("our hello %v, %v; want version 4", h, err)
	}
	if err := recv(t, errc, "handshake"); err != nil {
		t.Fatal(err)
	}
	payload := bytes.Repeat([]byte{0}, 1024)
	go func() { _, err := a.WriteMsg(0x10, payload); errc <- err }()
	code, got, wire, err := b.ReadMsg()
	if err != nil || code != 0x10 || !bytes.Equal(got, payload) || wire < len(payload) {
		t.Fatalf("got code %#x, %d bytes (%d on the wire), err %v; want the plain payload", code, len(got), wire, err)
	}
	if err := recv(t, errc, "write"); err != nil {
		t.Fatal(err)
	}
}
