package discover_test

import (
	"context"
	"fmt"
	"net"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
)

// ExampleListen starts two discovery nodes on loopback, lets the second
// bootstrap from the first, and pings the first.
func ExampleListen() {
	start := func(boot []*discover.Node) *discover.UDPv4 {
		conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			panic(err)
		}
		key, _ := secp256k1.GeneratePrivateKey()
		node, err := discover.Listen(conn, key, discover.Config{Bootnodes: boot})
		if err != nil {
			panic(err)
		}
		return node
	}
	a := start(nil)
	defer a.Close()
	b := start([]*discover.Node{a.Self()})
	defer b.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := b.Ping(ctx, a.Self()); err != nil {
		fmt.Println("ping failed:", err)
		return
	}
	fmt.Println("pong from", a.Self().IP())
	// Output: pong from 127.0.0.1
}
