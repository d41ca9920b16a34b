package rlpx_test

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/rlp"
	"github.com/devp2p-go/devp2p/rlpx"
)

// TestMalformedFrameGetsDisconnect checks, from a real remote's side, that a
// frame which passes both MAC checks but whose frame-data is malformed (no
// message code, or one that is not a canonical RLP integer), sent after the
// Hello exchange, is answered with Disconnect(0x02) before the connection
// closes, and that our peer.Run reports a local DiscProtocolError wrapping
// ErrInvalidFrame. No conforming writer produces such a frame, so the remote
// writes it with the test-only WriteRawFrame. Package peer's
// TestRLPxBreachGetsDisconnect covers the other breaches the same way.
func TestMalformedFrameGetsDisconnect(t *testing.T) {
	tests := []struct {
		name string
		data []byte
	}{
		{"empty frame", nil},
		{"code is a list", []byte{0xc0}},
		{"code not canonical", []byte{0x81, 0x05}},
		{"code with a leading zero", []byte{0x82, 0x00, 0x10}},
		{"code over 8 bytes", []byte{0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9}},
		{"code header cut short", []byte{0xb8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ours, theirs, remote := helloPair(t)
			p, err := peer.New(ours, theirs, nil, peer.Config{})
			require.NoError(t, err)
			done := make(chan error, 1)
			go func() { done <- p.Run(context.Background()) }()
			got := make(chan [][2][]byte, 1) // (code, payload) of each message the remote reads
			go func() {
				var msgs [][2][]byte
				for {
					code, payload, _, err := remote.ReadMsg()
					if err != nil {
						got <- msgs
						return
					}
					msgs = append(msgs, [2][]byte{rlp.AppendUint64(nil, code), append([]byte(nil), payload...)})
				}
			}()
			require.NoError(t, remote.WriteRawFrame(tt.data))

			err = waitFor(t, done, "Run")
			var de *peer.DisconnectError
			if !errors.As(err, &de) || de.Reason != peer.DiscProtocolError || de.Remote || !errors.Is(err, rlpx.ErrInvalidFrame) {
				t.Errorf("Run returned %v, want a local DiscProtocolError wrapping rlpx.ErrInvalidFrame", err)
			}
			msgs := waitFor(t, got, "remote reader")
			require.NotEmpty(t, msgs, "the remote read nothing before the close")
			last := msgs[len(msgs)-1]
			require.Equal(t, rlp.AppendUint64(nil, 0x01), last[0], "the last message is not a Disconnect")
			content, rest, err := rlp.SplitList(last[1])
			require.NoError(t, err)
			require.Empty(t, rest)
			reason, rest, err := rlp.SplitUint64(content)
			require.NoError(t, err)
			require.Empty(t, rest)
			require.Equal(t, uint64(peer.DiscProtocolError), reason)
		})
	}
}

// helloPair runs the RLPx handshake and the Hello exchange (version 5, so
// snappy is on) over net.Pipe and returns both sides: ours, to hand to
// peer.New with theirs, the remote's Hello, and the remote's, driven by hand.
func helloPair(t *testing.T) (ours *rlpx.Conn, theirs *peer.Hello, remote *rlpx.Conn) {
	t.Helper()
	keyA, keyB := newTestKey(t), newTestKey(t)
	pa, pb := net.Pipe()
	t.Cleanup(func() { pa.Close(); pb.Close() })
	ours = rlpx.Client(pa, keyA, keyB.PubKey(), rlpx.Config{})
	remote = rlpx.Server(pb, keyB, rlpx.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() { errc <- remote.Handshake(ctx) }()
	require.NoError(t, ours.Handshake(ctx))
	require.NoError(t, <-errc)

	hello := func(k *secp256k1.PrivateKey) *peer.Hello {
		pub := k.PubKey().SerializeUncompressed()
		return &peer.Hello{Name: "test/v1", ID: pub[1:]}
	}
	go func() {
		_, err := peer.Handshake(ctx, remote, hello(keyB))
		errc <- err
	}()
	theirs, err := peer.Handshake(ctx, ours, hello(keyA))
	require.NoError(t, err)
	require.NoError(t, <-errc)
	return ours, theirs, remote
}

func newTestKey(t *testing.T) *secp256k1.PrivateKey {
	t.Helper()
	k, err := secp256k1.GeneratePrivateKey()
	require.NoError(t, err)
	return k
}

// waitFor returns the value sent on ch. The timeout only fires when the
// code under test is broken.
func waitFor[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(10 * time.Second):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

// TestWriteRawFrameIsAFrame checks the test hook itself: frame-data that a
// conforming writer would send (code ‖ payload, snappy off) reads back as
// that message, so the malformed frames above fail on their layout, not on
// their MACs.
func TestWriteRawFrameIsAFrame(t *testing.T) {
	keyA, keyB := newTestKey(t), newTestKey(t)
	pa, pb := net.Pipe()
	defer pa.Close()
	defer pb.Close()
	a := rlpx.Client(pa, keyA, keyB.PubKey(), rlpx.Config{})
	b := rlpx.Server(pb, keyB, rlpx.Config{})
	errc := make(chan error, 1)
	go func() { errc <- b.Handshake(context.Background()) }()
	require.NoError(t, a.Handshake(context.Background()))
	require.NoError(t, <-errc)

	for _, payload := range [][]byte{nil, []byte("hi"), make([]byte, 100)} {
		go func() { errc <- b.WriteRawFrame(append(rlp.AppendUint64(nil, 0x10), payload...)) }()
		code, got, _, err := a.ReadMsg()
		require.NoError(t, err)
		require.NoError(t, <-errc)
		require.Equal(t, uint64(0x10), code)
		require.Equal(t, len(payload), len(got))
		require.Equal(t, string(payload), string(got))
	}
}
