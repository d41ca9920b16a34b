package server

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/internal/netutil"
	"github.com/devp2p-go/devp2p/peer"
)

// TestInboundThrottle: loopback is LAN and so exempt from the per-IP
// throttle; a second connection within the window gets through.
func TestInboundThrottle(t *testing.T) {
	srv := startServer(t, testConfig(t, newTestProto().protocol()))
	if _, err := connectRaw(t, srv, nil); err != nil {
		t.Fatalf("first connection: %v", err)
	}
	if _, err := dialRaw(t, srv, nil); err != nil {
		t.Fatalf("second connection: %v", err)
	}
}

// remoteAddrConn is a connection that only has a remote address: what the
// listen loop's admission check looks at.
type remoteAddrConn struct {
	net.Conn
	remote net.Addr
}

func (c remoteAddrConn) RemoteAddr() net.Addr { return c.remote }

// TestAdmitInboundThrottle: the check the listen loop runs on each accepted
// connection before any cryptography refuses, and logs, a second
// connection from the same public IP within the window, while LAN
// addresses pass every time. The addresses are those of fake connections;
// nothing is sent.
func TestAdmitInboundThrottle(t *testing.T) {
	throttled := newLogCapture("Inbound connection throttled")
	cfg := testConfig(t, newTestProto().protocol())
	cfg.Logger = slog.New(throttled)
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	th := newThrottle(srv.clock, inboundThrottleTime, maxThrottleEntries, netutil.IsLAN)
	public := remoteAddrConn{remote: &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 30303}}
	other := remoteAddrConn{remote: &net.TCPAddr{IP: net.IPv4(203, 0, 113, 8), Port: 30303}}
	lan := remoteAddrConn{remote: &net.TCPAddr{IP: net.IPv4(192, 168, 1, 2), Port: 30303}}
	for i, step := range []struct {
		conn  net.Conn
		admit bool
	}{
		{public, true}, {public, false}, {other, true}, {lan, true}, {lan, true}, {public, false},
	} {
		if got := srv.admitInbound(th, step.conn); got != step.admit {
			t.Fatalf("step %d (%v): admitted %v, want %v", i, step.conn.RemoteAddr(), got, step.admit)
		}
		if !step.admit {
			if r := recv(t, throttled.ch); r.Message != "Inbound connection throttled" {
				t.Fatalf("step %d: logged %q", i, r.Message)
			}
		}
	}
}

// TestNetRestrictInbound: a connection from outside NetRestrict is closed
// before the handshake.
func TestNetRestrictInbound(t *testing.T) {
	outside := newLogCapture("Inbound connection outside NetRestrict")
	cfg := testConfig(t, newTestProto().protocol())
	cfg.NetRestrict = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	cfg.Logger = slog.New(outside)
	srv := startServer(t, cfg)
	if _, err := dialRaw(t, srv, nil); err == nil {
		t.Fatal("handshake from outside NetRestrict succeeded")
	}
	recv(t, outside.ch)

	cfg = testConfig(t, newTestProto().protocol())
	cfg.NetRestrict = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
	srv = startServer(t, cfg)
	if _, err := connectRaw(t, srv, nil); err != nil {
		t.Fatalf("connection from inside NetRestrict: %v", err)
	}
}

// TestHalfOpenInbound: a connection that never sends auth is dropped at the
// handshake deadline, and meanwhile other connections get through as long
// as pending slots remain.
func TestHalfOpenInbound(t *testing.T) {
	const timeout = 2 * time.Second
	cfg := testConfig(t, newTestProto().protocol())
	cfg.HandshakeTimeout = timeout
	cfg.MaxPendingPeers = 2
	srv := startServer(t, cfg)

	start := time.Now()
	silent, dropped := dialSilent(t, srv)
	defer silent.Close()

	// Another node connects while the silent one holds a pending slot.
	if _, err := connectRaw(t, srv, nil); err != nil {
		t.Fatalf("connection beside a half-open one: %v", err)
	}
	select {
	case <-dropped:
		t.Fatal("the other connection only got through after the half-open one was dropped")
	default:
	}

	// The server closes the silent connection at its deadline.
	err := recv(t, dropped)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatal("half-open connection not dropped")
	}
	if elapsed := time.Since(start); elapsed < timeout {
		t.Fatalf("dropped after %v, before the %v deadline", elapsed, timeout)
	}
}

// dialSilent opens a TCP connection to srv that never sends anything. The
// channel receives the error of reading from it once the server closes it.
func dialSilent(t *testing.T, srv *Server) (net.Conn, <-chan error) {
	t.Helper()
	fd, err := net.Dial("tcp", srv.Self().TCPAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		fd.SetReadDeadline(time.Now().Add(waitTimeout))
		var buf [1]byte
		_, err := fd.Read(buf[:])
		if err == nil {
			err = errors.New("server sent bytes to a connection that never sent auth")
		}
		done <- err
	}()
	return fd, done
}

// TestPendingCap: with the only pending slot held by a silent connection,
// a new connection waits in the accept backlog until the silent one is
// dropped at its deadline, then succeeds.
func TestPendingCap(t *testing.T) {
	const timeout = 300 * time.Millisecond
	cfg := testConfig(t, newTestProto().protocol())
	cfg.HandshakeTimeout = timeout
	cfg.MaxPendingPeers = 1
	srv := startServer(t, cfg)

	start := time.Now()
	silent, dropped := dialSilent(t, srv)
	defer silent.Close()
	if _, err := connectRaw(t, srv, nil); err != nil {
		t.Fatalf("connection after the slot freed: %v", err)
	}
	if elapsed := time.Since(start); elapsed < timeout {
		t.Fatalf("second connection done after %v, before the silent one's %v deadline freed the slot", elapsed, timeout)
	}
	if err := recv(t, dropped); err == nil {
		t.Fatal("silent connection not dropped")
	}
}

// TestCloseManyPeers: Close with 50 live peers disconnects each with
// "client quitting" and leaves no goroutine behind.
func TestCloseManyPeers(t *testing.T) {
	defer goleak.VerifyNone(t)
	const n = 50
	cfg := testConfig(t, newTestProto().protocol())
	cfg.MaxPeers, cfg.MaxInboundPeers = n, n
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ev := make(chan PeerEvent, 2*n)
	unsub := srv.SubscribeEvents(ev)
	defer unsub()
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	peers := make([]*rawPeer, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 10) // within MaxPendingPeers' default
	for i := range peers {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			peers[i], errs[i] = connectRaw(t, srv, nil)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("peer %d: %v", i, err)
		}
	}
	for range n {
		waitEvent(t, ev, PeerAdded)
	}
	if srv.PeerCount() != n {
		t.Fatalf("PeerCount = %d, want %d", srv.PeerCount(), n)
	}
	closeStart := time.Now()
	srv.Close()
	t.Logf("Close took %v", time.Since(closeStart))
	if srv.PeerCount() != 0 {
		t.Fatalf("PeerCount after Close = %d", srv.PeerCount())
	}
	for i, rp := range peers {
		r, err := rp.readDisconnect()
		if err != nil || r != peer.DiscQuitting {
			t.Fatalf("peer %d: disconnect %v, %v; want %v", i, r, err, peer.DiscQuitting)
		}
		rp.conn.Close()
	}
	for range n {
		if ev := waitEvent(t, ev, PeerDropped); ev.Reason != peer.DiscQuitting {
			t.Fatalf("drop reason %v, want %v", ev.Reason, peer.DiscQuitting)
		}
	}
}

// TestCloseAbortsHandshakes: Close does not wait for the handshake deadline
// of connections still in their handshake.
func TestCloseAbortsHandshakes(t *testing.T) {
	cfg := testConfig(t, newTestProto().protocol())
	cfg.HandshakeTimeout = 10 * waitTimeout // Close must not wait for this
	srv := startServer(t, cfg)
	var silent []<-chan error
	for range 3 {
		fd, dropped := dialSilent(t, srv)
		defer fd.Close()
		silent = append(silent, dropped)
	}
	// Make sure the silent connections were accepted: a later one that
	// completes proves the earlier ones are past Accept (FIFO backlog).
	if _, err := connectRaw(t, srv, nil); err != nil {
		t.Fatal(err)
	}
	closed := make(chan struct{})
	go func() {
		srv.Close()
		close(closed)
	}()
	recv(t, closed)
	for _, dropped := range silent {
		if err := recv(t, dropped); err == nil {
			t.Fatal("silent connection not closed")
		}
	}
}
