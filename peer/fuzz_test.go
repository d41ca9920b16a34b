package peer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"testing"
)

// fuzzLogger formats everything it is given, as a debug-level production
// logger would (CVE-2022-29177: crafted messages crashed go-ethereum's logger).
var fuzzLogger = slog.New(slog.NewTextHandler(io.Discard, &slog.HandlerOptions{Level: slog.LevelDebug}))

func FuzzHello(f *testing.F) {
	f.Add(readHex(f, "testdata/eip8-hello.hex"))
	for _, m := range malformedHellos(f) {
		f.Add(m.payload)
	}
	good, _ := encodeHello(helloFor(newKey(f), Cap{"eth", 68}, Cap{"snap", 1}))
	f.Add(good)
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := decodeHello(data)
		if err != nil {
			_ = err.Error()
			fuzzLogger.Debug("bad hello", "err", err)
			return
		}
		s := h.String()
		fuzzLogger.Debug("hello", "hello", h, "name", h.Name, "caps", h.Caps)
		_ = fmt.Sprintf("%v %+v %s", h, h.Caps, s)
		// What decodes re-encodes and decodes to the same Hello.
		enc, err := encodeHello(h)
		if err != nil {
			t.Fatalf("re-encoding %v: %v", h, err)
		}
		h2, err := decodeHello(enc)
		if err != nil {
			t.Fatalf("re-decoding %x: %v", enc, err)
		}
		if h2.String() != s || !bytes.Equal(h2.ID, h.ID) || len(h2.Rest) != len(h.Rest) {
			t.Fatalf("round trip changed %v into %v", h, h2)
		}
	})
}

func FuzzDisconnect(f *testing.F) {
	for _, s := range []string{"", "00", "80", "05", "10", "c0", "c100", "c104", "c110", "0204c104", "0100c0", "c3820100", "81808008", "ffffffff0f"} {
		f.Add(mustHex(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := decodeDisconnect(data)
		de := &DisconnectError{Reason: r, Remote: true}
		_ = de.Error()
		_ = r.String()
		fuzzLogger.Debug("disconnect", "reason", r, "err", de)
		if r != DiscInvalid {
			// Every decodable reason survives our own encoding.
			if got := decodeDisconnect(encodeDisconnect(r)); got != r {
				t.Fatalf("reason %v re-encodes to %v", r, got)
			}
		}
	})
}

// FuzzPeerMessages feeds a running Peer a sequence of arbitrary messages.
// data is cut into messages of the form code(1 byte) ‖ size(1 byte) ‖
// payload. Whatever comes in, Run must end with a *DisconnectError once the
// remote goes away, and never panic.
func FuzzPeerMessages(f *testing.F) {
	f.Add([]byte{0x02, 0x01, 0xc0, 0x10, 0x01, 0xc0})                        // ping, protocol message
	f.Add([]byte{0x01, 0x02, 0xc1, 0x04})                                    // disconnect
	f.Add([]byte{0x00, 0x01, 0xc0, 0x13, 0x03, 0x82, 0x01, 0x02})            // late hello, unknown code
	f.Add([]byte{0x11, 0x05, 0xc4, 0x83, 'a', 'b', 'c', 0x01, 0x00})         // decodable, bare disconnect
	f.Add([]byte{0x10, 0x30, 0xff, 0xff, 0xff, 0x03, 0x00, 0x05, 0x01, 0x1}) // truncated, pong
	f.Fuzz(func(t *testing.T, data []byte) {
		a, b, _, keyB := newFakePair(t)
		proto := Protocol{Name: "fz", Version: 1, Length: 2, MaxMessageSize: 32, Run: func(p *Peer, rw MsgReadWriter) error {
			for {
				msg, err := rw.ReadMsg()
				if err != nil {
					return err
				}
				var v any
				if err := msg.Decode(&v); err != nil {
					fuzzLogger.Debug("bad message", "msg", msg, "err", err)
				}
			}
		}}
		p := mustPeer(t, a, helloFor(keyB, proto.Cap()), []Protocol{proto}, Config{PingBurst: 1 << 20, Logger: fuzzLogger})
		r := startRemote(b)
		done := make(chan error, 1)
		go func() { done <- p.Run(context.Background()) }()
		for len(data) >= 2 {
			code, size := uint64(data[0]), int(data[1])
			data = data[2:]
			size = min(size, len(data))
			if _, err := b.WriteMsg(code, data[:size]); err != nil {
				break // the peer hung up
			}
			data = data[size:]
		}
		b.Close()
		err := <-done
		var de *DisconnectError
		if !errors.As(err, &de) {
			t.Fatalf("Run returned %v", err)
		}
		fuzzLogger.Debug("done", "err", err)
		<-r.done
	})
}
