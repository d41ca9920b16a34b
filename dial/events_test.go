package dial

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/metrics"
)

// resultErr is a setup error that carries its result, as the server's do.
type resultErr metrics.ConnResult

func (e resultErr) Error() string                  { return fmt.Sprintf("setup refused: %v", metrics.ConnResult(e)) }
func (e resultErr) ConnResult() metrics.ConnResult { return metrics.ConnResult(e) }

func TestResultOf(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want metrics.ConnResult
	}{
		{"success", nil, metrics.ConnOK},
		{"no endpoint", ErrNoEndpoint, metrics.ConnNoEndpoint},
		{"net restrict", ErrNetRestrict, metrics.ConnNetRestrict},
		{"dialer error", &connectError{errRefused}, metrics.ConnDialError},
		{"dialer cancelled", &connectError{context.Canceled}, metrics.ConnClosed},
		{"setup with a result", fmt.Errorf("setup: %w", resultErr(metrics.ConnTooManyPeers)), metrics.ConnTooManyPeers},
		{"setup without one", fmt.Errorf("setup: %w", errors.New("boom")), metrics.ConnOther},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := ResultOf(tt.err); got != tt.want {
				t.Errorf("ResultOf(%v) = %v, want %v", tt.err, got, tt.want)
			}
		})
	}
}

// eventLog collects what OnEvent reports.
type eventLog struct {
	mu  sync.Mutex
	evs []Event
}

func (l *eventLog) add(ev Event) {
	l.mu.Lock()
	l.evs = append(l.evs, ev)
	l.mu.Unlock()
}

func (l *eventLog) take() []Event {
	l.mu.Lock()
	defer l.mu.Unlock()
	evs := l.evs
	l.evs = nil
	return evs
}

// TestEventsAndMetrics provokes a refused static dial, a dial outside
// NetRestrict and a dynamic dial refused in setup, and checks the events
// reported and the dials counted by kind and result.
func TestEventsAndMetrics(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		reg := metrics.NewRegistry()
		m, err := metrics.NewDial(reg)
		if err != nil {
			t.Fatal(err)
		}
		var log eventLog
		h := newHarness(t, Config{
			MaxDialedConns: 1,
			NetRestrict:    []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")},
			Metrics:        m,
			OnEvent:        log.add,
		})
		start := h.clock.Now()

		// A static node whose TCP connect is refused.
		a := testNode(1, "127.0.0.1", 30303)
		h.sched.AddStatic(a)
		h.expectDials(a)[0].reply <- errRefused
		synctest.Wait()
		evs := log.take()
		if len(evs) != 3 {
			t.Fatalf("events %+v, want dial started, dial failed, static backoff", evs)
		}
		if ev := evs[0]; ev.Type != EventDialStarted || ev.Node.ID() != a.ID() || !ev.Static {
			t.Errorf("first event %+v, want a static dial started", ev)
		}
		if ev := evs[1]; ev.Type != EventDialFailed || ev.Result != metrics.ConnDialError || !errors.Is(ev.Err, errRefused) {
			t.Errorf("second event %+v, want dial failed with dial_error", ev)
		}
		if ev := evs[2]; ev.Type != EventStaticBackoff || !ev.Until.Equal(start.Add(DefaultStaticBackoffMin)) {
			t.Errorf("third event %+v, want a backoff until %v", ev, start.Add(DefaultStaticBackoffMin))
		}

		// A static node outside NetRestrict is never handed to the Dialer.
		b := testNode(2, "10.0.0.1", 30303)
		h.sched.AddStatic(b)
		synctest.Wait()
		evs = log.take()
		if len(evs) < 2 || evs[1].Type != EventDialFailed || evs[1].Result != metrics.ConnNetRestrict {
			t.Errorf("events %+v, want dial started then failed with net_restrict", evs)
		}

		// A discovered node refused by the server's checkpoint.
		c := testNode(3, "127.0.0.1", 30305)
		h.mu.Lock()
		h.setupErr[c.ID()] = resultErr(metrics.ConnTooManyPeers)
		h.mu.Unlock()
		h.iter.feed(t, c)
		h.connect(h.expectDials(c)[0])
		synctest.Wait()

		snap := reg.Snapshot()
		for _, tt := range []struct {
			kind, result string
			want         float64
		}{
			{"static", "dial_error", 1},
			{"static", "net_restrict", 1},
			{"dynamic", "too_many_peers", 1},
			{"dynamic", "ok", 0},
		} {
			if got, _ := snap.Value(metrics.NameDials, tt.kind, tt.result); got != tt.want {
				t.Errorf("dials{%s,%s} = %v, want %v", tt.kind, tt.result, got, tt.want)
			}
		}
		h.clock.Run(time.Hour) // let the static nodes' retries run out of the test's way
		for _, c := range h.expectAnyDials(1) {
			c.reply <- errRefused
		}
	})
}
