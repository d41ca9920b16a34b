package peer

import (
	"context"
	"testing"
)

// remote drives the far end of a fake connection by hand: the test writes
// raw messages with send, and a reader goroutine collects what the peer
// under test sends (pongs are only counted).
type remote struct {
	c     *fakeConn
	msgs  chan rawMsg
	pongs chan struct{} // one element per pong, dropped when full
	done  chan struct{}
}

func startRemote(c *fakeConn) *remote {
	r := &remote{c: c, msgs: make(chan rawMsg, 1024), pongs: make(chan struct{}, 8192), done: make(chan struct{})}
	go func() {
		defer close(r.done)
		defer close(r.msgs)
		for {
			code, data, _, err := c.ReadMsg()
			if err != nil {
				return
			}
			if code == pongMsg {
				select {
				case r.pongs <- struct{}{}:
				default:
				}
				continue
			}
			r.msgs <- rawMsg{code, append([]byte(nil), data...)}
		}
	}()
	return r
}

func (r *remote) send(t *testing.T, code uint64, payload []byte) {
	t.Helper()
	if _, err := r.c.WriteMsg(code, payload); err != nil {
		t.Fatalf("remote send %#x: %v", code, err)
	}
}

// next returns the next message the peer sent other than a Pong.
func (r *remote) next(t *testing.T) rawMsg {
	t.Helper()
	for {
		m, ok := recvOK(t, r.msgs)
		if !ok {
			t.Fatal("connection closed, want a message")
		}
		if m.code != pingMsg {
			return m
		}
	}
}

// expectDisconnect reads until the connection ends and checks that the
// last message was a Disconnect with reason want.
func (r *remote) expectDisconnect(t *testing.T, want DiscReason) {
	t.Helper()
	var last *rawMsg
	for m := range r.msgs {
		m := m
		if m.code == pingMsg {
			continue
		}
		last = &m
	}
	if last == nil || last.code != disconnectMsg {
		t.Fatalf("peer sent no Disconnect (last message %v)", last)
	}
	if got := decodeDisconnect(last.data); got != want {
		t.Fatalf("peer sent Disconnect(%v), want %v", got, want)
	}
}

// expectNoMessage checks that the connection ended with nothing sent.
func (r *remote) expectNoMessage(t *testing.T) {
	t.Helper()
	for m := range r.msgs {
		if m.code != pingMsg {
			t.Fatalf("peer sent %#x %x, want nothing", m.code, m.data)
		}
	}
}

type testPeer struct {
	*Peer
	remote *remote
	ctx    context.Context
	cancel context.CancelFunc
	done   chan error
}

// startPeer runs a Peer with protos against a hand-driven remote that
// announced caps. Cleanup stops both and joins every goroutine.
func startPeer(t *testing.T, cfg Config, protos []Protocol, caps ...Cap) *testPeer {
	t.Helper()
	a, b, _, keyB := newFakePair(t)
	p := mustPeer(t, a, helloFor(keyB, caps...), protos, cfg)
	tp := &testPeer{Peer: p, remote: startRemote(b), done: make(chan error, 1)}
	tp.ctx, tp.cancel = context.WithCancel(context.Background())
	go func() { tp.done <- p.Run(tp.ctx) }()
	t.Cleanup(func() {
		tp.cancel()
		recv(t, tp.done, "Run to return")
		a.Close()
		b.Close()
		<-tp.remote.done
	})
	return tp
}

// wait returns Run's result.
func (tp *testPeer) wait(t *testing.T) *DisconnectError {
	t.Helper()
	err := recv(t, tp.done, "Run to return")
	tp.done <- err // for cleanup
	de, ok := err.(*DisconnectError)
	if !ok {
		t.Fatalf("Run returned %T %v, want *DisconnectError", err, err)
	}
	return de
}

// mustPeer is newPeer for a Config the test knows to be valid.
func mustPeer(t testing.TB, c transport, theirs *Hello, protocols []Protocol, cfg Config) *Peer {
	t.Helper()
	p, err := newPeer(c, theirs, protocols, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
