package main

import (
	"bufio"
	"context"
	"encoding/hex"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
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
	if testing.Short() {
		t.Skip("builds a binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "bootnode")
	build := exec.Command("go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}

	const keyHex = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"
	keyFile := filepath.Join(dir, "nodekey")
	if err := os.WriteFile(keyFile, []byte(keyHex+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-keyfile", keyFile, "-addr", "127.0.0.1:0", "-nodedb", filepath.Join(dir, "db"))
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()

	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Scan()
		lines <- sc.Text()
		for sc.Scan() {
		}
	}()
	var first string
	select {
	case first = <-lines:
	case <-time.After(30 * time.Second):
		t.Fatal("no output within 30s")
	}
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

	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGINT: %v", err)
	}
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
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "bootnode")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-v5")
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
	var got []string
	for len(got) < 2 {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("output ended after %q", got)
			}
			got = append(got, l)
		case <-time.After(30 * time.Second):
			t.Fatal("no output within 30s")
		}
	}
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
	for _, v5 := range []bool{false, true} {
		conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		key, _ := secp256k1.GeneratePrivateKey()
		cfg := discover.Config{}
		if v5 {
			client, err := discover.ListenV5(conn, key, cfg)
			if err != nil {
				t.Fatal(err)
			}
			_, err = client.Ping(ctx, rec)
			client.Close()
			if err != nil {
				t.Fatalf("discv5 ping: %v", err)
			}
			continue
		}
		client, err := discover.Listen(conn, key, cfg)
		if err != nil {
			t.Fatal(err)
		}
		_, err = client.Ping(ctx, enode)
		client.Close()
		if err != nil {
			t.Fatalf("discv4 ping: %v", err)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit after SIGINT: %v", err)
	}
}
