package main

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/metrics"
)

// TestBootnodeMetrics runs the program with -metrics, pings it, and
// scrapes /metrics over HTTP: every discovery family is there with its
// type, and the ping was counted. The profiler answers too.
func TestBootnodeMetrics(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootnode")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-metrics", "127.0.0.1:0")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	lines := make(chan string, 2)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	next := func() string {
		t.Helper()
		select {
		case l := <-lines:
			return l
		case <-time.After(30 * time.Second):
			t.Fatal("no output within 30s")
			return ""
		}
	}
	n, err := discover.ParseNode(next())
	if err != nil {
		t.Fatal(err)
	}
	murl, ok := strings.CutPrefix(next(), "metrics ")
	if !ok {
		t.Fatal("second line is not the metrics URL")
	}

	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := secp256k1.GeneratePrivateKey()
	client, err := discover.Listen(conn, key, discover.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := client.Ping(ctx, n); err != nil {
		t.Fatalf("ping bootnode: %v", err)
	}
	client.Close()

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

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGINT: %v", err)
	}
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
