package peer

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"

	"github.com/golang/snappy"
	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/rlpx"
)

// countConn counts the bytes read from a net.Conn.
type countConn struct {
	net.Conn
	read atomic.Int64
}

func (c *countConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// helloPeer is our side of a connection that completed RLPx and Hello,
// exactly as a server sets it up, and the remote's side driven by hand.
type helloPeer struct {
	peer   *Peer
	count  *countConn // our side's network connection
	remote *rlpx.Conn
	rpipe  net.Conn // the remote's network connection
}

// newHelloPeer runs the RLPx handshake and the Hello exchange (both
// announcing version 5, so snappy is on) over net.Pipe and returns a Peer
// with protos and cfg, not yet running. The remote announces every
// protocol in protos.
func newHelloPeer(t testing.TB, cfg Config, protos ...Protocol) *helloPeer {
	keyA, keyB := newKey(t), newKey(t)
	pa, pb := net.Pipe()
	t.Cleanup(func() { pa.Close(); pb.Close() })
	count := &countConn{Conn: pa}
	a := rlpx.Client(count, keyA, keyB.PubKey(), rlpx.Config{})
	b := rlpx.Server(pb, keyB, rlpx.Config{})
	errc := make(chan error, 1)
	go func() { errc <- b.Handshake(context.Background()) }()
	if err := a.Handshake(context.Background()); err != nil {
		t.Fatal("rlpx handshake:", err)
	}
	if err := <-errc; err != nil {
		t.Fatal("rlpx handshake:", err)
	}
	var caps []Cap
	for _, p := range protos {
		caps = append(caps, p.Cap())
	}
	go func() {
		_, err := Handshake(context.Background(), b, helloFor(keyB, caps...))
		errc <- err
	}()
	theirs, err := Handshake(context.Background(), a, helloFor(keyA, caps...))
	if err != nil {
		t.Fatal("hello:", err)
	}
	if err := <-errc; err != nil {
		t.Fatal("hello:", err)
	}
	pr, err := New(a, theirs, protos, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &helloPeer{peer: pr, count: count, remote: b, rpipe: pb}
}

// collect reads everything the peer sends until the connection ends.
func collect(c *rlpx.Conn) <-chan []rawMsg {
	out := make(chan []rawMsg, 1)
	go func() {
		var msgs []rawMsg
		for {
			code, data, _, err := c.ReadMsg()
			if err != nil {
				out <- msgs
				return
			}
			msgs = append(msgs, rawMsg{code, append([]byte(nil), data...)})
		}
	}()
	return out
}

// TestRLPxReadLimitFlowsDown checks that the read limit after Hello comes
// from the protocols (here Config.MaxMessageSize, 1 KiB), not from rlpx's
// 16 MiB default: a 384 KiB snappy frame that decompresses to 8 MiB is
// refused after its header, with next to nothing read and nothing
// decompressed.
func TestRLPxReadLimitFlowsDown(t *testing.T) {
	checkLeaks(t)
	hp := newHelloPeer(t, Config{MaxMessageSize: 1024}, blockingProto("blk", 1, 1))
	remoteGot := collect(hp.remote)
	done := make(chan error, 1)
	go func() { done <- hp.peer.Run(context.Background()) }()

	payload := make([]byte, 8<<20) // zeros: about 384 KiB compressed
	frame := len(snappy.Encode(nil, payload))
	before := hp.count.read.Load()
	written := make(chan struct{})
	go func() {
		defer close(written)
		hp.remote.WriteMsg(0x10, payload) // fails once we close
	}()
	err := recv(t, done, "Run")
	read := hp.count.read.Load() - before
	t.Logf("%d-byte payload in a %d-byte frame: %d bytes read before refusing it", len(payload), frame, read)
	if r, _ := ReasonOf(err); r != DiscProtocolError || !errors.Is(err, rlpx.ErrMessageTooLarge) {
		t.Errorf("Run returned %v, want DiscProtocolError wrapping rlpx.ErrMessageTooLarge (refused by the connection)", err)
	}
	if read > 16<<10 {
		t.Errorf("read %d bytes of a %d-byte frame over the limit, want it refused after its header", read, frame)
	}
	<-written
	msgs := recv(t, remoteGot, "remote reader")
	if len(msgs) == 0 || msgs[len(msgs)-1].code != disconnectMsg || decodeDisconnect(msgs[len(msgs)-1].data) != DiscProtocolError {
		t.Errorf("remote got %v, want Disconnect(%v) last", msgs, DiscProtocolError)
	}
}

// TestRLPxBreachGetsDisconnect checks, from the remote's side, that every
// breach of protocol after Hello is answered with Disconnect(0x02) before
// the connection closes. A malformed frame with valid MACs, which no
// conforming writer produces, is sent the same way by rlpx's
// TestMalformedFrameGetsDisconnect, through a hook only rlpx's tests have.
func TestRLPxBreachGetsDisconnect(t *testing.T) {
	random := func(n int) []byte {
		b := make([]byte, n)
		rand.Read(b)
		return b
	}
	tests := []struct {
		name    string
		trigger func(hp *helloPeer) error
		cause   error
	}{
		{
			name:    "header MAC",
			trigger: func(hp *helloPeer) error { _, err := hp.rpipe.Write(make([]byte, 32)); return err },
			cause:   rlpx.ErrInvalidMAC,
		},
		{
			name: "snappy bomb",
			trigger: func(hp *helloPeer) error {
				hp.remote.SetSnappy(false) // send raw: a block declaring 1 GiB
				_, err := hp.remote.WriteMsg(0x10, binary.AppendUvarint(nil, 1<<30))
				return err
			},
			cause: rlpx.ErrSnappy,
		},
		{
			name: "corrupt snappy",
			trigger: func(hp *helloPeer) error {
				hp.remote.SetSnappy(false)
				_, err := hp.remote.WriteMsg(0x10, []byte{0x05, 0xff, 0xff})
				return err
			},
			cause: rlpx.ErrSnappy,
		},
		{
			name: "frame over the read limit",
			trigger: func(hp *helloPeer) error {
				_, err := hp.remote.WriteMsg(0x10, random(64<<10))
				return err
			},
			cause: rlpx.ErrMessageTooLarge,
		},
		{
			name: "message over its protocol's limit",
			trigger: func(hp *helloPeer) error {
				_, err := hp.remote.WriteMsg(0x11, random(8<<10)) // "small"
				return err
			},
			cause: ErrMessageTooLarge,
		},
		{
			name: "undecodable ping",
			trigger: func(hp *helloPeer) error {
				_, err := hp.remote.WriteMsg(pingMsg, []byte{0xff})
				return err
			},
			cause: ErrInvalidBaseMessage,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLeaks(t)
			big := blockingProto("big", 1, 1)
			big.MaxMessageSize = 16 << 10
			small := blockingProto("small", 1, 1)
			small.MaxMessageSize = 4 << 10
			hp := newHelloPeer(t, Config{}, big, small)
			remoteGot := collect(hp.remote)
			done := make(chan error, 1)
			go func() { done <- hp.peer.Run(context.Background()) }()
			written := make(chan struct{})
			go func() {
				defer close(written)
				tt.trigger(hp) // a write refused unread ends when we close
			}()
			err := recv(t, done, "Run")
			var de *DisconnectError
			if !errors.As(err, &de) || de.Reason != DiscProtocolError || de.Remote || !errors.Is(err, tt.cause) {
				t.Errorf("Run returned %v, want a local DiscProtocolError wrapping %v", err, tt.cause)
			}
			<-written
			msgs := recv(t, remoteGot, "remote reader")
			if len(msgs) == 0 || msgs[len(msgs)-1].code != disconnectMsg || decodeDisconnect(msgs[len(msgs)-1].data) != DiscProtocolError {
				t.Errorf("remote got %v, want Disconnect(%v) last", msgs, DiscProtocolError)
			}
		})
	}
}

// TestCloseStopsReading checks that a closing peer reads nothing more, even
// while its Disconnect waits the 2 s grace behind a writer stuck on a
// remote that does not read. The remote keeps sending 64 KiB messages (up
// to 16 MiB) and the protocol does not consume them, so before the close
// the reader is held by backpressure. Fake time (synctest) runs the grace
// at once.
func TestCloseStopsReading(t *testing.T) {
	checkLeaks(t)
	synctest.Test(t, func(t *testing.T) {
		stuck := Protocol{Name: "stuck", Version: 1, Length: 1, Run: func(_ *Peer, rw MsgReadWriter) error {
			// The remote never reads: this write blocks until the close.
			return rw.WriteMsg(NewMsg(0, make([]byte, 64<<10)))
		}}
		hp := newHelloPeer(t, Config{}, stuck)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		go func() { done <- hp.peer.Run(ctx) }()
		flood := make(chan struct{})
		go func() {
			defer close(flood)
			payload := make([]byte, 64<<10)
			rand.Read(payload)
			for range 256 { // 16 MiB
				if _, err := hp.remote.WriteMsg(0x10, payload); err != nil {
					return
				}
			}
		}()
		synctest.Wait() // the protocol's queue is full, the writer stuck
		before := hp.count.read.Load()
		cancel()
		err := <-done
		after := hp.count.read.Load() - before
		t.Logf("read %d bytes while closing", after)
		if r, _ := ReasonOf(err); r != DiscQuitting {
			t.Errorf("Run returned %v, want DiscQuitting", err)
		}
		if after > 0 {
			t.Errorf("read %d bytes after the close began, want none", after)
		}
		<-flood
	})
}

// TestErrorChainNamesEachLayerOnce checks the text of a peer's end after the
// remote drops the connection: each layer is named once, with no repeated
// "read" step.
func TestErrorChainNamesEachLayerOnce(t *testing.T) {
	checkLeaks(t)
	a, b, _, keyB, _, _ := rlpxPair(t)
	p, err := New(a, helloFor(keyB), []Protocol{blockingProto("blk", 1, 5)}, Config{})
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	b.Close()
	err = recv(t, done, "Run")
	msg := err.Error()
	require.Equal(t, 1, strings.Count(msg, "peer:"), msg)
	require.Equal(t, 1, strings.Count(msg, "read"), msg)
}

// TestReadReason: every read failure that is the remote's breach of the
// protocol, however the rlpx layer wraps it, becomes DiscProtocolError (so
// the peer sends Disconnect 0x02); a malformed frame, which a conforming
// writer cannot produce (rlpx's TestMalformedFrameGetsDisconnect sends one
// end to end), is among them. Timeouts and other I/O errors are not breaches.
func TestReadReason(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want DiscReason
	}{
		{"MAC", fmt.Errorf("rlpx: read: %w", rlpx.ErrInvalidMAC), DiscProtocolError},
		{"malformed frame", fmt.Errorf("rlpx: read: %w: message code: %w", rlpx.ErrInvalidFrame, errors.New("bad rlp")), DiscProtocolError},
		{"snappy", fmt.Errorf("rlpx: read: %w", rlpx.ErrSnappy), DiscProtocolError},
		{"over the read limit", fmt.Errorf("rlpx: read: %w", rlpx.ErrMessageTooLarge), DiscProtocolError},
		{"timeout", &net.OpError{Op: "read", Err: os.ErrDeadlineExceeded}, DiscReadTimeout},
		{"EOF", fmt.Errorf("rlpx: read: %w", io.EOF), DiscNetworkError},
		{"closed", net.ErrClosed, DiscNetworkError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.Equal(t, tt.want, readReason(tt.err))
		})
	}
}
