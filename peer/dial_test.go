package peer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/rlpx"
)

// listenOne accepts one connection on loopback and runs the RLPx and Hello
// handshakes on it as a node offering caps; it reports the reason of the
// Disconnect the dialer then sends, or the error that ended it.
func listenOne(t *testing.T, key *secp256k1.PrivateKey, caps ...Cap) (addr string, verdict <-chan error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { ln.Close() })
	done := make(chan error, 1)
	go func() {
		fd, err := ln.Accept()
		if err != nil {
			done <- err
			return
		}
		defer fd.Close()
		c := rlpx.Server(fd, key, rlpx.Config{})
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.Handshake(ctx); err != nil {
			done <- err
			return
		}
		if _, err := Handshake(ctx, c, NewHello(key.PubKey(), "listener", caps...)); err != nil {
			done <- err
			return
		}
		// Wait for the dialer's verdict: a Disconnect or the end.
		code, payload, _, err := c.ReadMsg()
		switch {
		case err != nil:
			done <- err
		case code != disconnectMsg:
			done <- fmt.Errorf("message %#x, want a Disconnect", code)
		default:
			done <- decodeDisconnect(payload)
		}
	}()
	return ln.Addr().String(), done
}

func TestDialNoSharedProtocol(t *testing.T) {
	checkLeaks(t)
	serverKey, ourKey := newKey(t), newKey(t)
	addr, served := listenOne(t, serverKey, Cap{"other", 1})
	_, err := Dial(context.Background(), addr, ourKey, serverKey.PubKey(), "client",
		[]Protocol{{Name: "mine", Version: 1, Length: 1}}, Config{})
	require.ErrorIs(t, err, ErrNoSharedProtocol)
	require.Equal(t, error(DiscUselessPeer), <-served)
}

func TestDialInvalidConfig(t *testing.T) {
	serverKey, ourKey := newKey(t), newKey(t)
	_, err := Dial(context.Background(), "127.0.0.1:1", ourKey, serverKey.PubKey(), "client", nil, Config{ReadTimeout: -1})
	require.ErrorIs(t, err, ErrInvalidConfig)
}

func TestDialRefused(t *testing.T) {
	checkLeaks(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	_, err = Dial(context.Background(), addr, newKey(t), newKey(t).PubKey(), "client", nil, Config{})
	var opErr *net.OpError
	require.True(t, errors.As(err, &opErr), "err = %v", err)
}

func TestConfigInvalid(t *testing.T) {
	for name, cfg := range map[string]Config{
		"negative PingInterval":  {PingInterval: -1},
		"negative ReadTimeout":   {ReadTimeout: -time.Second},
		"negative WriteTimeout":  {WriteTimeout: -1},
		"negative QueueLength":   {QueueLength: -1},
		"negative QueueBytes":    {QueueBytes: -1},
		"negative PingBurst":     {PingBurst: -1},
		"negative PingRefill":    {PingRefill: -1},
		"MaxMessageSize too big": {MaxMessageSize: DefaultMaxMessageSize + 1},
	} {
		t.Run(name, func(t *testing.T) {
			require.ErrorIs(t, cfg.Validate(), ErrInvalidConfig)
			a, _, _, keyB := newFakePair(t)
			_, err := newPeer(a, helloFor(keyB), nil, cfg)
			require.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
	require.NoError(t, Config{}.Validate())
}

// TestDone checks that Done is closed once the peer goes away, so that a
// protocol busy elsewhere learns it without reading.
func TestDone(t *testing.T) {
	checkLeaks(t)
	started := make(chan *Peer, 1)
	proto := Protocol{Name: "busy", Version: 1, Length: 1, Run: func(p *Peer, rw MsgReadWriter) error {
		started <- p
		<-p.Done() // never reads
		return nil
	}}
	tp := startPeer(t, Config{}, []Protocol{proto}, proto.Cap())
	p := <-started
	select {
	case <-p.Done():
		t.Fatal("Done closed while the peer runs")
	default:
	}
	p.Disconnect(DiscRequested)
	de := tp.wait(t)
	require.Equal(t, DiscRequested, de.Reason)
	<-p.Done()
}
