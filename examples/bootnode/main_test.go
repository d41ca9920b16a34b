package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

// TestBootnode builds the program, runs it on loopback with a key file,
// checks the enode URL on its first line, pings it, and stops it with
// SIGINT.
func TestBootnode(t *testing.T) {
	dir := t.TempDir()
	const keyHex = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"
	keyFile := filepath.Join(dir, "nodekey")
	if err := os.WriteFile(keyFile, []byte(keyHex+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := startBootnode(t, "-keyfile", keyFile, "-addr", "127.0.0.1:0", "-nodedb", filepath.Join(dir, "db"))
	first := p.Next(t)
	if !strings.HasPrefix(first, "enode://") {
		t.Fatalf("first line %q is not an enode URL", first)
	}
	n, err := discover.ParseNode(first)
	if err != nil {
		t.Fatalf("parse %q: %v", first, err)
	}
	b, _ := hex.DecodeString(keyHex)
	want := nodeid.FromPubkey(secp256k1.PrivKeyFromBytes(b).PubKey())
	if n.ID() != want {
		t.Fatalf("node ID %v, want the key file's %v", n.ID(), want)
	}
	if n.IP().String() != "127.0.0.1" || n.UDP() == 0 {
		t.Fatalf("endpoint %v, want 127.0.0.1 with a port", n.UDPAddr())
	}

	// The node answers pings.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ping(t, ctx, n, false); err != nil {
		t.Fatalf("ping bootnode: %v", err)
	}

	p.Interrupt(t)
}

// TestBootnodeNAT runs the command in-process with -nat extip:<ip>: the
// URL it prints carries the external address.
func TestBootnodeNAT(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-nat", "extip:198.51.100.7"}, pw)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	if !sc.Scan() {
		t.Fatal("no output")
	}
	n, err := discover.ParseNode(sc.Text())
	if err != nil {
		t.Fatalf("first line %q: %v", sc.Text(), err)
	}
	if n.IP().String() != "198.51.100.7" || n.UDP() == 0 {
		t.Fatalf("advertised %v, want 198.51.100.7 with the socket's port", n.UDPAddr())
	}
	cancel()
	go io.Copy(io.Discard, pr)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestBootnodeBadNAT(t *testing.T) {
	err := run(context.Background(), []string{"-nat", "bogus"}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "-nat") {
		t.Fatalf("err = %v, want a -nat error", err)
	}
}

// TestBootnodeV5: with -v5 the second line is the enr: record, and the
// node answers discv4 and discv5 pings on the same port.
func TestBootnodeV5(t *testing.T) {
	p := startBootnode(t, "-addr", "127.0.0.1:0", "-v5")
	got := []string{p.Next(t), p.Next(t)}
	if !strings.HasPrefix(got[0], "enode://") || !strings.HasPrefix(got[1], "enr:") {
		t.Fatalf("output %q, want an enode URL then an enr: record", got)
	}
	enode, err := discover.ParseNode(got[0])
	if err != nil {
		t.Fatal(err)
	}
	rec, err := discover.ParseNode(got[1])
	if err != nil {
		t.Fatal(err)
	}
	if rec.ID() != enode.ID() || rec.UDPAddr() != enode.UDPAddr() {
		t.Fatalf("record %v and enode %v differ", rec, enode)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ping(t, ctx, enode, false); err != nil {
		t.Fatalf("discv4 ping: %v", err)
	}
	if err := ping(t, ctx, rec, true); err != nil {
		t.Fatalf("discv5 ping: %v", err)
	}
	p.Interrupt(t)
}
