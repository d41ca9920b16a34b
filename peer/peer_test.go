package peer

import (
	"context"
	"errors"
	"fmt"
	"net"
	"runtime"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/rlp"
)

// blockingProto is a protocol that reads until the peer closes.
func blockingProto(name string, version uint, length uint64) Protocol {
	return Protocol{Name: name, Version: version, Length: length, Run: func(p *Peer, rw MsgReadWriter) error {
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			msg.Discard()
		}
	}}
}

func TestPeerExitPaths(t *testing.T) {
	errBoom := errors.New("boom")
	returning := func(err error) Protocol {
		return Protocol{Name: "ret", Version: 1, Length: 1, Run: func(*Peer, MsgReadWriter) error { return err }}
	}
	type exitCase struct {
		name    string
		cfg     Config
		proto   Protocol
		trigger func(t *testing.T, tp *testPeer)
		reason  DiscReason
		remote  bool
		cause   error
		sends   bool // we send a Disconnect with the reason
	}
	tests := []exitCase{
		{
			name:    "remote disconnect",
			trigger: func(t *testing.T, tp *testPeer) { tp.remote.send(t, disconnectMsg, mustHex("c104")) },
			reason:  DiscTooManyPeers, remote: true,
		},
		{
			name:    "remote disconnect, bare byte",
			trigger: func(t *testing.T, tp *testPeer) { tp.remote.send(t, disconnectMsg, mustHex("05")) },
			reason:  DiscAlreadyConnected, remote: true,
		},
		{
			name:    "remote disconnect, compressed",
			trigger: func(t *testing.T, tp *testPeer) { tp.remote.send(t, disconnectMsg, mustHex("0204c104")) },
			reason:  DiscTooManyPeers, remote: true,
		},
		{
			name:    "local disconnect",
			trigger: func(t *testing.T, tp *testPeer) { tp.Disconnect(DiscUselessPeer) },
			reason:  DiscUselessPeer, sends: true,
		},
		{
			name:    "context cancelled",
			trigger: func(t *testing.T, tp *testPeer) { tp.cancel() },
			reason:  DiscQuitting, sends: true, cause: context.Canceled,
		},
		{
			name:   "protocol error",
			proto:  returning(fmt.Errorf("handler: %w", errBoom)),
			reason: DiscSubprotocolError, sends: true, cause: errBoom,
		},
		{
			name:   "protocol returns a reason",
			proto:  returning(fmt.Errorf("no use: %w", DiscUselessPeer)),
			reason: DiscUselessPeer, sends: true,
		},
		{
			name:   "protocol returns nil",
			proto:  returning(nil),
			reason: DiscQuitting, sends: true,
		},
		{
			name:    "unknown message code",
			trigger: func(t *testing.T, tp *testPeer) { tp.remote.send(t, 0x10+5, emptyList) },
			reason:  DiscProtocolError, sends: true, cause: ErrUnknownCode,
		},
		{
			name:    "oversized message",
			proto:   Protocol{Name: "blk", Version: 1, Length: 5, MaxMessageSize: 16, Run: blockingProto("", 0, 0).Run},
			trigger: func(t *testing.T, tp *testPeer) { tp.remote.send(t, 0x10, make([]byte, 17)) },
			reason:  DiscProtocolError, sends: true, cause: ErrMessageTooLarge,
		},
		{
			name:    "oversized message, global limit",
			cfg:     Config{MaxMessageSize: 100},
			trigger: func(t *testing.T, tp *testPeer) { tp.remote.send(t, 0x10, make([]byte, 101)) },
			reason:  DiscProtocolError, sends: true, cause: ErrMessageTooLarge,
		},
		{
			name: "connection cut mid frame",
			trigger: func(t *testing.T, tp *testPeer) {
				if err := tp.remote.c.writeTruncated(0x10, 100); err != nil {
					t.Fatal(err)
				}
				tp.remote.c.Close()
			},
			reason: DiscNetworkError,
		},
		{
			name:    "undecodable ping",
			trigger: func(t *testing.T, tp *testPeer) { tp.remote.send(t, pingMsg, mustHex("ff")) },
			reason:  DiscProtocolError, sends: true, cause: ErrInvalidBaseMessage,
		},
		{
			name:    "pong with trailing bytes",
			trigger: func(t *testing.T, tp *testPeer) { tp.remote.send(t, pongMsg, mustHex("c0c0")) },
			reason:  DiscProtocolError, sends: true, cause: ErrInvalidBaseMessage,
		},
		{
			name: "base message over 2 KiB",
			trigger: func(t *testing.T, tp *testPeer) {
				tp.remote.send(t, 0x05, rlp.AppendBytes(nil, make([]byte, maxHelloSize)))
			},
			reason: DiscProtocolError, sends: true, cause: ErrInvalidBaseMessage,
		},
		{
			name:   "silent past the read timeout",
			cfg:    Config{ReadTimeout: 50 * time.Millisecond},
			reason: DiscReadTimeout, sends: true,
		},
		{
			name:  "ping flood",
			cfg:   Config{Clock: new(clock.Simulated), PingBurst: 3},
			proto: blockingProto("blk", 1, 5),
			trigger: func(t *testing.T, tp *testPeer) {
				for range 4 {
					tp.remote.send(t, pingMsg, emptyList)
				}
			},
			reason: DiscProtocolError, sends: true, cause: ErrPingFlood,
		},
	}
	// Each connection error a remote can cause is a breach of protocol.
	for i, e := range fakeReadErrors {
		tests = append(tests, exitCase{
			name:    "read error " + e.Error(),
			trigger: func(t *testing.T, tp *testPeer) { tp.remote.send(t, fakeErrCode, []byte{byte(i)}) },
			reason:  DiscProtocolError, sends: true, cause: e,
		})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLeaks(t)
			proto := tt.proto
			if proto.Run == nil {
				proto = blockingProto("blk", 1, 5)
			}
			tp := startPeer(t, tt.cfg, []Protocol{proto}, proto.Cap())
			if tt.trigger != nil {
				tt.trigger(t, tp)
			}
			de := tp.wait(t)
			if de.Reason != tt.reason || de.Remote != tt.remote {
				t.Fatalf("Run returned %v (reason %v, remote %v), want reason %v, remote %v", de, de.Reason, de.Remote, tt.reason, tt.remote)
			}
			if tt.cause != nil && !errors.Is(de, tt.cause) {
				t.Errorf("Run returned %v, want it to wrap %v", de, tt.cause)
			}
			if tt.sends {
				tp.remote.expectDisconnect(t, tt.reason)
			} else {
				tp.remote.expectNoMessage(t)
			}
		})
	}
}

func TestPeerOffsets(t *testing.T) {
	checkLeaks(t)
	type got struct {
		proto string
		code  uint64
		data  string
	}
	received := make(chan got, 10)
	echo := func(name string, length uint64) Protocol {
		return Protocol{Name: name, Version: 1, Length: length, Run: func(p *Peer, rw MsgReadWriter) error {
			for {
				msg, err := rw.ReadMsg()
				if err != nil {
					return err
				}
				var s string
				if err := msg.Decode(&s); err != nil {
					return err
				}
				received <- got{name, msg.Code, s}
				if err := Send(rw, length-1-msg.Code, s+"!"); err != nil {
					return err
				}
			}
		}}
	}
	// Matched in name order: aaa at 0x10 (2 codes), bbb at 0x12 (3 codes).
	// ccc is not shared and takes no codes.
	tp := startPeer(t, Config{}, []Protocol{echo("bbb", 3), echo("ccc", 4), echo("aaa", 2)}, Cap{"aaa", 1}, Cap{"bbb", 1})
	if m := tp.Protocols(); len(m) != 2 || m[0].Offset != 0x10 || m[1].Offset != 0x12 {
		t.Fatalf("matched %v", m)
	}
	tests := []struct {
		wire      uint64
		want      got
		replyWire uint64
	}{
		{0x10, got{"aaa", 0, "a0"}, 0x11},
		{0x11, got{"aaa", 1, "a1"}, 0x10},
		{0x12, got{"bbb", 0, "b0"}, 0x14},
		{0x14, got{"bbb", 2, "b2"}, 0x12},
	}
	for _, tt := range tests {
		tp.remote.send(t, tt.wire, encode(t, tt.want.data))
		if g := recv(t, received, "delivery"); g != tt.want {
			t.Errorf("wire code %#x delivered as %v, want %v", tt.wire, g, tt.want)
		}
		reply := tp.remote.next(t)
		if reply.code != tt.replyWire || string(reply.data[1:]) != tt.want.data+"!" {
			t.Errorf("reply to %#x: code %#x payload %x, want code %#x", tt.wire, reply.code, reply.data, tt.replyWire)
		}
	}
	// 0x15 is past bbb's range.
	tp.remote.send(t, 0x15, encode(t, "x"))
	if de := tp.wait(t); de.Reason != DiscProtocolError || !errors.Is(de, ErrUnknownCode) {
		t.Errorf("code 0x15: Run returned %v", de)
	}
	stats := tp.Stats()
	if len(stats) != 2 || stats[0].MsgsIn != 2 || stats[0].MsgsOut != 2 || stats[1].MsgsIn != 2 || stats[1].MsgsOut != 2 {
		t.Errorf("stats %+v", stats)
	}
	if stats[0].BytesIn != 2*(fakeHeaderSize+3) || stats[0].BytesOut != 2*(fakeHeaderSize+4) {
		t.Errorf("aaa byte counts %+v", stats[0])
	}
}

func TestPeerWriteErrors(t *testing.T) {
	checkLeaks(t)
	rwc := make(chan MsgReadWriter, 1)
	proto := Protocol{Name: "w", Version: 1, Length: 2, Run: func(p *Peer, rw MsgReadWriter) error {
		rwc <- rw
		_, err := rw.ReadMsg()
		return err
	}}
	tp := startPeer(t, Config{}, []Protocol{proto}, proto.Cap())
	rw := recv(t, rwc, "protocol start")

	if err := rw.WriteMsg(NewMsg(2, emptyList)); !errors.Is(err, ErrInvalidCode) {
		t.Errorf("code 2 of a 2-code protocol: got %v, want ErrInvalidCode", err)
	}
	if err := rw.WriteMsg(Msg{Code: 0, Size: 10, Payload: &payload{b: []byte{1}}}); !errors.Is(err, errPayloadSize) {
		t.Errorf("short payload: got %v", err)
	}
	if err := rw.WriteMsg(Msg{Code: 1, Size: maxPayloadSize + 1}); !errors.Is(err, ErrPayloadTooLarge) {
		t.Errorf("16 MiB payload: got %v", err)
	}
	// None of those closed the peer: a valid write still goes out.
	if err := Send(rw, 1, "ok"); err != nil {
		t.Fatal(err)
	}
	if m := tp.remote.next(t); m.code != 0x11 {
		t.Errorf("remote got code %#x", m.code)
	}

	tp.Disconnect(DiscRequested)
	tp.wait(t)
	if err := Send(rw, 1, "late"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after close: got %v, want net.ErrClosed", err)
	}
	if _, err := rw.ReadMsg(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("read after close: got %v, want net.ErrClosed", err)
	}
}

func TestPeerRunTwice(t *testing.T) {
	checkLeaks(t)
	tp := startPeer(t, Config{}, nil)
	tp.Disconnect(DiscRequested)
	tp.wait(t)
	if err := tp.Run(context.Background()); !errors.Is(err, errRunTwice) {
		t.Errorf("second Run: %v", err)
	}
}

func TestPeerPing(t *testing.T) {
	checkLeaks(t)
	clk := new(clock.Simulated)
	tp := startPeer(t, Config{Clock: clk, PingInterval: 15 * time.Second}, nil)
	for i := range 3 {
		clk.WaitForTimers(1)
		clk.Run(15 * time.Second)
		if m, ok := recvOK(t, tp.remote.msgs); !ok || m.code != pingMsg || string(m.data) != "\xc0" {
			t.Fatalf("ping %d: got %v", i, m)
		}
	}
	// Pings from the remote get pongs; a pong needs no answer.
	for range 3 {
		tp.remote.send(t, pingMsg, emptyList)
	}
	tp.remote.send(t, pongMsg, emptyList)
	for i := range 3 {
		recv(t, tp.remote.pongs, fmt.Sprintf("pong %d", i))
	}
	tp.Disconnect(DiscRequested)
	tp.remote.expectDisconnect(t, DiscRequested)
}

// TestPeerPingFlood floods the peer with pings (CVE-2023-40591: a goroutine per ping let a flood exhaust memory) and
// checks that the goroutine count stays flat while every ping is answered.
func TestPeerPingFlood(t *testing.T) {
	checkLeaks(t)
	const pings = 5000
	a, b, _, keyB := newFakePair(t)
	p := mustPeer(t, a, helloFor(keyB), nil, Config{PingBurst: pings})
	r := startRemote(b)
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()

	base := runtime.NumGoroutine()
	maxSeen := base
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	heapBefore := ms.HeapInuse
	for i := range pings {
		if _, err := b.WriteMsg(pingMsg, emptyList); err != nil {
			t.Fatal(err)
		}
		if i%100 == 0 {
			maxSeen = max(maxSeen, runtime.NumGoroutine())
		}
	}
	for range pings {
		recv(t, r.pongs, "pong")
	}
	runtime.GC()
	runtime.ReadMemStats(&ms)
	if maxSeen > base+2 {
		t.Errorf("goroutines grew from %d to %d during the flood", base, maxSeen)
	}
	if grown := int64(ms.HeapInuse) - int64(heapBefore); grown > 8<<20 {
		t.Errorf("heap grew by %d bytes during the flood", grown)
	}
	p.Disconnect(DiscRequested)
	recv(t, done, "Run")
	a.Close()
	b.Close()
	<-r.done
}

func TestPeerAccessors(t *testing.T) {
	checkLeaks(t)
	clk := new(clock.Simulated)
	_, b, keyA, _ := newFakePair(t) // b did not dial: the peer is inbound
	h := helloFor(keyA, Cap{"eth", 68})
	h.Name = "other/v2"
	p := mustPeer(t, b, h, nil, Config{Clock: clk})
	if p.Name() != "other/v2" || !p.Inbound() || !p.ConnectedAt().Equal(clock.SimulatedEpoch) {
		t.Errorf("name %q inbound %v connected %v", p.Name(), p.Inbound(), p.ConnectedAt())
	}
	if !p.Pubkey().IsEqual(keyA.PubKey()) {
		t.Error("wrong pubkey")
	}
	if caps := p.Caps(); len(caps) != 1 || caps[0] != (Cap{"eth", 68}) {
		t.Errorf("caps %v", caps)
	}
	if p.RemoteAddr() == nil || p.LocalAddr() == nil {
		t.Error("nil addresses")
	}
	if want := nodeid.ID(ethcrypto.Keccak256(h.ID)); p.ID() != want {
		t.Errorf("ID %v, want %v", p.ID(), want)
	}
}

// TestPeerPair runs two Peers against each other after a Hello exchange,
// with two protocols exchanging messages concurrently in both directions.
func TestPeerPair(t *testing.T) {
	checkLeaks(t)
	testPeerPair(t, fakePair)
}

func testPeerPair(t *testing.T, mk pairFunc) {
	const n = 200
	finished := make(chan string, 4)
	exchange := func(name string, length uint64) Protocol {
		return Protocol{Name: name, Version: 1, Length: length, Run: func(p *Peer, rw MsgReadWriter) error {
			errc := make(chan error, 1)
			go func() {
				for i := range n {
					if err := SendItems(rw, uint64(i)%length, name, uint64(i)); err != nil {
						errc <- err
						return
					}
				}
				errc <- nil
			}()
			for i := range n {
				msg, err := rw.ReadMsg()
				if err != nil {
					return err
				}
				var body struct {
					Name string
					I    uint64
				}
				if err := msg.Decode(&body); err != nil {
					return err
				}
				if body.Name != name || body.I != uint64(i) || msg.Code != uint64(i)%length {
					return fmt.Errorf("%s: message %d is %+v code %d", name, i, body, msg.Code)
				}
			}
			if err := <-errc; err != nil {
				return err
			}
			finished <- name
			_, err := rw.ReadMsg() // until the peer closes
			return err
		}}
	}
	protos := []Protocol{exchange("one", 3), exchange("two", 7)}
	pa, pb := startPair(t, mk, protos, protos)
	// Wait for all four protocol instances to finish their exchange, then
	// disconnect from one side.
	for range 4 {
		select {
		case <-finished:
		case err := <-pa.done:
			t.Fatalf("A ended early: %v", err)
		case err := <-pb.done:
			t.Fatalf("B ended early: %v", err)
		case <-time.After(recvTimeout):
			t.Fatal("timed out waiting for the exchange")
		}
	}
	pa.Disconnect(DiscUselessPeer)
	ea, eb := recv(t, pa.done, "A"), recv(t, pb.done, "B")
	var da, db *DisconnectError
	if !errors.As(ea, &da) || da.Reason != DiscUselessPeer || da.Remote {
		t.Errorf("A: %v", ea)
	}
	if !errors.As(eb, &db) || db.Reason != DiscUselessPeer || !db.Remote {
		t.Errorf("B: %v", eb)
	}
	if len(pa.Stats()) == 0 {
		t.Fatal("A has no protocol stats")
	}
	for _, s := range pa.Stats() {
		if s.MsgsIn != n || s.MsgsOut != n {
			t.Errorf("A stats %+v", s)
		}
	}
}

type runningPeer struct {
	*Peer
	done    chan error    // Run's result
	stopped chan struct{} // closed once Run returned
}

func (p runningPeer) start() {
	go func() {
		p.done <- p.Run(context.Background())
		close(p.stopped)
	}()
}

// pairFunc makes two connected transports, each knowing the other's key.
type pairFunc func(t testing.TB) (a, b transport, keyA, keyB *secp256k1.PrivateKey)

func fakePair(t testing.TB) (a, b transport, keyA, keyB *secp256k1.PrivateKey) {
	return newFakePair(t)
}

// startPair does the Hello exchange on a new pair and runs both peers.
func startPair(t testing.TB, mk pairFunc, protosA, protosB []Protocol) (a, b runningPeer) {
	return startPairConfig(t, mk, protosA, protosB, Config{})
}

// startPairConfig is startPair with both peers on cfg.
func startPairConfig(t testing.TB, mk pairFunc, protosA, protosB []Protocol, cfg Config) (a, b runningPeer) {
	ca, cb, keyA, keyB := mk(t)
	capsOf := func(ps []Protocol) (caps []Cap) {
		for _, p := range ps {
			caps = append(caps, p.Cap())
		}
		return caps
	}
	ra := runHandshake(context.Background(), ca, helloFor(keyA, capsOf(protosA)...))
	rb := runHandshake(context.Background(), cb, helloFor(keyB, capsOf(protosB)...))
	ha, hb := recv(t, ra, "hello A"), recv(t, rb, "hello B")
	if ha.err != nil || hb.err != nil {
		t.Fatal(ha.err, hb.err)
	}
	a = runningPeer{mustPeer(t, ca, ha.hello, protosA, cfg), make(chan error, 1), make(chan struct{})}
	b = runningPeer{mustPeer(t, cb, hb.hello, protosB, cfg), make(chan error, 1), make(chan struct{})}
	a.start()
	b.start()
	t.Cleanup(func() {
		a.Disconnect(DiscRequested)
		b.Disconnect(DiscRequested)
		ca.Close()
		cb.Close()
		for _, p := range []runningPeer{a, b} {
			select {
			case <-p.stopped:
			case <-time.After(recvTimeout):
				t.Error("peer did not stop")
			}
		}
	})
	return a, b
}

func TestPeerDisconnectBeforeRun(t *testing.T) {
	checkLeaks(t)
	a, b, _, keyB := newFakePair(t)
	started := make(chan struct{}, 1)
	proto := Protocol{Name: "p", Version: 1, Length: 1, Run: func(*Peer, MsgReadWriter) error {
		started <- struct{}{}
		return nil
	}}
	p := mustPeer(t, a, helloFor(keyB, proto.Cap()), []Protocol{proto}, Config{})
	p.Disconnect(DiscTooManyPeers)
	r := startRemote(b)
	err := p.Run(context.Background())
	if reason, _ := ReasonOf(err); reason != DiscTooManyPeers {
		t.Errorf("Run returned %v", err)
	}
	r.expectDisconnect(t, DiscTooManyPeers)
	<-r.done
	select {
	case <-started:
		t.Error("protocol ran for a peer disconnected before Run")
	default:
	}
}

func TestReject(t *testing.T) {
	checkLeaks(t)
	a, b, _, _ := newFakePair(t)
	r := startRemote(b)
	if err := reject(a, DiscAlreadyConnected); err != nil {
		t.Fatal(err)
	}
	r.expectDisconnect(t, DiscAlreadyConnected)
	<-r.done
}

func TestPeerNilRun(t *testing.T) {
	checkLeaks(t)
	proto := Protocol{Name: "nil", Version: 1, Length: 2}
	tp := startPeer(t, Config{QueueLength: 1}, []Protocol{proto}, proto.Cap())
	// More messages than the queue holds: they are drained, not stuck.
	for range 20 {
		tp.remote.send(t, 0x11, emptyList)
	}
	tp.Disconnect(DiscRequested)
	if de := tp.wait(t); de.Reason != DiscRequested || de.Remote {
		t.Errorf("Run returned %v", de)
	}
	if st := tp.Stats(); st[0].MsgsIn != 20 {
		t.Errorf("stats %+v", st)
	}
}

// TestPeerBlockedWriteReleased checks that a protocol write stuck on a
// remote that does not read returns, with net.ErrClosed, once the peer
// closes.
func TestPeerBlockedWriteReleased(t *testing.T) {
	checkLeaks(t)
	a, b, _, keyB := newFakePair(t)
	writing := make(chan struct{})
	werr := make(chan error, 1)
	proto := Protocol{Name: "w", Version: 1, Length: 1, Run: func(_ *Peer, rw MsgReadWriter) error {
		close(writing)
		err := Send(rw, 0, "nobody reads this")
		werr <- err
		return err
	}}
	p := mustPeer(t, a, helloFor(keyB, proto.Cap()), []Protocol{proto}, Config{})
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	<-writing
	if _, err := b.WriteMsg(disconnectMsg, encodeDisconnect(DiscTooManyPeers)); err != nil {
		t.Fatal(err)
	}
	de := recv(t, done, "Run").(*DisconnectError)
	if de.Reason != DiscTooManyPeers || !de.Remote {
		t.Errorf("Run returned %v", de)
	}
	// The write either got the token after the peer closed or was cut
	// off by the close: both report net.ErrClosed.
	if err := recv(t, werr, "write"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("blocked write returned %v, want net.ErrClosed", err)
	}
}

// TestPeerQueueBytes checks the per-protocol byte budget: once queued
// messages reach QueueBytes, the reader stops reading until the protocol
// takes one.
func TestPeerQueueBytes(t *testing.T) {
	checkLeaks(t)
	readOne := make(chan struct{})
	proto := Protocol{Name: "q", Version: 1, Length: 1, Run: func(_ *Peer, rw MsgReadWriter) error {
		for range readOne {
			if _, err := rw.ReadMsg(); err != nil {
				return err
			}
		}
		return nil
	}}
	tp := startPeer(t, Config{QueueLength: 100, QueueBytes: 1000}, []Protocol{proto}, proto.Cap())
	rw := tp.protos[0]
	msg := make([]byte, 600)
	for range 3 {
		tp.remote.send(t, 0x10, msg)
	}
	// The reader holds message 3, waiting for room: 2 messages are queued.
	if q, n := rw.queued.Load(), len(rw.in); q != 1200 || n != 2 {
		t.Fatalf("queued %d bytes in %d messages, want 1200 in 2", q, n)
	}
	sent := make(chan error, 1)
	go func() { _, err := tp.remote.c.WriteMsg(0x10, msg); sent <- err }()
	select {
	case <-sent:
		t.Fatal("the reader took message 4 while over budget")
	default:
	}
	readOne <- struct{}{}
	if err := recv(t, sent, "message 4 to be read"); err != nil {
		t.Fatal(err)
	}
	close(readOne) // the protocol returns, which ends the peer
	tp.wait(t)
}

// TestPeerDisconnectStuckWriter: we disconnect while a protocol write is
// stuck on a remote that reads nothing. The Disconnect cannot be written;
// after its 2 s the connection is closed anyway and everything returns.
func TestPeerDisconnectStuckWriter(t *testing.T) {
	checkLeaks(t)
	a, _, _, keyB := newFakePair(t)
	writing := make(chan struct{})
	werr := make(chan error, 1)
	proto := Protocol{Name: "w", Version: 1, Length: 1, Run: func(_ *Peer, rw MsgReadWriter) error {
		close(writing)
		err := Send(rw, 0, "stuck")
		werr <- err
		return err
	}}
	p := mustPeer(t, a, helloFor(keyB, proto.Cap()), []Protocol{proto}, Config{})
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()
	<-writing
	p.Disconnect(DiscUselessPeer)
	err := recv(t, done, "Run")
	if r, _ := ReasonOf(err); r != DiscUselessPeer {
		t.Errorf("Run returned %v", err)
	}
	if err := recv(t, werr, "write"); !errors.Is(err, net.ErrClosed) {
		t.Errorf("stuck write returned %v, want net.ErrClosed", err)
	}
}
