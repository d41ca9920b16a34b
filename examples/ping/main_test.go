package main

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/server"
)

// buildPing builds the command into a temporary directory.
func buildPing(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a binary")
	}
	bin := filepath.Join(t.TempDir(), "ping")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// startServer runs one of our servers on loopback with the given protocol
// and reports its peer events on the returned channel.
func startServer(t *testing.T, proto peer.Protocol) (*server.Server, <-chan server.PeerEvent) {
	t.Helper()
	key, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := server.New(server.Config{
		PrivateKey:  key,
		Name:        "devp2p-test-server",
		Protocols:   []peer.Protocol{proto},
		ListenAddr:  "127.0.0.1:0",
		NoDiscovery: true,
		NoDial:      true,
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	events := make(chan server.PeerEvent, 16)
	unsub := srv.SubscribeEvents(events)
	t.Cleanup(func() {
		unsub()
		srv.Close()
	})
	return srv, events
}

// runPing runs the binary and returns its exit code, stdout and stderr.
func runPing(t *testing.T, bin string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee := new(exec.ExitError); errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return code, stdout.String(), stderr.String()
}

// field returns the value of the output line starting with name.
func field(out, name string) string {
	for _, line := range strings.Split(out, "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

func TestPingServer(t *testing.T) {
	bin := buildPing(t)
	srv, events := startServer(t, peer.Protocol{Name: "snap", Version: 1, Length: 8, Run: drain})
	self := srv.Self()

	code, out, errOut := runPing(t, bin, "-timeout", "10s", self.URLv4())
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	checks := map[string]string{
		"node":   self.URLv4(),
		"client": `"devp2p-test-server"`,
		"p2p":    "5",
		"caps":   "snap/1",
		"id":     self.ID().String(),
	}
	for name, want := range checks {
		if got := field(out, name); got != want {
			t.Errorf("%s: %q, want %q\n%s", name, got, want, out)
		}
	}
	rtt, err := time.ParseDuration(field(out, "rtt"))
	if err != nil || rtt <= 0 {
		t.Errorf("rtt line %q is not a positive duration", field(out, "rtt"))
	}

	// The server saw the ping leave with "disconnect requested".
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-events:
			if ev.Type != server.PeerDropped {
				continue
			}
			var de *peer.DisconnectError
			if ev.Reason != peer.DiscRequested || !errors.As(ev.Err, &de) || !de.Remote {
				t.Fatalf("peer dropped with %v (%v), want a remote 'disconnect requested'", ev.Reason, ev.Err)
			}
			return
		case <-timeout:
			t.Fatal("server never reported the peer's drop")
		}
	}
}

func TestPingErrors(t *testing.T) {
	bin := buildPing(t)

	// A port nothing listens on: bind one, note it, close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().(*net.TCPAddr).Port
	l.Close()
	key, _ := secp256k1.GeneratePrivateKey()
	closed := discover.NewV4(key.PubKey(), loopback, uint16(closedPort), uint16(closedPort))

	// A server that shares no capability with ping drops it as useless.
	useless, _ := startServer(t, peer.Protocol{Name: "other", Version: 1, Length: 1, Run: drain})
	// A server behind the key we expect is not the one listening.
	wrongKey := discover.NewV4(key.PubKey(), loopback, useless.Self().TCP(), useless.Self().TCP())

	tests := []struct {
		name     string
		args     []string
		wantCode int
		want     string // in stderr
	}{
		{"refused", []string{closed.URLv4()}, 1, "connection refused"},
		{"useless peer", []string{useless.Self().URLv4()}, 1, "remote disconnected: useless peer"},
		{"wrong key", []string{"-timeout", "3s", wrongKey.URLv4()}, 1, "rlpx handshake"},
		{"no argument", nil, 2, "want exactly one enode URL"},
		{"bad url", []string{"enode://nonsense"}, 2, "invalid node"},
		{"bad caps", []string{"-caps", "eth", closed.URLv4()}, 2, "-caps"},
		{"bad key", []string{"-key", "00", closed.URLv4()}, 2, "invalid node key"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runPing(t, bin, tt.args...)
			if code != tt.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.wantCode, out, errOut)
			}
			if !strings.Contains(errOut, tt.want) {
				t.Fatalf("stderr %q does not mention %q", errOut, tt.want)
			}
			if tt.wantCode == 1 && strings.Count(errOut, "\n") != 1 {
				t.Fatalf("stderr has %d lines, want one:\n%s", strings.Count(errOut, "\n"), errOut)
			}
		})
	}
}

func TestDecodeReason(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want peer.DiscReason
	}{
		{"empty payload", nil, peer.DiscRequested},
		{"empty list", []byte{0xc0}, peer.DiscRequested},
		{"list requested", []byte{0xc1, 0x80}, peer.DiscRequested},
		{"list too many peers", []byte{0xc1, 0x04}, peer.DiscTooManyPeers},
		{"list with extra", []byte{0xc2, 0x03, 0x05}, peer.DiscUselessPeer},
		{"bare", []byte{0x0a}, peer.DiscSelf},
		{"bare zero", []byte{0x80}, peer.DiscRequested},
		{"list subprotocol", []byte{0xc1, 0x10}, peer.DiscSubprotocolError},
		{"too big", []byte{0x82, 0x01, 0x00}, peer.DiscInvalid},
		{"string", []byte{0xc1, 0x81}, peer.DiscInvalid},
		{"non-canonical", []byte{0x81, 0x04}, peer.DiscInvalid},
		{"truncated", []byte{0xc2, 0x04}, peer.DiscInvalid},
		{"oversized", bytes.Repeat([]byte{0xc0}, 64), peer.DiscInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := decodeReason(tt.in); got != tt.want {
				t.Fatalf("decodeReason(%x) = %v, want %v", tt.in, got, tt.want)
			}
		})
	}
}

func FuzzDecodeReason(f *testing.F) {
	for _, seed := range [][]byte{nil, {0xc0}, {0xc1, 0x04}, {0x0a}, {0x82, 0x01, 0x00}, {0xc2, 0x04}} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		r := decodeReason(b)
		if len(b) > maxDisconnectSize && r != peer.DiscInvalid {
			t.Fatalf("oversized payload decoded as %v", r)
		}
		_ = r.String()
	})
}

var loopback = netip.MustParseAddr("127.0.0.1")

// drain is a protocol Run that reads until the peer goes.
func drain(_ *peer.Peer, rw peer.MsgReadWriter) error {
	for {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		msg.Discard()
	}
}

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }
