package server

import (
	"bytes"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"sync"
	"testing"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/internal/netutil"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/peer"
)

// metricValue reads one sample of srv's metrics.
func metricValue(t testing.TB, srv *Server, name string, labels ...string) float64 {
	t.Helper()
	v, ok := srv.MetricsSnapshot().Value(name, labels...)
	if !ok {
		t.Fatalf("no sample %s%v", name, labels)
	}
	return v
}

func wantMetric(t testing.TB, srv *Server, want float64, name string, labels ...string) {
	t.Helper()
	if got := metricValue(t, srv, name, labels...); got != want {
		t.Errorf("%s%v = %v, want %v", name, labels, got, want)
	}
}

// TestMetricsPeerLifecycle connects two servers (B dials A as a static
// node), exchanges a snappy-compressed message and disconnects, and reads
// back the gauges, the handshake histogram, the inbound result, the
// traffic counters and the disconnect counters of both sides.
func TestMetricsPeerLifecycle(t *testing.T) {
	protoA, protoB := newTestProto(), newTestProto()
	a, evA := startWithEvents(t, testConfig(t, protoA.protocol()))
	cfgB := testConfig(t, protoB.protocol())
	cfgB.StaticNodes = []*discover.Node{a.Self()}
	b, evB := startWithEvents(t, cfgB)
	waitEvent(t, evA, PeerAdded)
	waitEvent(t, evB, PeerAdded)

	t.Run("peers", func(t *testing.T) {
		wantMetric(t, a, 1, metrics.NamePeers, "inbound")
		wantMetric(t, a, 0, metrics.NamePeers, "outbound")
		wantMetric(t, b, 1, metrics.NamePeers, "outbound")
		wantMetric(t, b, 1, metrics.NamePeersStatic)
		wantMetric(t, a, 1, metrics.NameInbound, "ok")
		wantMetric(t, a, 1, metrics.NameHandshakeDuration, "inbound")
		wantMetric(t, a, 0, metrics.NamePendingHandshakes, "inbound")
		wantMetric(t, b, 1, metrics.NameHandshakeDuration, "outbound")
	})

	t.Run("snappy message", func(t *testing.T) {
		run := recv(t, protoB.Runs())
		payload := make([]byte, 1000) // zeros: snappy shrinks them
		if err := run.RW.WriteMsg(peer.NewMsg(0, payload)); err != nil {
			t.Fatal(err)
		}
		if got := recv(t, run.Replies); !bytes.Equal(got, payload) {
			t.Fatalf("echo of %d bytes, want the 1000 sent", len(got))
		}
		wantMetric(t, b, 1, metrics.NameMessages, "out", "test", "1", "0x00")
		wantMetric(t, b, 1000, metrics.NameMessageBytes, "out", "test", "1", "0x00")
		wantMetric(t, b, 1, metrics.NameMessages, "in", "test", "1", "0x01")
		wantMetric(t, a, 1000, metrics.NameMessageBytes, "in", "test", "1", "0x00")
		if wire := metricValue(t, b, metrics.NameMessageWireBytes, "out", "test", "1", "0x00"); wire <= 0 || wire >= 1000 {
			t.Errorf("wire bytes of 1000 compressible bytes = %v, want fewer", wire)
		}
	})

	t.Run("disconnect", func(t *testing.T) {
		a.Disconnect(b.Self().ID(), peer.DiscRequested)
		waitEvent(t, evA, PeerDropped)
		waitEvent(t, evB, PeerDropped)
		wantMetric(t, a, 1, metrics.NameDisconnects, "requested", "local")
		wantMetric(t, b, 1, metrics.NameDisconnects, "requested", "remote")
		wantMetric(t, a, 0, metrics.NamePeers, "inbound")
		wantMetric(t, b, 0, metrics.NamePeers, "outbound")
		wantMetric(t, b, 0, metrics.NamePeersStatic)
	})
}

// TestMetricsInboundRefused provokes each kind of refusal of an inbound
// connection and checks its InboundRefused event and counter.
func TestMetricsInboundRefused(t *testing.T) {
	tests := []struct {
		name    string
		config  func(*Config)
		prepare func(*Server)
		provoke func(t *testing.T, srv *Server, cfg Config)
		want    metrics.ConnResult
	}{
		{
			name: "throttled",
			provoke: func(t *testing.T, srv *Server, _ Config) {
				// Two connections from one public address, handed to the
				// admission check as the listen loop would (loopback is
				// exempt from the throttle). The first is admitted and
				// stays silent until the end of the test; the second is
				// throttled.
				th := newThrottle(srv.clock, inboundThrottleTime, maxThrottleEntries, netutil.IsLAN)
				public := &net.TCPAddr{IP: net.IPv4(203, 0, 113, 7), Port: 30303}
				for range 2 {
					a, b := net.Pipe()
					t.Cleanup(func() { b.Close() })
					srv.admitInbound(th, remoteAddrConn{Conn: a, remote: public})
				}
			},
			want: metrics.ConnThrottled,
		},
		{
			name:    "outside NetRestrict",
			config:  func(c *Config) { c.NetRestrict = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")} },
			provoke: func(t *testing.T, srv *Server, _ Config) { dialRaw(t, srv, nil) },
			want:    metrics.ConnNetRestrict,
		},
		{
			name:   "too many peers",
			config: func(c *Config) { c.MaxPeers, c.MaxInboundPeers = 1, 1 },
			provoke: func(t *testing.T, srv *Server, _ Config) {
				if _, err := connectRaw(t, srv, nil); err != nil {
					t.Fatal(err)
				}
				connectRaw(t, srv, nil)
			},
			want: metrics.ConnTooManyPeers,
		},
		{
			name: "self",
			provoke: func(t *testing.T, srv *Server, cfg Config) {
				if rp, err := dialRaw(t, srv, cfg.PrivateKey); err == nil {
					rp.hello(peer.Cap{Name: "test", Version: 1})
				}
			},
			want: metrics.ConnSelf,
		},
		{
			name: "useless peer",
			provoke: func(t *testing.T, srv *Server, _ Config) {
				if rp, err := dialRaw(t, srv, nil); err == nil {
					rp.hello(peer.Cap{Name: "other", Version: 1})
				}
			},
			want: metrics.ConnUselessPeer,
		},
		{
			name: "bad auth",
			provoke: func(t *testing.T, srv *Server, _ Config) {
				fd, err := dialFrom(srv, netip.Addr{})
				if err != nil {
					t.Fatal(err)
				}
				fd.Write(bytes.Repeat([]byte{0xff}, 400)) // not an auth message
				fd.Close()
			},
			want: metrics.ConnHandshakeError,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(t, newTestProto().protocol())
			if tt.config != nil {
				tt.config(&cfg)
			}
			srv, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			if tt.prepare != nil {
				tt.prepare(srv)
			}
			events := subscribeConn(t, srv)
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			defer srv.Close()

			tt.provoke(t, srv, cfg)
			ev := waitConnEvent(t, events, InboundRefused)
			if ev.Result != tt.want || ev.RemoteAddr == nil {
				t.Fatalf("event %+v, want result %v with an address", ev, tt.want)
			}
			wantMetric(t, srv, 1, metrics.NameInbound, tt.want.String())
		})
	}
}

// TestDialEvents dials a static node nobody listens at: the dial fails,
// the node backs off, and both the events and the dial counter say so.
func TestDialEvents(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close() // connections to port are now refused
	key := testKey(t)
	target := discover.NewV4(key.PubKey(), netip4(127, 0, 0, 1), uint16(port), 0)

	cfg := testConfig(t)
	cfg.StaticNodes = []*discover.Node{target}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	events := subscribeConn(t, srv)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	if ev := waitConnEvent(t, events, DialStarted); ev.ID != target.ID() || !ev.Static {
		t.Errorf("dial started %+v, want the static target", ev)
	}
	ev := waitConnEvent(t, events, DialFailed)
	if ev.ID != target.ID() || ev.Result != metrics.ConnDialError || ev.Err == nil {
		t.Errorf("dial failed %+v, want the target with dial_error", ev)
	}
	backoff := waitConnEvent(t, events, StaticBackoff)
	if backoff.ID != target.ID() || !backoff.Until.After(ev.Time) {
		t.Errorf("backoff %+v, want the target after %v", backoff, ev.Time)
	}
	wantMetric(t, srv, 1, metrics.NameDials, "static", "dial_error")
}

// TestNoMetrics: with NoMetrics the registry is empty and peers connect
// as usual.
func TestNoMetrics(t *testing.T) {
	cfg := testConfig(t, newTestProto().protocol())
	cfg.NoMetrics = true
	srv, ev := startWithEvents(t, cfg)
	if _, err := connectRaw(t, srv, nil); err != nil {
		t.Fatal(err)
	}
	waitEvent(t, ev, PeerAdded)
	if fams := srv.MetricsSnapshot().Families; len(fams) != 0 {
		t.Fatalf("NoMetrics: %d families registered", len(fams))
	}
}

// TestMessageEvents: with MessageEvents, every message of a peer is
// reported; without, none is.
func TestMessageEvents(t *testing.T) {
	for _, on := range []bool{true, false} {
		t.Run(map[bool]string{true: "on", false: "off"}[on], func(t *testing.T) {
			proto := newTestProto()
			cfg := testConfig(t, proto.protocol())
			cfg.MessageEvents = on
			srv, err := New(cfg)
			if err != nil {
				t.Fatal(err)
			}
			msgs := make(chan MsgEvent, 64)
			defer srv.SubscribeMessages(msgs)()
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			rp, err := connectRaw(t, srv, nil)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := rp.conn.WriteMsg(0x10+0, []byte{0x83, 1, 2, 3}); err != nil {
				t.Fatal(err)
			}
			// The echo (code 1) is written after the message was read.
			for {
				code, _, _, err := rp.conn.ReadMsg()
				if err != nil {
					t.Fatal(err)
				}
				if code == 0x10+1 {
					break
				}
			}
			srv.Close() // no more events after this
			var got []MsgEvent
			for len(msgs) > 0 {
				got = append(got, <-msgs)
			}
			if !on {
				if len(got) != 0 {
					t.Fatalf("events without MessageEvents: %+v", got)
				}
				return
			}
			test := peer.Cap{Name: "test", Version: 1}
			var in, out bool
			for _, m := range got {
				in = in || !m.Outbound && m.Cap == test && m.Code == 0 && m.Size == 4 && m.ID == rp.id()
				out = out || m.Outbound && m.Cap == test && m.Code == 1 && m.Size == 4
			}
			if !in || !out {
				t.Fatalf("events %+v, want the message in and its echo out", got)
			}
		})
	}
}

// lineBuffer collects log output for assertions.
type lineBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lineBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lineBuffer) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Split(strings.TrimSpace(l.b.String()), "\n")
}

// TestLogLevels gives the peer subsystem Debug and the server Warn under an
// Info handler: peer debug lines appear, the server's Info lines do not,
// and every line names its subsystem and has no err=<nil>.
func TestLogLevels(t *testing.T) {
	var buf lineBuffer
	cfg := testConfig(t, newTestProto().protocol())
	cfg.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	cfg.LogLevels = map[string]slog.Leveler{"peer": slog.LevelDebug, "server": slog.LevelWarn}
	srv, ev := startWithEvents(t, cfg)
	rp, err := connectRaw(t, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, ev, PeerAdded)
	rp.conn.Close()
	waitEvent(t, ev, PeerDropped)
	srv.Close()

	var peerDebug bool
	for _, line := range buf.lines() {
		if !strings.Contains(line, "sys=") {
			t.Errorf("line without sys: %s", line)
		}
		if strings.Contains(line, "err=<nil>") {
			t.Errorf("line with err=<nil>: %s", line)
		}
		if strings.Contains(line, "sys=server") {
			t.Errorf("server line below its Warn level: %s", line)
		}
		peerDebug = peerDebug || strings.Contains(line, "level=DEBUG") && strings.Contains(line, "sys=peer")
	}
	if !peerDebug {
		t.Errorf("no peer debug line in:\n%s", strings.Join(buf.lines(), "\n"))
	}
}

// TestPeerLogInfo: at Info, the server logs one line when a peer is added
// and one when it is dropped, with the reason.
func TestPeerLogInfo(t *testing.T) {
	var buf lineBuffer
	cfg := testConfig(t, newTestProto().protocol())
	cfg.Logger = slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelInfo}))
	srv, ev := startWithEvents(t, cfg)
	rp, err := connectRaw(t, srv, nil)
	if err != nil {
		t.Fatal(err)
	}
	waitEvent(t, ev, PeerAdded)
	srv.Disconnect(rp.id(), peer.DiscTooManyPeers)
	waitEvent(t, ev, PeerDropped)

	var added, dropped int
	for _, line := range buf.lines() {
		if strings.Contains(line, `msg="Peer added"`) {
			added++
		}
		if strings.Contains(line, `msg="Peer dropped"`) && strings.Contains(line, `reason="too many peers"`) {
			dropped++
		}
	}
	if added != 1 || dropped != 1 {
		t.Errorf("%d added and %d dropped lines, want one each:\n%s", added, dropped, strings.Join(buf.lines(), "\n"))
	}
}

// TestMetricsEviction: a stalled inbound connection that gives its
// handshake slot to a newcomer counts as refused for the pending cap, and
// the newcomer as ok.
func TestMetricsEviction(t *testing.T) {
	cfg := testConfig(t, newTestProto().protocol())
	cfg.HandshakeTimeout, cfg.AuthTimeout = 10*waitTimeout, 10*waitTimeout
	cfg.MaxPendingPeers = 1
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	events, peers := subscribeConn(t, srv), subscribe(t, srv)
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Close()

	silent, dropped := dialSilent(t, srv, netip.Addr{})
	defer silent.Close()
	if _, err := connectRaw(t, srv, nil); err != nil {
		t.Fatalf("connection with the only slot stalled: %v", err)
	}
	recv(t, dropped)
	if ev := waitConnEvent(t, events, InboundRefused); ev.Result != metrics.ConnPendingCap {
		t.Fatalf("refusal %+v, want pending_cap", ev)
	}
	waitEvent(t, peers, PeerAdded)
	wantMetric(t, srv, 1, metrics.NameInbound, "pending_cap")
	wantMetric(t, srv, 1, metrics.NameInbound, "ok")
}

// TestMetricsProtocolNamedOther: a protocol called "other", the label
// value metrics keeps for unclaimed messages, is still a valid protocol.
func TestMetricsProtocolNamedOther(t *testing.T) {
	cfg := testConfig(t, peer.Protocol{Name: "other", Version: 1, Length: 2}, newTestProto().protocol())
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	srv.Close()
	if _, ok := srv.MetricsSnapshot().Value(metrics.NameMessages, "in", "test", "1", "0x00"); !ok {
		t.Error("the other protocols have no series")
	}
}
