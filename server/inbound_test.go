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
	"github.com/devp2p-go/devp2p/metrics"
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
		if got := srv.screenInbound(th, step.conn) == metrics.ConnOK; got != step.admit {
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

// TestFirstMessageDeadline: an inbound connection that has not sent its
// complete auth within AuthTimeout is closed then, long before the
// handshake deadline, whether it is silent or trickling; meanwhile other
// connections get through.
func TestFirstMessageDeadline(t *testing.T) {
	const (
		authTimeout = 300 * time.Millisecond
		hsTimeout   = 10 * waitTimeout // never reached by a passing test
	)
	for _, tt := range []struct {
		name    string
		trickle bool
	}{
		{"silent", false},
		{"trickling", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, newTestProto().protocol())
			cfg.HandshakeTimeout, cfg.AuthTimeout = hsTimeout, authTimeout
			cfg.MaxPendingPeers = 2
			srv := startServer(t, cfg)

			start := time.Now()
			stalled, dropped := dialSilent(t, srv, netip.Addr{})
			defer stalled.Close()
			if tt.trickle {
				stop := trickle(stalled, authTimeout/20)
				defer stop()
			}

			// Another node connects while the stalled one holds a slot.
			if _, err := connectRaw(t, srv, nil); err != nil {
				t.Fatalf("connection beside a stalled one: %v", err)
			}
			err := recv(t, dropped)
			elapsed := time.Since(start)
			if ne, ok := err.(net.Error); ok && ne.Timeout() {
				t.Fatal("stalled connection not dropped")
			}
			if elapsed < authTimeout || elapsed >= hsTimeout {
				t.Fatalf("dropped after %v, want the %v auth deadline", elapsed, authTimeout)
			}
			t.Logf("dropped after %v", elapsed)
		})
	}
}

// trickle sends a valid EIP-8 size prefix (the auth's 2 bytes) on fd and
// then one byte every interval until fd fails or stop is called; stop
// returns once the sender has exited.
func trickle(fd net.Conn, interval time.Duration) (stop func()) {
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		if _, err := fd.Write([]byte{0x01, 0x90}); err != nil { // 400 bytes to come
			return
		}
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				if _, err := fd.Write([]byte{0}); err != nil {
					return
				}
			case <-quit:
				return
			}
		}
	}()
	return func() {
		close(quit)
		<-done
	}
}

// dialSilent opens a TCP connection to srv from the local address from (any
// if zero) that never sends anything. The channel receives the error of
// reading from it once the server closes it.
func dialSilent(t *testing.T, srv *Server, from netip.Addr) (net.Conn, <-chan error) {
	t.Helper()
	fd, err := dialFrom(srv, from)
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

// TestDropOldestUnauthenticatedInbound: with every handshake slot taken, a
// new connection does not wait for a slot: it takes the one of the oldest
// connection that has not sent its auth, which is closed. (That a
// connection which has sent its auth keeps its slot is checked on the set
// itself, in TestDropOldestUnauthenticated: such a connection leaves the
// set as soon as its handshake is done.)
func TestDropOldestUnauthenticatedInbound(t *testing.T) {
	const long = 10 * waitTimeout // deadlines a passing test never reaches
	cfg := testConfig(t, newTestProto().protocol())
	cfg.HandshakeTimeout, cfg.AuthTimeout = long, long
	cfg.MaxPendingPeers = 2

	t.Run("stalled ones give way", func(t *testing.T) {
		srv := startServer(t, cfg)
		older, olderDropped := dialSilent(t, srv, netip4(127, 0, 0, 2))
		defer older.Close()
		newer, newerDropped := dialSilent(t, srv, netip4(127, 0, 0, 3))
		defer newer.Close()

		start := time.Now()
		if _, err := connectRawFrom(t, srv, nil, netip4(127, 0, 0, 4)); err != nil {
			t.Fatalf("connection with every slot stalled: %v", err)
		}
		t.Logf("connected in %v", time.Since(start))
		if err := recv(t, olderDropped); err == nil {
			t.Fatal("oldest stalled connection not closed")
		}
		select {
		case err := <-newerDropped:
			t.Fatalf("the newer stalled connection was closed too (%v)", err)
		default:
		}
		srv.pending.mu.Lock()
		n := srv.pending.byIP[netip4(127, 0, 0, 3)]
		srv.pending.mu.Unlock()
		if n != 1 {
			t.Fatalf("the newer stalled connection holds %d slots, want 1", n)
		}
	})

	t.Run("same address", func(t *testing.T) {
		cfg := cfg
		cfg.MaxPendingPeers = 1
		srv := startServer(t, cfg)
		silent, dropped := dialSilent(t, srv, netip.Addr{})
		defer silent.Close()
		if _, err := connectRaw(t, srv, nil); err != nil {
			t.Fatalf("connection with the only slot stalled: %v", err)
		}
		if err := recv(t, dropped); err == nil {
			t.Fatal("stalled connection not closed")
		}
	})
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
	cfg.HandshakeTimeout, cfg.AuthTimeout = 10*waitTimeout, 10*waitTimeout // Close must not wait for these
	srv := startServer(t, cfg)
	var silent []<-chan error
	for range 3 {
		fd, dropped := dialSilent(t, srv, netip.Addr{})
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

// TestPendingCapPerIPInbound: Config.MaxPendingPerLANIP reaches the accept
// loop: a third stalled connection from 127.0.0.2 with a cap of two takes
// the slot of that address's oldest, and other addresses keep theirs.
func TestPendingCapPerIPInbound(t *testing.T) {
	const long = 10 * waitTimeout // deadlines a passing test never reaches
	cfg := testConfig(t, newTestProto().protocol())
	cfg.HandshakeTimeout, cfg.AuthTimeout = long, long
	cfg.MaxPendingPerLANIP = 2
	srv := startServer(t, cfg)

	a, b := netip4(127, 0, 0, 2), netip4(127, 0, 0, 3)
	other, otherDropped := dialSilent(t, srv, b)
	defer other.Close()
	first, firstDropped := dialSilent(t, srv, a)
	defer first.Close()
	second, secondDropped := dialSilent(t, srv, a)
	defer second.Close()
	third, thirdDropped := dialSilent(t, srv, a)
	defer third.Close()

	if err := recv(t, firstDropped); err == nil {
		t.Fatal("the address's oldest stalled connection was not closed")
	}
	for name, ch := range map[string]<-chan error{"other address": otherDropped, "second": secondDropped, "third": thirdDropped} {
		select {
		case err := <-ch:
			t.Fatalf("%s closed too (%v)", name, err)
		default:
		}
	}
	srv.pending.mu.Lock()
	nA, nB := srv.pending.byIP[a], srv.pending.byIP[b]
	srv.pending.mu.Unlock()
	if nA != 2 || nB != 1 {
		t.Fatalf("%v holds %d slots and %v %d; want 2 and 1", a, nA, b, nB)
	}
}
