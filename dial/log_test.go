package dial

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
)

// syncBuffer is a bytes.Buffer safe for the handler's concurrent writes.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.b.Write(p)
}

func (b *syncBuffer) lines() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Split(strings.TrimSpace(b.b.String()), "\n")
}

func TestDialOutcomesLogged(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf syncBuffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{
			Level:       slog.LevelDebug,
			ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr { return dropTime(a) },
		}))
		a := testNode(1, "127.0.0.1", 30303)
		h := newHarness(t, Config{Logger: log})
		h.sched.AddStatic(a)
		h.dialAfter(a, 0).reply <- errRefused
		h.connect(h.dialAfter(a, DefaultStaticBackoffMin))
		synctest.Wait()

		want := []string{
			`level=DEBUG msg="Dial failed" sys=dial id=` + a.ID().String() + ` addr=127.0.0.1:30303 static=true elapsed=0s err="test: connection refused"`,
			`level=DEBUG msg="Dial succeeded" sys=dial id=` + a.ID().String() + ` addr=127.0.0.1:30303 static=true elapsed=0s`,
		}
		got := buf.lines()
		if len(got) != len(want) {
			t.Fatalf("logged %d records, want %d:\n%s", len(got), len(want), strings.Join(got, "\n"))
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("record %d:\n got %s\nwant %s", i, got[i], want[i])
			}
		}
	})
}

func dropTime(a slog.Attr) slog.Attr {
	if a.Key == slog.TimeKey {
		return slog.Attr{}
	}
	return a
}
