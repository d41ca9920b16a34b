package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/metrics"
)

// scrapeMetrics fetches url and returns the exposition's samples by their
// "name{labels}" text, and its TYPE lines by family.
func scrapeMetrics(t *testing.T, url string) (samples map[string]float64, types map[string]string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	defer client.CloseIdleConnections()
	resp, err := client.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != metrics.TextContentType {
		t.Fatalf("GET %s: %s, %s", url, resp.Status, resp.Header.Get("Content-Type"))
	}
	samples, types = make(map[string]float64), make(map[string]string)
	sc := bufio.NewScanner(bytes.NewReader(body))
	for sc.Scan() {
		line := sc.Text()
		if f, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(f, " ")
			types[name] = typ
			continue
		}
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("bad sample line %q", line)
		}
		samples[line[:i]] = v
	}
	return samples, types
}

// TestListenMetrics runs -listen with -metrics, has a -dial process
// measure against it, and scrapes the listener: every node family is
// there, and the traffic, the inbound connection and the disconnect were
// counted.
func TestListenMetrics(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	listener := startListener(t, ctx, "-metrics", "127.0.0.1:0")
	enode := listener.Next(t)
	murl, ok := strings.CutPrefix(listener.Next(t), "metrics ")
	if !ok {
		t.Fatal("second line is not the metrics URL")
	}

	var dout, derr bytes.Buffer
	dialer := testCommand(t, ctx, "-dial", enode, "-n", "10", "-sizes", "0,100")
	dialer.Stdout, dialer.Stderr = &dout, &derr
	if err := dialer.Run(); err != nil {
		t.Fatalf("dialer: %v\nstderr:\n%s", err, derr.String())
	}
	listener.Next(t) // connected
	listener.Next(t) // left: the disconnect is counted

	samples, types := scrapeMetrics(t, murl)
	for _, name := range []string{metrics.NamePeers, metrics.NameInbound, metrics.NameDisconnects, metrics.NameMessages, metrics.NameMessageWireBytes, metrics.NameHandshakeDuration, metrics.NameDials} {
		if types[name] == "" {
			t.Errorf("family %s missing", name)
		}
	}
	if got := samples[metrics.NameMessages+`{direction="in",protocol="echo",version="1",code="0x00"}`]; got < 20 {
		t.Errorf("echo requests received = %v, want at least the 20 sent", got)
	}
	if got := samples[metrics.NameInbound+`{result="ok"}`]; got != 1 {
		t.Errorf("inbound ok = %v, want 1", got)
	}
	if got := samples[metrics.NameDisconnects+`{reason="quitting",side="remote"}`]; got != 1 {
		t.Errorf("disconnects quitting/remote = %v, want 1", got)
	}
	if got := samples[metrics.NamePeers+`{direction="inbound"}`]; got != 0 {
		t.Errorf("inbound peers = %v after the dialer left, want 0", got)
	}

	listener.Interrupt(t)
}
