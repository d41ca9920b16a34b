package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/dnsdisc"
	"github.com/devp2p-go/devp2p/internal/dnstest"
)

// requestENR asks n for its signed record over discv4. The asking node
// stays up until the test ends: once it was in n's table, a dead one there
// was seen to stall lookups through n for seconds.
func requestENR(t *testing.T, n *discover.Node) *discover.Node {
	t.Helper()
	key, _ := secp256k1.GeneratePrivateKey()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	disc, err := discover.Listen(conn, key, discover.Config{})
	if err != nil {
		conn.Close()
		t.Fatal(err)
	}
	t.Cleanup(disc.Close)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	rec, err := disc.RequestENR(ctx, n)
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// TestCrawlDNS starts the crawl from a DNS tree (served on loopback) that
// lists one node of the network, and no -bootnodes: it still finds all.
func TestCrawlDNS(t *testing.T) {
	bin := crawlBin.Path(t)
	network := startNetwork(t, 8, false)
	treeKey, _ := secp256k1.GeneratePrivateKey()
	tree, err := dnsdisc.MakeTree(1, []*discover.Node{requestENR(t, network[0])}, nil)
	if err != nil {
		t.Fatal(err)
	}
	url, err := tree.Sign(treeKey, "nodes.example.org")
	if err != nil {
		t.Fatal(err)
	}
	srv := dnstest.Start(t, tree.TXT("nodes.example.org"))

	out := filepath.Join(t.TempDir(), "nodes.jsonl")
	var stderr bytes.Buffer
	cmd := exec.Command(bin, "-dns", url, "-dns-server", srv.Addr(),
		"-addr", "127.0.0.1:0", "-duration", "4s", "-progress", "1s", "-out", out)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("crawl: %v\nstderr:\n%s", err, stderr.String())
	}
	if !strings.Contains(stderr.String(), "crawl: 1 start nodes from DNS") {
		t.Errorf("stderr does not report the DNS start node:\n%s", stderr.String())
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	seen := map[string]bool{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var line nodeJSON
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		seen[line.ID] = true
	}
	for _, n := range network {
		if !seen[n.ID().String()] {
			t.Errorf("node %s missing from the output\nstderr:\n%s", n.ID(), stderr.String())
		}
	}
}
