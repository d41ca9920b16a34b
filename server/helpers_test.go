package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/internal/echotest"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/rlpx"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// waitTimeout bounds every wait in these tests. It is a failure bound, not
// a synchronisation: tests proceed as soon as what they wait for happens.
const waitTimeout = 20 * time.Second

// testProto is "test/1", the echo protocol of package echotest: message 0
// is answered with message 1 carrying the same bytes.
type testProto struct{ *echotest.Echo }

func newTestProto() testProto { return testProto{echotest.New("test", 2)} }

func (tp testProto) protocol() peer.Protocol { return tp.Protocol() }

// testConfig is a loopback-only config without discovery. Its auth
// deadline is the handshake's: the test clients run in this process, and
// under -race on a busy machine computing an auth can take longer than the
// default second. The tests of the auth deadline set their own.
func testConfig(t testing.TB, protos ...peer.Protocol) Config {
	return Config{
		PrivateKey:       testKey(t),
		Protocols:        protos,
		ListenAddr:       "127.0.0.1:0",
		NoDiscovery:      true,
		HandshakeTimeout: 5 * time.Second,
		AuthTimeout:      5 * time.Second,
		Logger:           testLogger(),
	}
}

// testLogger logs to stderr when DEVP2P_TEST_LOG is set.
func testLogger() *slog.Logger {
	if os.Getenv("DEVP2P_TEST_LOG") == "" {
		return nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// startServer creates and starts a server; the test's cleanup closes it.
func startServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// startWithEvents is startServer that also subscribes to events before
// Start, so that no event is missed.
func startWithEvents(t testing.TB, cfg Config) (*Server, chan PeerEvent) {
	t.Helper()
	ch := make(chan PeerEvent, 256)
	return startSubscribed(t, cfg, ch), ch
}

// startSubscribed is startServer that subscribes ch to the server's events
// before Start; several servers may share one channel. The test's cleanup
// unsubscribes it.
func startSubscribed(t testing.TB, cfg Config, ch chan<- PeerEvent) *Server {
	t.Helper()
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.SubscribeEvents(ch))
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv
}

// subscribe returns a buffered channel of srv's events.
func subscribe(t testing.TB, srv *Server) chan PeerEvent {
	return subscribeTo(t, srv.SubscribeEvents)
}

// subscribeConn returns a buffered channel of srv's connection events.
func subscribeConn(t testing.TB, srv *Server) chan ConnEvent {
	return subscribeTo(t, srv.SubscribeConnEvents)
}

// subscribeTo returns a buffered channel subscribed with sub, one of the
// server's Subscribe methods; the test's cleanup unsubscribes it.
func subscribeTo[E any](t testing.TB, sub func(chan<- E) (unsubscribe func())) chan E {
	ch := make(chan E, 256)
	t.Cleanup(sub(ch))
	return ch
}

// waitEvent waits for the next event of type typ (skipping others) and
// returns it.
func waitEvent(t testing.TB, ch <-chan PeerEvent, typ PeerEventType) PeerEvent {
	t.Helper()
	return waitType(t, ch, typ, func(ev PeerEvent) PeerEventType { return ev.Type })
}

// waitConnEvent waits for the next connection event of type typ.
func waitConnEvent(t testing.TB, ch <-chan ConnEvent, typ ConnEventType) ConnEvent {
	t.Helper()
	return waitType(t, ch, typ, func(ev ConnEvent) ConnEventType { return ev.Type })
}

// waitType waits for the next event on ch whose type (by typeOf) is typ,
// skipping others, and returns it.
func waitType[E any, T comparable](t testing.TB, ch <-chan E, typ T, typeOf func(E) T) E {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	for {
		select {
		case ev := <-ch:
			if typeOf(ev) == typ {
				return ev
			}
		case <-timer.C:
			t.Fatalf("no %v event within %v", typ, waitTimeout)
		}
	}
}

// rawPeer is a hand-driven remote node: an RLPx connection to a server on
// which the test runs the Hello exchange itself.
type rawPeer struct {
	key  *secp256k1.PrivateKey
	conn *rlpx.Conn
}

func (rp *rawPeer) id() nodeid.ID { return nodeid.FromPubkey(rp.key.PubKey()) }

func (rp *rawPeer) node() *discover.Node {
	return discover.NewV4(rp.key.PubKey(), netip4(127, 0, 0, 1), 0, 0)
}

// dialRaw connects to srv with key (a fresh one if nil) and runs the RLPx
// handshake. The connection is closed by the test's cleanup. It may be
// called from any goroutine (it reports failures as errors).
func dialRaw(t testing.TB, srv *Server, key *secp256k1.PrivateKey) (*rawPeer, error) {
	t.Helper()
	return dialRawFrom(t, srv, key, netip.Addr{})
}

// dialRawFrom is dialRaw from the local address from (any if zero), such
// as one of the loopback addresses 127.0.0.2 and up, which Linux has
// without setup.
func dialRawFrom(t testing.TB, srv *Server, key *secp256k1.PrivateKey, from netip.Addr) (*rawPeer, error) {
	t.Helper()
	if key == nil {
		var err error
		if key, err = secp256k1.GeneratePrivateKey(); err != nil {
			return nil, err
		}
	}
	fd, err := dialFrom(srv, from)
	if err != nil {
		return nil, err
	}
	t.Cleanup(func() { fd.Close() })
	c := rlpx.Client(fd, key, srv.Self().Pubkey(), rlpx.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	if err := c.Handshake(ctx); err != nil {
		return nil, err
	}
	return &rawPeer{key: key, conn: c}, nil
}

// dialFrom opens a TCP connection to srv from the local address from (any
// if zero).
func dialFrom(srv *Server, from netip.Addr) (net.Conn, error) {
	d := net.Dialer{Timeout: waitTimeout}
	if from.IsValid() {
		d.LocalAddr = &net.TCPAddr{IP: from.AsSlice()}
	}
	return d.Dial("tcp", srv.Self().TCPAddr().String())
}

// hello runs the Hello exchange announcing caps and returns the server's
// Hello or the error (a *peer.DisconnectError if the server refused).
func (rp *rawPeer) hello(caps ...peer.Cap) (*peer.Hello, error) {
	pub := ethcrypto.MarshalPubkey(rp.key.PubKey())
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	return peer.Handshake(ctx, rp.conn, &peer.Hello{Version: peer.Version, Name: "raw", Caps: caps, ID: pub[:]})
}

// connectRaw dials srv and completes Hello with the test/1 capability.
func connectRaw(t testing.TB, srv *Server, key *secp256k1.PrivateKey) (*rawPeer, error) {
	t.Helper()
	return connectRawFrom(t, srv, key, netip.Addr{})
}

// connectRawFrom is connectRaw from the local address from.
func connectRawFrom(t testing.TB, srv *Server, key *secp256k1.PrivateKey, from netip.Addr) (*rawPeer, error) {
	t.Helper()
	rp, err := dialRawFrom(t, srv, key, from)
	if err != nil {
		return nil, err
	}
	if _, err := rp.hello(peer.Cap{Name: "test", Version: 1}); err != nil {
		return nil, err
	}
	return rp, nil
}

// readDisconnect reads messages until a Disconnect and returns its reason.
// Pings are skipped.
func (rp *rawPeer) readDisconnect() (peer.DiscReason, error) {
	rp.conn.SetReadDeadline(time.Now().Add(waitTimeout))
	for {
		code, payload, _, err := rp.conn.ReadMsg()
		if err != nil {
			return 0, err
		}
		if code != 0x01 { // Disconnect
			continue
		}
		switch {
		case bytes.Equal(payload, []byte{0xc1, 0x80}), bytes.Equal(payload, []byte{0xc0}), bytes.Equal(payload, []byte{0x80}):
			return 0, nil
		case len(payload) == 2 && payload[0] == 0xc1 && payload[1] < 0x80:
			return peer.DiscReason(payload[1]), nil
		case len(payload) == 1 && payload[0] < 0x80:
			return peer.DiscReason(payload[0]), nil
		}
		return 0, fmt.Errorf("undecodable disconnect %x", payload)
	}
}

// wantRemoteReason checks that err is the server refusing with want.
func wantRemoteReason(t testing.TB, err error, want peer.DiscReason) {
	t.Helper()
	var de *peer.DisconnectError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a disconnect with %v", err, want)
	}
	if !de.Remote || de.Reason != want {
		t.Fatalf("disconnect = %v (remote %v), want remote %v", de.Reason, de.Remote, want)
	}
}

func netip4(a, b, c, d byte) netip.Addr { return netip.AddrFrom4([4]byte{a, b, c, d}) }

// recv receives from ch, failing the test after waitTimeout.
func recv[T any](t testing.TB, ch <-chan T) T {
	t.Helper()
	timer := time.NewTimer(waitTimeout)
	defer timer.Stop()
	select {
	case v := <-ch:
		return v
	case <-timer.C:
		t.Fatalf("nothing received within %v", waitTimeout)
		panic("unreachable")
	}
}

// logCapture is a slog.Handler that hands every record with message msg to
// ch (dropping it if ch is full), so tests can wait for log events.
type logCapture struct {
	msg   string
	ch    chan slog.Record
	attrs []slog.Attr
}

func newLogCapture(msg string) *logCapture {
	return &logCapture{msg: msg, ch: make(chan slog.Record, 64)}
}

func (h *logCapture) Enabled(context.Context, slog.Level) bool { return true }

func (h *logCapture) Handle(_ context.Context, r slog.Record) error {
	if r.Message != h.msg {
		return nil
	}
	r = r.Clone()
	r.AddAttrs(h.attrs...)
	select {
	case h.ch <- r:
	default:
	}
	return nil
}

func (h *logCapture) WithAttrs(as []slog.Attr) slog.Handler {
	h2 := *h
	h2.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &h2
}

func (h *logCapture) WithGroup(string) slog.Handler { return h }

// attr returns the value of the record's attribute key as a string.
func attr(r slog.Record, key string) string {
	var v string
	r.Attrs(func(a slog.Attr) bool {
		if a.Key == key {
			v = a.Value.String()
			return false
		}
		return true
	})
	return v
}
