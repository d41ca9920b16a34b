package peer

import (
	"context"
	"errors"
	"testing"
	"time"
)

type handshakeResult struct {
	hello *Hello
	err   error
}

func runHandshake(ctx context.Context, c transport, h *Hello) <-chan handshakeResult {
	ch := make(chan handshakeResult, 1)
	go func() {
		theirs, err := handshake(ctx, c, h)
		ch <- handshakeResult{theirs, err}
	}()
	return ch
}

func TestHandshake(t *testing.T) {
	tests := []struct {
		name          string
		versionA      uint64
		versionB      uint64
		snappyA       bool // A compresses (both versions ≥ 5, EIP-706)
		snappyB       bool
		wantVersionAB uint64 // version A sees from B
	}{
		{"both v5", 0, 0, true, true, 5},
		{"remote v4", 5, 4, false, false, 4},
		{"remote v55", 5, 55, true, true, 55},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLeaks(t)
			a, b, keyA, keyB := newFakePair(t)
			ha, hb := helloFor(keyA, Cap{"eth", 68}), helloFor(keyB, Cap{"eth", 68}, Cap{"snap", 1})
			ha.Version, hb.Version = tt.versionA, tt.versionB
			ctx := context.Background()
			ra, rb := runHandshake(ctx, a, ha), runHandshake(ctx, b, hb)
			resA, resB := recv(t, ra, "handshake A"), recv(t, rb, "handshake B")
			if resA.err != nil || resB.err != nil {
				t.Fatalf("handshake errors: %v, %v", resA.err, resB.err)
			}
			if resA.hello.Name != hb.Name || len(resA.hello.Caps) != 2 || resA.hello.Version != tt.wantVersionAB {
				t.Errorf("A got %v", resA.hello)
			}
			if resB.hello.Version != 5 || len(resB.hello.Caps) != 1 {
				t.Errorf("B got %v", resB.hello)
			}
			if a.snappy.Load() != tt.snappyA || b.snappy.Load() != tt.snappyB {
				t.Errorf("snappy A=%v B=%v, want %v %v", a.snappy.Load(), b.snappy.Load(), tt.snappyA, tt.snappyB)
			}
		})
	}
}

// rawHandshake runs our handshake against a remote that sends payload under
// code, and returns the handshake's error and everything we sent.
func rawHandshake(t *testing.T, code uint64, payload []byte) (error, []rawMsg) {
	a, b, keyA, _ := newFakePair(t)
	res := runHandshake(context.Background(), a, helloFor(keyA))
	msgs := make(chan []rawMsg, 1)
	go func() {
		var sent []rawMsg
		for {
			code, data, _, err := b.ReadMsg()
			if err != nil {
				msgs <- sent
				return
			}
			sent = append(sent, rawMsg{code, append([]byte(nil), data...)})
		}
	}()
	// Write from a goroutine: a message refused unread (a Hello over the
	// size limit) leaves this write blocked on the pipe until a closes.
	written := make(chan error, 1)
	go func() {
		_, err := b.WriteMsg(code, payload)
		written <- err
	}()
	r := recv(t, res, "handshake")
	a.Close()
	<-written
	return r.err, recv(t, msgs, "remote reader")
}

type rawMsg struct {
	code uint64
	data []byte
}

func TestHandshakeRejects(t *testing.T) {
	type rejectCase struct {
		name    string
		code    uint64
		payload []byte
		reason  DiscReason
		remote  bool
	}
	var tests []rejectCase
	for _, m := range malformedHellos(t) {
		reason := DiscProtocolError
		if errors.Is(m.want, ErrInvalidIdentity) {
			reason = DiscInvalidIdentity
		}
		tests = append(tests, rejectCase{"hello/" + m.name, helloMsg, m.payload, reason, false})
	}
	other := helloFor(newKey(t))
	tests = append(tests,
		rejectCase{"unexpected identity", helloMsg, encode(t, []any{uint(5), "x", []any{}, uint(0), other.ID}), DiscUnexpectedIdentity, false},
		rejectCase{"ping first", pingMsg, emptyList, DiscProtocolError, false},
		rejectCase{"protocol message first", 0x10, emptyList, DiscProtocolError, false},
		rejectCase{"disconnect first", disconnectMsg, mustHex("c104"), DiscTooManyPeers, true},
		rejectCase{"bare disconnect first", disconnectMsg, mustHex("05"), DiscAlreadyConnected, true},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkLeaks(t)
			err, sent := rawHandshake(t, tt.code, tt.payload)
			var de *DisconnectError
			if !errors.As(err, &de) {
				t.Fatalf("got error %v, want a *DisconnectError", err)
			}
			if de.Reason != tt.reason || de.Remote != tt.remote {
				t.Fatalf("got %v (remote %v), want %v (remote %v)", de.Reason, de.Remote, tt.reason, tt.remote)
			}
			if len(sent) == 0 || sent[0].code != helloMsg {
				t.Fatalf("first message sent is not our Hello: %v", sent)
			}
			if tt.remote {
				if len(sent) != 1 {
					t.Errorf("answered a Disconnect with %v", sent[1:])
				}
				return
			}
			if len(sent) != 2 || sent[1].code != disconnectMsg || decodeDisconnect(sent[1].data) != tt.reason {
				t.Errorf("want Hello then Disconnect(%v), sent %v", tt.reason, sent)
			}
		})
	}
}

func TestHandshakeTimeout(t *testing.T) {
	checkLeaks(t)
	a, b, keyA, _ := newFakePair(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	res := runHandshake(ctx, a, helloFor(keyA))
	// The remote reads our Hello and then says nothing.
	if _, _, _, err := b.ReadMsg(); err != nil {
		t.Fatal(err)
	}
	r := recv(t, res, "handshake")
	if r.err == nil {
		t.Fatal("handshake succeeded against a silent peer")
	}
	if !errors.Is(r.err, context.DeadlineExceeded) {
		t.Errorf("error %v does not wrap context.DeadlineExceeded", r.err)
	}
}

func TestHandshakeCancel(t *testing.T) {
	checkLeaks(t)
	a, _, keyA, _ := newFakePair(t)
	ctx, cancel := context.WithCancel(context.Background())
	// Nobody reads or writes on the other end: both directions block
	// until the context is cancelled.
	res := runHandshake(ctx, a, helloFor(keyA))
	cancel()
	r := recv(t, res, "handshake")
	if !errors.Is(r.err, context.Canceled) {
		t.Errorf("error %v does not wrap context.Canceled", r.err)
	}
}

func TestHandshakeBadOurHello(t *testing.T) {
	a, _, _, _ := newFakePair(t)
	if _, err := handshake(context.Background(), a, &Hello{Name: "x"}); !errors.Is(err, errOurHello) {
		t.Errorf("got %v, want errOurHello", err)
	}
}
