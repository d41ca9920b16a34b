package main

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/metrics"
)

// TestBootnodeMetrics runs the program with -metrics, pings it, and
// scrapes /metrics over HTTP: every discovery family is there with its
// type, and the ping was counted. The profiler answers too.
func TestBootnodeMetrics(t *testing.T) {
	p := startBootnode(t, "-addr", "127.0.0.1:0", "-metrics", "127.0.0.1:0")
	n, err := discover.ParseNode(p.Next(t))
	if err != nil {
		t.Fatal(err)
	}
	murl, ok := strings.CutPrefix(p.Next(t), "metrics ")
	if !ok {
		t.Fatal("second line is not the metrics URL")
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ping(t, ctx, n, false); err != nil {
		t.Fatalf("ping bootnode: %v", err)
	}

	httpc := &http.Client{Timeout: 10 * time.Second}
	defer httpc.CloseIdleConnections()
	get := func(url string) string {
		t.Helper()
		resp, err := httpc.Get(url)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %v %v", url, resp.Status, err)
		}
		return string(body)
	}
	text := get(murl)
	for name, typ := range map[string]string{
		metrics.NameDiscoverPackets:        "counter",
		metrics.NameDiscoverBadPackets:     "counter",
		metrics.NameDiscoverTableNodes:     "gauge",
		metrics.NameDiscoverLookups:        "counter",
		metrics.NameDiscoverLookupDuration: "histogram",
	} {
		if !strings.Contains(text, "\n# TYPE "+name+" "+typ+"\n") {
			t.Errorf("family %s (%s) missing", name, typ)
		}
	}
	if v := sampleValue(t, text, metrics.NameDiscoverPackets+`{direction="in",version="v4",type="ping"}`); v < 1 {
		t.Errorf("pings received = %v, want at least 1", v)
	}
	if !strings.Contains(get(strings.TrimSuffix(murl, "/metrics")+"/debug/pprof/"), "goroutine") {
		t.Error("no profiler index at /debug/pprof/")
	}

	p.Interrupt(t)
}

// sampleValue returns the value of the sample line that starts with series.
func sampleValue(t *testing.T, text, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(text, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("bad sample %q", line)
			}
			return f
		}
	}
	t.Fatalf("no sample %s", series)
	return 0
}
