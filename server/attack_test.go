package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/devp2p-go/devp2p/peer"
)

// TestAdmissionUnderAttack: with 500 silent and 100 trickling connections
// from eight loopback addresses (127.0.0.2–9), each reconnecting as soon as
// it is dropped, a client on a ninth address (127.0.0.10) completes RLPx,
// Hello and one protocol message round trip in under 2 s, twenty times in a
// row, against a server with the default admission settings. Afterwards the
// server's goroutines and heap are back to their baseline.
//
// The trickling connections send a valid EIP-8 size prefix and then one
// byte every 10 ms (an attacker would send one a second; the shape is the
// same, and the auth deadline cuts both off long before the auth is
// complete).
//
// Under the race detector, which slows every goroutine several times over
// and the test's own attackers with the server, the attack is halved: 250
// silent and 50 trickling connections.
func TestAdmissionUnderAttack(t *testing.T) {
	const (
		attackerIPs     = 8
		trickleInterval = 10 * time.Millisecond
		rounds          = 20
		maxConnect      = 2 * time.Second
		heapSlack       = 256 << 10 // bytes; the test keeps ~4 KiB per legit connection (t.Cleanup)
	)
	silent, trickling := 500, 100
	if raceEnabled {
		silent, trickling = 250, 50
	}
	cfg := testConfig(t, echoProtocol())
	cfg.AuthTimeout = 0 // the default, as every other admission setting
	srv := startServer(t, cfg)
	addr := srv.Self().TCPAddr().String()
	legitAddr := netip4(127, 0, 0, 10)

	// Baseline, with the server running and idle. The runtime keeps the
	// descriptor of every goroutine that ever ran for reuse; have it make
	// more than the attack will need, so that they are in the baseline.
	// The secp256k1 library builds its base-point table (about 1 MiB) on
	// first use, which the attackers' keys would otherwise trigger after
	// the baseline.
	warmGoroutines(5000)
	warmKey, _ := secp256k1.GeneratePrivateKey()
	warmKey.PubKey()
	baseGoroutines := goleak.IgnoreCurrent()
	baseHeap := heapAlloc()

	ctx, cancel := context.WithCancel(context.Background())
	var (
		wg            sync.WaitGroup
		started       sync.WaitGroup // each attacker's first connection is up
		conns, drops  atomic.Int64
		dialFailures  atomic.Int64
		attackerCount = silent + trickling
	)
	started.Add(attackerCount)
	for i := range attackerCount {
		from := netip4(127, 0, 0, byte(2+i%attackerIPs))
		wg.Add(1)
		go func() {
			defer wg.Done()
			attacker(ctx, addr, from, i >= silent, trickleInterval, &started, &conns, &drops, &dialFailures)
		}()
	}
	started.Wait()
	t.Logf("%d attacker connections up", attackerCount)

	latencies := make([]time.Duration, 0, rounds)
	var failed error
	for i := range rounds {
		d, err := legitRound(t, srv, legitAddr)
		if err != nil {
			failed = fmt.Errorf("round %d: %w", i, err)
			break
		}
		latencies = append(latencies, d)
		if d >= maxConnect {
			failed = fmt.Errorf("round %d took %v, want under %v", i, d, maxConnect)
			break
		}
	}
	cancel()
	wg.Wait()
	pending, evicting := srv.pending.counts()
	t.Logf("attack: %d connections, %d dropped by the server, %d dial failures; when it stopped, %d pending and %d evicted still closing",
		conns.Load(), drops.Load(), dialFailures.Load(), pending, evicting)
	if len(latencies) > 0 {
		slices.Sort(latencies)
		pct := func(p int) time.Duration { return latencies[(len(latencies)-1)*p/100] }
		t.Logf("connect latency over %d rounds: p50 %v, p99 %v, max %v", len(latencies), pct(50), pct(99), latencies[len(latencies)-1])
	}
	if failed != nil {
		t.Fatal(failed)
	}

	// One more client goes through once the attack has stopped. The kernel
	// hands out connections in order, so once it is in, the server has
	// accepted every attacker connection, all of them closed by now; their
	// setup goroutines end (goleak retries until they have), and with them
	// the set's entries and memory.
	if _, err := legitRound(t, srv, legitAddr); err != nil {
		t.Fatalf("after the attack: %v", err)
	}
	goleak.VerifyNone(t, baseGoroutines)
	if t.Failed() {
		t.FailNow()
	}
	if pending, evicting := srv.pending.counts(); pending != 0 || evicting != 0 {
		t.Fatalf("after the attack: %d pending, %d evicted still counted", pending, evicting)
	}
	if heap := heapAlloc(); heap > baseHeap+heapSlack {
		t.Fatalf("heap %d bytes after the attack, baseline %d", heap, baseHeap)
	} else {
		t.Logf("heap %d bytes after the attack, baseline %d", heap, baseHeap)
	}
}

// warmGoroutines starts n goroutines and waits until they have ended.
func warmGoroutines(n int) {
	var wg sync.WaitGroup
	release := make(chan struct{})
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-release
		}()
	}
	close(release)
	wg.Wait()
}

// echoProtocol is test/1 answering message 0 with message 1, the same
// bytes; unlike testProto it keeps nothing of the peers it ran on.
func echoProtocol() peer.Protocol {
	return peer.Protocol{Name: "test", Version: 1, Length: 2, Run: func(_ *peer.Peer, rw peer.MsgReadWriter) error {
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			b, err := io.ReadAll(msg.Payload)
			if err != nil {
				return err
			}
			if msg.Code == 0 {
				if err := rw.WriteMsg(peer.NewMsg(1, b)); err != nil {
					return err
				}
			}
		}
	}}
}

// heapAlloc returns the bytes of live heap objects after two collections
// (the second empties the sync.Pools' victim caches).
func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// attacker keeps one connection from the address from to addr open until
// ctx ends, reconnecting whenever the server drops it. A silent connection
// sends nothing; a trickling one sends a valid EIP-8 size prefix and then a
// byte every interval. started is marked done once the first connection is
// up.
func attacker(ctx context.Context, addr string, from netip.Addr, trickles bool, interval time.Duration, started *sync.WaitGroup, conns, drops, dialFailures *atomic.Int64) {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: from.AsSlice()}}
	first := true
	defer func() {
		if first {
			started.Done()
		}
	}()
	for ctx.Err() == nil {
		fd, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			// Out of ports or the backlog overflowing: pause briefly, as
			// a tight loop would only burn the CPU the test shares.
			dialFailures.Add(1)
			t := time.NewTimer(10 * time.Millisecond)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
			}
			continue
		}
		conns.Add(1)
		if first {
			first = false
			started.Done()
		}
		stop := context.AfterFunc(ctx, func() { fd.Close() })
		if trickles {
			trickleUntilDropped(fd, interval)
		} else {
			fd.Read(make([]byte, 1)) // returns when the server closes it
		}
		if stop() {
			drops.Add(1)
		}
		fd.Close()
	}
}

// trickleUntilDropped sends a valid EIP-8 size prefix and then one byte
// every interval until a write fails.
func trickleUntilDropped(fd net.Conn, interval time.Duration) {
	if _, err := fd.Write([]byte{0x01, 0x90}); err != nil { // 400 bytes to come
		return
	}
	tick := time.NewTicker(interval)
	defer tick.Stop()
	for range tick.C {
		if _, err := fd.Write([]byte{0}); err != nil {
			return
		}
	}
}

// testMsgBase is the wire code of test/1's message 0: the first after the
// 16 codes of the base protocol.
const testMsgBase = 0x10

// legitRound connects from the address from with a fresh key, completes
// RLPx and Hello, sends one test/1 request and waits for its reply, and
// returns how long that took.
func legitRound(t *testing.T, srv *Server, from netip.Addr) (time.Duration, error) {
	start := time.Now()
	rp, err := connectRawFrom(t, srv, nil, from)
	if err != nil {
		return 0, err
	}
	defer rp.conn.Close()
	if _, err := rp.conn.WriteMsg(testMsgBase, []byte{0xc0}); err != nil { // test/1 message 0
		return 0, err
	}
	rp.conn.SetReadDeadline(time.Now().Add(waitTimeout))
	for {
		code, _, _, err := rp.conn.ReadMsg()
		if err != nil {
			return 0, err
		}
		switch code {
		case testMsgBase + 1: // the reply
			return time.Since(start), nil
		case 0x01:
			return 0, errors.New("server disconnected")
		}
	}
}
