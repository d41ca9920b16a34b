package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"io"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

// testTimeout bounds each run of the command; it is a failure bound.
const testTimeout = 60 * time.Second

var summaryLine = regexp.MustCompile(`^size=(\S+) count=(\d+) bytes=(\d+) p50=\S+ p99=\S+ throughput=[0-9.]+MiB/s$`)

// checkSummary checks the summary lines for n requests of each size.
func checkSummary(t *testing.T, out string, n int, sizes map[string]int) {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(sizes) {
		t.Fatalf("%d lines, want %d:\n%s", len(lines), len(sizes), out)
	}
	for _, line := range lines {
		m := summaryLine.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("malformed summary line %q", line)
		}
		size, ok := sizes[m[1]]
		if !ok {
			t.Fatalf("unexpected size %q in %q", m[1], line)
		}
		delete(sizes, m[1])
		if m[2] != strconv.Itoa(n) {
			t.Errorf("count %s, want %d: %q", m[2], n, line)
		}
		if m[3] != strconv.Itoa(n*size) {
			t.Errorf("bytes %s, want %d: %q", m[3], n*size, line)
		}
	}
}

var defaultSizes = map[string]int{"32B": 32, "1KiB": 1024, "64KiB": 65536}

func TestTwoNodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := testCommand(t, ctx, "-n", "25")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("echo: %v\nstderr:\n%s", err, stderr.String())
	}
	checkSummary(t, stdout.String(), 25, maps.Clone(defaultSizes))
}

// TestListenDial runs -listen and -dial as two processes, with the key of
// the listening side fixed by -key and that of the dialing side by
// -keyfile.
func TestListenDial(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	listenKey := mustKey(t)
	dialKeyFile := filepath.Join(t.TempDir(), "nodekey")
	dialKey := mustKey(t)
	if err := os.WriteFile(dialKeyFile, []byte(hex.EncodeToString(dialKey.Serialize())+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	listener := startListener(t, ctx, "-key", hex.EncodeToString(listenKey.Serialize()))
	first := listener.Next(t)
	node, err := discover.ParseNode(first)
	if err != nil {
		t.Fatalf("first line %q is not an enode URL: %v", first, err)
	}
	if node.ID() != nodeid.FromPubkey(listenKey.PubKey()) {
		t.Fatalf("listener's URL has ID %v, want the one of -key", node.ID())
	}

	var dout, derr bytes.Buffer
	dialer := testCommand(t, ctx, "-dial", first, "-keyfile", dialKeyFile, "-n", "10", "-sizes", "0,100")
	dialer.Stdout, dialer.Stderr = &dout, &derr
	if err := dialer.Run(); err != nil {
		t.Fatalf("dialer: %v\nstderr:\n%s", err, derr.String())
	}
	checkSummary(t, dout.String(), 10, map[string]int{"0B": 0, "100B": 100})

	// The listener saw the dialer come (with the ID of -keyfile) and go.
	wantID := nodeid.FromPubkey(dialKey.PubKey()).TerminalString()
	connected := listener.Next(t)
	if !strings.Contains(connected, "peer "+wantID+" connected") {
		t.Fatalf("listener line %q, want peer %s connected", connected, wantID)
	}
	if left := listener.Next(t); !strings.Contains(left, "peer "+wantID+" left") {
		t.Fatalf("listener line %q, want peer %s left", left, wantID)
	}

	// It exits cleanly on interrupt.
	listener.Interrupt(t)
}

// TestRun runs the command in-process, so that its goroutines are checked
// for leaks too.
func TestRun(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-n", "5", "-sizes", "1,2048"}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	checkSummary(t, stdout.String(), 5, map[string]int{"1B": 1, "2KiB": 2048})
}

// TestListenNAT runs -listen with -nat extip:<ip> in-process: the URL it
// prints carries the external address, not the listener's.
func TestListenNAT(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-listen", "127.0.0.1:0", "-nat", "extip:198.51.100.7"}, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatal("no output")
	}
	node, err := discover.ParseNode(sc.Text())
	if err != nil {
		t.Fatalf("first line %q: %v", sc.Text(), err)
	}
	if node.IP().String() != "198.51.100.7" || node.TCP() == 0 {
		t.Fatalf("advertised %v, want 198.51.100.7 with the listener's port", node.TCPAddr())
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestFlagErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-n", "0"}, "-n must be positive"},
		{[]string{"-sizes", "12,x"}, "-sizes"},
		{[]string{"-sizes", "99999999"}, "-sizes"},
		{[]string{"-key", "abc"}, "node key"},
		{[]string{"-key", strings.Repeat("00", 32)}, "out of range for secp256k1"},
		{[]string{"-key", strings.Repeat("ff", 32)}, "out of range for secp256k1"},
		{[]string{"-key", strings.Repeat("11", 31)}, "62 characters"},
		{[]string{"-keyfile", "/nonexistent/nodekey"}, "node key"},
		{[]string{"-key", strings.Repeat("11", 32), "-keyfile", "x"}, "mutually exclusive"},
		{[]string{"-dial", "enode://nope"}, "-dial"},
		{[]string{"stray"}, "unexpected arguments"},
		{[]string{"-nat", "bogus"}, "-nat"},
		{[]string{"-nat", "extip:nope"}, "-nat"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), tt.args, &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func mustKey(t *testing.T) *secp256k1.PrivateKey {
	k, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}
