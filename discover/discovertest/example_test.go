package discovertest_test

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/discovertest"
)

// Two discovery nodes on an in-memory network: the second bootstraps from
// the first and pings it, without a socket.
func Example() {
	var network discovertest.Network
	start := func(addr string, boot []*discover.Node) *discover.UDPv4 {
		conn, err := network.Listen(netip.MustParseAddrPort(addr))
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
	a := start("10.0.0.1:30303", nil)
	defer a.Close()
	b := start("10.0.0.2:30303", []*discover.Node{a.Self()})
	defer b.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := b.Ping(ctx, a.Self()); err != nil {
		fmt.Println("ping failed:", err)
		return
	}
	fmt.Printf("pong from %v:%d\n", a.Self().IP(), a.Self().UDP())
	// Output: pong from 10.0.0.1:30303
}
