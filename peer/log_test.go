package peer

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a bytes.Buffer safe for the peer's goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestLogDisconnect: a disconnect we chose without an error logs the
// reason with sys=peer and no err attribute.
func TestLogDisconnect(t *testing.T) {
	checkLeaks(t)
	var buf lockedBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	proto := blockingProto("p", 1, 1)
	tp := startPeer(t, Config{Logger: log}, []Protocol{proto}, proto.Cap())
	tp.Disconnect(DiscRequested)
	if de := tp.wait(t); de.Err != nil {
		t.Fatalf("Run returned %v, want a disconnect without an error", de)
	}
	out := buf.String()
	if !strings.Contains(out, `msg="Peer disconnected" sys=peer`) {
		t.Fatalf("no disconnect line with sys=peer in:\n%s", out)
	}
	if strings.Contains(out, "err=") {
		t.Errorf("err attribute without an error:\n%s", out)
	}
}
