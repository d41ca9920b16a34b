package main

import (
	"context"
	"net"
	"os/exec"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/examples/internal/progtest"
)

// bootnodeBin is the program, built on first use; TestMain removes it.
var bootnodeBin = progtest.NewBinary(".")

// startBootnode starts the program with args; the test's cleanup ends it.
// It skips the test in -short mode.
func startBootnode(t *testing.T, args ...string) *progtest.Program {
	t.Helper()
	return progtest.Start(t, exec.Command(bootnodeBin.Path(t), args...))
}

// ping pings n from a fresh node on loopback, over discv5 if v5 is set and
// over discv4 if not, and returns the ping's error.
func ping(t *testing.T, ctx context.Context, n *discover.Node, v5 bool) error {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := secp256k1.GeneratePrivateKey()
	var client interface {
		Ping(context.Context, *discover.Node) (uint64, error)
		Close()
	}
	if v5 {
		client, err = discover.ListenV5(conn, key, discover.Config{})
	} else {
		client, err = discover.Listen(conn, key, discover.Config{})
	}
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	_, err = client.Ping(ctx, n)
	return err
}
