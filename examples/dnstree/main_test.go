package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/discover/dnsdisc"
	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/internal/dnstest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const signingKey = "dc599867fc513f8f5e2c2c9c489cde5e71362d1d9ec6e693e0de063236ed1240"

// writeCrawlOutput writes n nodes in examples/crawl's format, plus a line
// for a node that served no record, and returns their IDs.
func writeCrawlOutput(t *testing.T, path string, n int) map[string]bool {
	t.Helper()
	var b bytes.Buffer
	ids := map[string]bool{}
	for i := range n {
		h := sha256.Sum256([]byte(fmt.Sprint("node", i)))
		key := secp256k1.PrivKeyFromBytes(h[:])
		var r enr.Record
		r.SetIP(netip.AddrFrom4([4]byte{127, 0, 0, byte(i + 1)}))
		r.SetTCP(30303)
		r.SetUDP(30303)
		require.NoError(t, r.SignV4(key))
		id := r.NodeID()
		ids[fmt.Sprintf("%x", id)] = true
		fmt.Fprintf(&b, `{"id":"%x","enode":"enode://x","enr":%q,"ip":"127.0.0.%d","tcp":30303,"udp":30303,"seq":1,"firstSeen":"2026-11-23T22:00:01Z","lastSeen":"2026-11-23T22:00:09Z"}`+"\n", id, r.String(), i+1)
	}
	b.WriteString(`{"id":"00","enode":"enode://y","ip":"127.0.0.200","tcp":1,"udp":1,"firstSeen":"2026-11-23T22:00:01Z","lastSeen":"2026-11-23T22:00:09Z"}` + "\n")
	require.NoError(t, os.WriteFile(path, b.Bytes(), 0o600))
	return ids
}

// TestPublishAndResolve turns crawl output into a signed tree, serves its
// records from a DNS server on loopback and resolves it with -resolve.
func TestPublishAndResolve(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "nodes.jsonl")
	ids := writeCrawlOutput(t, in, 30)
	link := dnsdisc.NewLink("other.example.org", secp256k1.PrivKeyFromBytes([]byte{1}).PubKey()).String()
	records := filepath.Join(dir, "records.json")

	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-in", in, "-domain", "nodes.example.org", "-key", signingKey,
		"-seq", "5", "-links", link, "-format", "json", "-out", records}, nil, &stdout, &stderr)
	require.NoError(t, err, stderr.String())
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	require.Contains(t, lines[0], "30 nodes (1 lines without a record skipped), 1 links, seq 5")
	url := lines[len(lines)-1]
	require.True(t, strings.HasPrefix(url, "enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@nodes.example.org"), url)

	var zone map[string]string
	data, err := os.ReadFile(records)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(data, &zone))
	require.Contains(t, zone["nodes.example.org"], "enrtree-root:v1 ")
	require.Contains(t, zone["nodes.example.org"], " seq=5 ")

	// The zone-file form of the same tree: $ORIGIN and one line per record.
	stdout.Reset()
	stderr.Reset()
	require.NoError(t, run(context.Background(), []string{"-in", in, "-domain", "nodes.example.org", "-keyfile", writeKey(t, dir),
		"-seq", "5", "-links", link}, nil, &stdout, &stderr))
	zlines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	require.Equal(t, "$ORIGIN nodes.example.org.", zlines[0])
	require.Len(t, zlines, len(zone)+1)
	require.Equal(t, `@ 60 IN TXT "`+zone["nodes.example.org"]+`"`, zlines[1])

	srv := dnstest.Start(t, zone)
	stdout.Reset()
	stderr.Reset()
	require.NoError(t, run(context.Background(), []string{"-resolve", url, "-dns-server", srv.Addr()}, nil, &stdout, &stderr), stderr.String())
	got := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var nl nodeLine
		require.NoError(t, json.Unmarshal([]byte(line), &nl))
		require.True(t, strings.HasPrefix(nl.ENR, "enr:"))
		got[nl.ID] = true
	}
	require.Equal(t, ids, got)
	require.Contains(t, stderr.String(), "dnstree: link "+link)

	// The resolved output is itself valid input.
	again := filepath.Join(dir, "again.jsonl")
	require.NoError(t, os.WriteFile(again, stdout.Bytes(), 0o600))
	stdout.Reset()
	require.NoError(t, run(context.Background(), []string{"-in", again, "-domain", "nodes.example.org", "-key", signingKey,
		"-seq", "5", "-links", link, "-format", "json"}, nil, &stdout, &stderr))
	var zone2 map[string]string
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &zone2))
	require.Equal(t, zone, zone2, "same nodes, links and seq give the same records")
}

func writeKey(t *testing.T, dir string) string {
	p := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(p, []byte(signingKey+"\n"), 0o600))
	return p
}

func TestUsage(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"no domain", []string{"-key", signingKey}},
		{"no key", []string{"-domain", "x.org"}},
		{"bad format", []string{"-domain", "x.org", "-key", signingKey, "-format", "yaml"}},
		{"bad link", []string{"-domain", "x.org", "-key", signingKey, "-links", "enrtree://bad@x"}},
		{"bad resolve URL", []string{"-resolve", "https://x.org"}},
		{"bad key", []string{"-domain", "x.org", "-key", "zz"}},
		{"bad domain", []string{"-domain", "x..org", "-key", signingKey}},
		{"extra args", []string{"-resolve", "enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@n", "x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), tt.args, strings.NewReader(""), &out, &errb)
			require.True(t, errors.As(err, new(usageError)), "%v", err)
		})
	}
}

func TestBadInput(t *testing.T) {
	for name, input := range map[string]string{
		"not json":   "{",
		"bad record": `{"enr":"enr:-----"}`,
		"long line":  `{"enr":"` + strings.Repeat("a", maxLineSize) + `"}`,
	} {
		t.Run(name, func(t *testing.T) {
			var out, errb bytes.Buffer
			err := run(context.Background(), []string{"-domain", "x.org", "-key", signingKey}, strings.NewReader(input+"\n"), &out, &errb)
			require.Error(t, err)
			require.False(t, errors.As(err, new(usageError)))
		})
	}
}
