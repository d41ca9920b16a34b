package metricsrv

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/metrics"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestServe scrapes /metrics and the profiler's index over loopback.
func TestServe(t *testing.T) {
	reg := metrics.NewRegistry()
	c, err := reg.NewCounter("test_events_total", "Events.")
	if err != nil {
		t.Fatal(err)
	}
	c.Add(7)
	s, err := Start("127.0.0.1:0", reg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()

	get := func(url string) (string, string) {
		t.Helper()
		resp, err := client.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %s", url, resp.Status)
		}
		return string(body), resp.Header.Get("Content-Type")
	}
	body, ctype := get(s.URL())
	if !strings.Contains(body, "\ntest_events_total 7\n") || ctype != metrics.TextContentType {
		t.Errorf("metrics: %q (%s)", body, ctype)
	}
	body, _ = get(strings.TrimSuffix(s.URL(), "/metrics") + "/debug/pprof/")
	if !strings.Contains(body, "goroutine") {
		t.Errorf("pprof index without goroutine profile:\n%s", body)
	}
}

// TestServerTimeouts: every timeout of the HTTP server is set, so a client
// that connects and stalls (headers, body, or an idle keep-alive) cannot
// hold a connection and its goroutine forever.
func TestServerTimeouts(t *testing.T) {
	s, err := Start("127.0.0.1:0", metrics.NewRegistry())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, tt := range []struct {
		name string
		got  time.Duration
	}{
		{"ReadHeaderTimeout", s.srv.ReadHeaderTimeout},
		{"ReadTimeout", s.srv.ReadTimeout},
		{"WriteTimeout", s.srv.WriteTimeout},
		{"IdleTimeout", s.srv.IdleTimeout},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got <= 0 {
				t.Errorf("%s not set", tt.name)
			}
		})
	}
}
