package discover

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"
)

// syncBuffer is a bytes.Buffer safe for the transport's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestLogAttributes checks that the transport's debug lines carry
// sys=discover and never an err attribute without an error.
func TestLogAttributes(t *testing.T) {
	defer goleak.VerifyNone(t)
	var buf syncBuffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	ut := newUDPTestConfig(t, Config{Logger: log})
	r := ut.remote("127.0.0.2:30303", nil)
	r.sync()
	ut.close()

	out := buf.String()
	if !strings.Contains(out, "discover: >> PONG") {
		t.Fatalf("no line for the pong sent in:\n%s", out)
	}
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		if !strings.Contains(line, "sys=discover") {
			t.Errorf("line without sys=discover: %s", line)
		}
		if strings.Contains(line, "err=<nil>") {
			t.Errorf("line with err=<nil>: %s", line)
		}
	}
}
