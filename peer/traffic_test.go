package peer

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/devp2p-go/devp2p/metrics"
)

// TestTrafficMetrics runs a peer on a real RLPx connection with snappy on
// and checks what the node's metrics count: messages, decoded bytes and
// wire bytes per protocol and code, in both directions, the base
// protocol's Disconnect, and a code no protocol claims as "other".
func TestTrafficMetrics(t *testing.T) {
	checkLeaks(t)
	reg := metrics.NewRegistry()
	node, err := metrics.NewNode(reg, []metrics.Protocol{{Name: "eth", Version: 68, Length: 17}})
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu     sync.Mutex
		traces []MsgTrace
	)
	cfg := Config{Metrics: node.Traffic, Trace: func(m MsgTrace) {
		mu.Lock()
		traces = append(traces, m)
		mu.Unlock()
	}}
	reply := bytes.Repeat([]byte{0x81, 0x80}, 250) // 500 bytes; RLP-wise any bytes do
	eth := Protocol{Name: "eth", Version: 68, Length: 17, Run: func(_ *Peer, rw MsgReadWriter) error {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		msg.Discard()
		if err := rw.WriteMsg(NewMsg(0x05, reply)); err != nil {
			return err
		}
		return blockingProto("eth", 68, 17).Run(nil, rw)
	}}

	a, b, _, keyB, _, _ := rlpxPair(t)
	a.SetSnappy(true)
	b.SetSnappy(true)
	p, err := New(a, helloFor(keyB, eth.Cap()), []Protocol{eth}, cfg)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.Run(context.Background()) }()

	// 1000 zero bytes: snappy shrinks them on the wire.
	if _, err := b.WriteMsg(0x10+0x03, make([]byte, 1000)); err != nil {
		t.Fatal(err)
	}
	var outWire int
	for {
		code, data, wire, err := b.ReadMsg()
		if err != nil {
			t.Fatal(err)
		}
		if code == 0x10+0x05 {
			if !bytes.Equal(data, reply) {
				t.Fatalf("reply payload %x", data)
			}
			outWire = wire
			break
		}
	}
	// A code beyond eth's 17: the peer disconnects with a protocol error,
	// which the remote reads (net.Pipe does not buffer).
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for {
			if _, _, _, err := b.ReadMsg(); err != nil {
				return
			}
		}
	}()
	if _, err := b.WriteMsg(0x10+17, []byte{0xc0}); err != nil {
		t.Fatal(err)
	}
	<-drained
	var de *DisconnectError
	if err := recv(t, done, "Run"); !errors.As(err, &de) || de.Reason != DiscProtocolError {
		t.Fatalf("Run returned %v, want a protocol error", err)
	}

	snap := reg.Snapshot()
	value := func(name string, labels ...string) float64 {
		t.Helper()
		v, ok := snap.Value(name, labels...)
		if !ok {
			t.Fatalf("no sample %s%v", name, labels)
		}
		return v
	}
	tests := []struct {
		name   string
		family string
		labels []string
		want   float64
	}{
		{"eth in messages", metrics.NameMessages, []string{"in", "eth", "68", "0x03"}, 1},
		{"eth in decoded bytes", metrics.NameMessageBytes, []string{"in", "eth", "68", "0x03"}, 1000},
		{"eth out messages", metrics.NameMessages, []string{"out", "eth", "68", "0x05"}, 1},
		{"eth out decoded bytes", metrics.NameMessageBytes, []string{"out", "eth", "68", "0x05"}, 500},
		{"eth out wire bytes", metrics.NameMessageWireBytes, []string{"out", "eth", "68", "0x05"}, float64(outWire)},
		{"unclaimed code", metrics.NameMessages, []string{"in", "other", "other", "other"}, 1},
		{"our disconnect", metrics.NameMessages, []string{"out", "p2p", "5", "0x01"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := value(tt.family, tt.labels...); got != tt.want {
				t.Errorf("%s%v = %v, want %v", tt.family, tt.labels, got, tt.want)
			}
		})
	}
	wireIn := value(metrics.NameMessageWireBytes, "in", "eth", "68", "0x03")
	if wireIn <= 0 || wireIn >= 1000 {
		t.Errorf("wire bytes of a snappy-compressed 1000-byte message = %v, want between 0 and 1000", wireIn)
	}

	mu.Lock()
	defer mu.Unlock()
	want := []struct {
		out  bool
		cap  Cap
		code uint64
		size int
	}{
		{false, Cap{"eth", 68}, 0x03, 1000},
		{true, Cap{"eth", 68}, 0x05, 500},
		{false, Cap{}, 0x10 + 17, 1},
	}
	var got []MsgTrace
	for _, tr := range traces {
		if tr.Cap != baseCap || tr.Code == disconnectMsg {
			got = append(got, tr)
		}
	}
	// The reply's trace may come after the unclaimed message's: it is
	// made once WriteMsg returns.
	for _, w := range want {
		found := false
		for _, g := range got {
			found = found || g.Outbound == w.out && g.Cap == w.cap && g.Code == w.code && g.Size == w.size && g.Wire > 0 && g.Peer == p
		}
		if !found {
			t.Errorf("no trace %+v in %+v", w, got)
		}
	}
}

// TestTrafficNoAllocs checks that counting a message allocates nothing,
// with metrics on and with a nil Traffic.
func TestTrafficNoAllocs(t *testing.T) {
	reg := metrics.NewRegistry()
	tr, err := metrics.NewTraffic(reg, []metrics.Protocol{{Name: "eth", Version: 68, Length: 17}})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []*metrics.Traffic{tr, nil} {
		p := &Peer{}
		on := traffic{m: m.Protocol("eth", 68), cap: Cap{"eth", 68}}
		if n := testing.AllocsPerRun(100, func() {
			p.received(&on, 3, 100, 60)
			p.sent(&on, 5, 100, 60)
		}); n != 0 {
			t.Errorf("metrics %v: %v allocations per message, want 0", m != nil, n)
		}
	}
}
