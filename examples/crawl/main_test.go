package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/examples/internal/progtest"
)

// crawlBin and bootnodeBin are the programs, built on first use; TestMain
// removes them.
var (
	crawlBin    = progtest.NewBinary(".")
	bootnodeBin = progtest.NewBinary("../bootnode")
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		crawlBin.Remove()
		bootnodeBin.Remove()
		os.Exit(code)
	}))
}

// startNetwork starts n examples/bootnode processes on 127.0.0.1, all
// bootstrapped from the first, and returns their nodes. Separate processes
// (built without the race detector) keep the network fast when the test
// runs under -race, which makes every signature check in this process
// take tens of milliseconds.
//
// With v5 the bootnodes also run discv5 (-v5) and are bootstrapped, and
// returned, as the enr: records they print on their second line.
func startNetwork(t *testing.T, n int, v5 bool) []*discover.Node {
	t.Helper()
	bin := bootnodeBin.Path(t)
	nodes := make([]*discover.Node, n)
	for i := range nodes {
		args := []string{"-addr", "127.0.0.1:0"}
		if v5 {
			args = append(args, "-v5")
		}
		if i > 0 {
			boot := nodes[0].URLv4()
			if v5 {
				boot = nodes[0].Record().String()
			}
			args = append(args, "-bootnodes", boot)
		}
		p := progtest.Start(t, exec.Command(bin, args...))
		line := p.Next(t)
		var err error
		if nodes[i], err = discover.ParseNode(line); err != nil {
			t.Fatalf("bootnode %d printed %q: %v", i, line, err)
		}
		if v5 {
			line2 := p.Next(t)
			rec, err := discover.ParseNode(line2)
			if err != nil || rec.Record() == nil || rec.ID() != nodes[i].ID() {
				t.Fatalf("bootnode %d printed %q on line 2, want its enr: record (%v)", i, line2, err)
			}
			nodes[i] = rec
		}
	}
	return nodes
}

func TestCrawl(t *testing.T) {
	bin := crawlBin.Path(t)
	t.Run("v4", func(t *testing.T) { testCrawl(t, bin, false) })
	t.Run("v5", func(t *testing.T) { testCrawl(t, bin, true) })
}

func testCrawl(t *testing.T, bin string, v5 bool) {
	network := startNetwork(t, 16, v5)
	out := filepath.Join(t.TempDir(), "nodes.jsonl")

	var stdout, stderr bytes.Buffer
	args := []string{
		"-bootnodes", network[0].URLv4(),
		"-addr", "127.0.0.1:0",
		"-duration", "4s",
		"-progress", "1s",
		"-out", out}
	if v5 {
		// A discv5 lookup asks each node only for records at three
		// distances near the target, so reaching the nodes close to the
		// few that know them takes more lookups than over discv4.
		args = append(args, "-v5", "-duration", "10s")
		args[1] = network[0].Record().String()
	}
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("crawl: %v\nstderr:\n%s", err, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("stdout not empty with -out: %q", stdout.String())
	}

	// The JSON lines cover the whole network, each node once and verified
	// with its record.
	want := make(map[string]*discover.Node)
	for _, nd := range network {
		want[nd.ID().String()] = nd
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := make(map[string]bool)
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line nodeJSON
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&line); err != nil {
			t.Fatalf("line %q: %v", sc.Text(), err)
		}
		if seen[line.ID] {
			t.Errorf("node %s listed twice", line.ID)
		}
		seen[line.ID] = true
		self, ok := want[line.ID]
		if !ok {
			t.Errorf("node %s is not in the network", line.ID)
			continue
		}
		if line.Enode != self.URLv4() || line.IP != "127.0.0.1" || line.UDP != self.UDP() {
			t.Errorf("node %s: enode %s ip %s udp %d, want %s", line.ID, line.Enode, line.IP, line.UDP, self.URLv4())
		}
		rec, err := discover.ParseNode(line.ENR)
		if err != nil || rec.ID().String() != line.ID || line.Seq != rec.Seq() {
			t.Errorf("node %s: ENR %q (seq %d) does not belong to it: %v", line.ID, line.ENR, line.Seq, err)
		}
		if line.FirstSeen.IsZero() || line.LastSeen.Before(line.FirstSeen) {
			t.Errorf("node %s: first seen %v, last seen %v", line.ID, line.FirstSeen, line.LastSeen)
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	for id := range want {
		if !seen[id] {
			t.Errorf("node %s missing from the output", id)
		}
	}

	// Progress lines came every second, and the last one counts all 16.
	var progress []string
	for _, l := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(l, "seen ") {
			progress = append(progress, l)
		}
	}
	if len(progress) < 3 {
		t.Fatalf("%d progress lines in 4 s, want at least 3:\n%s", len(progress), stderr.String())
	}
	if last := progress[len(progress)-1]; !strings.Contains(last, "verified 16,") || !strings.Contains(last, "in flight") {
		t.Errorf("last progress line %q, want 16 verified", last)
	}
}

func TestCrawlUsage(t *testing.T) {
	bin := crawlBin.Path(t)
	key, _ := secp256k1.GeneratePrivateKey()
	node := discover.NewV4(key.PubKey(), netip.MustParseAddr("127.0.0.1"), 30303, 30303).URLv4()
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"no bootnodes", nil, "-bootnodes or -dns is required"},
		{"bad dns", []string{"-dns", "enrtree://x@y"}, "-dns"},
		{"bad bootnode", []string{"-bootnodes", "enode://xyz"}, "-bootnodes"},
		{"bad duration", []string{"-bootnodes", node, "-duration", "0s"}, "must be positive"},
		{"bad key", []string{"-bootnodes", node, "-key", "abc"}, "invalid node key"},
		{"stray argument", []string{"-bootnodes", node, "extra"}, "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			cmd := exec.Command(bin, tt.args...)
			cmd.Stderr = &stderr
			err := cmd.Run()
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), tt.want) {
				t.Fatalf("err %v, stderr %q; want exit 2 mentioning %q", err, stderr.String(), tt.want)
			}
		})
	}
}
