package peer

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"testing"
)

// fuzzLogger formats everything it is given, as a debug-level production
// logger would (PROTOCOL.md row S10: crafted messages crashed a logger).
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
