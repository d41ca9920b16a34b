package dial_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/dial"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

// A scheduler keeps a static node connected. The setup function stands in
// for the server, which would run the RLPx and Hello handshakes on the
// connection before admitting the peer.
func ExampleNew() {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()

	key, _ := secp256k1.GeneratePrivateKey()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	node := discover.NewV4(key.PubKey(), netip.MustParseAddr("127.0.0.1"), port, 0)

	var sched *dial.Scheduler
	admitted := make(chan string, 1)
	setup := func(ctx context.Context, conn net.Conn, n *discover.Node, static bool) error {
		defer conn.Close() // a server would hand conn to the peer instead
		sched.PeerAdded(n.ID(), dial.Static)
		admitted <- fmt.Sprintf("connected to %v, static: %v", n.TCPAddr().Addr(), static)
		return nil
	}
	ourKey, _ := secp256k1.GeneratePrivateKey()
	self := nodeid.FromPubkey(ourKey.PubKey()) // never dialled
	sched, err = dial.New(self, dial.Config{MaxDialedConns: 10}, setup)
	if err != nil {
		panic(err)
	}
	defer sched.Stop()

	sched.AddStatic(node)
	fmt.Println(<-admitted)
	// Output: connected to 127.0.0.1, static: true
}
