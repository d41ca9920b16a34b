package metricsrv

import (
	"errors"
	"net"
	"testing"
	"testing/synctest"
)

// chanListener accepts the connections sent on conns.
type chanListener struct {
	conns  chan net.Conn
	closed chan struct{}
}

func (l *chanListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}
func (l *chanListener) Close() error   { close(l.closed); return nil }
func (l *chanListener) Addr() net.Addr { return &net.TCPAddr{} }

// A third connection waits, unaccepted, while two hold the listener's two
// slots; it is accepted when one of them closes. Close wakes an Accept
// waiting for a slot.
func TestLimitListener(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		inner := &chanListener{conns: make(chan net.Conn, 3), closed: make(chan struct{})}
		l := newLimitListener(inner, 2)
		var pipes []net.Conn
		for range 3 {
			a, b := net.Pipe()
			defer b.Close()
			pipes = append(pipes, a)
			inner.conns <- a
		}
		accepted := make(chan net.Conn, 4)
		acceptErr := make(chan error, 1)
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					acceptErr <- err
					return
				}
				accepted <- c
			}
		}()
		synctest.Wait()
		if len(accepted) != 2 || len(inner.conns) != 1 {
			t.Fatalf("with two slots: %d accepted, %d waiting; want 2 and 1", len(accepted), len(inner.conns))
		}
		first := <-accepted
		first.Close()
		first.Close() // a second Close gives nothing back twice
		synctest.Wait()
		if len(accepted) != 2 || len(inner.conns) != 0 || len(l.slots) != 2 {
			t.Fatalf("after one closed: %d more accepted, %d waiting, %d slots taken; want 2, 0 and 2", len(accepted), len(inner.conns), len(l.slots))
		}
		// Both slots are taken again: Accept waits for one, and Close
		// ends that wait.
		l.Close()
		if err := <-acceptErr; !errors.Is(err, net.ErrClosed) {
			t.Fatalf("Accept after Close: %v", err)
		}
		for range 2 {
			(<-accepted).Close()
		}
	})
}
