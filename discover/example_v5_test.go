package discover_test

import (
	"context"
	"fmt"
	"net/netip"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/discovertest"
	"github.com/devp2p-go/devp2p/nodeid"
)

// ExampleListenV5 starts two discv5 nodes on an in-memory network (package
// discovertest, so no socket is opened): the second bootstraps from the
// first, pings it, and sends it a TALKREQ that the first answers.
func ExampleListenV5() {
	var network discovertest.Network
	start := func(addr string, boot []*discover.Node) *discover.UDPv5 {
		conn, err := network.Listen(netip.MustParseAddrPort(addr))
		if err != nil {
			panic(err)
		}
		key, _ := secp256k1.GeneratePrivateKey()
		node, err := discover.ListenV5(conn, key, discover.Config{V5: discover.V5Config{Bootnodes: boot}})
		if err != nil {
			panic(err)
		}
		return node
	}
	a := start("10.0.0.1:30303", nil)
	defer a.Close()
	a.RegisterTalkHandler("echo", func(id nodeid.ID, from netip.AddrPort, msg []byte) []byte {
		return append([]byte("echo: "), msg...)
	})
	b := start("10.0.0.2:30303", []*discover.Node{a.Self()})
	defer b.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := b.Ping(ctx, a.Self()); err != nil {
		fmt.Println("ping failed:", err)
		return
	}
	fmt.Printf("pong from %v:%d\n", a.Self().IP(), a.Self().UDP())
	resp, err := b.TalkRequest(ctx, a.Self(), "echo", []byte("hello"))
	if err != nil {
		fmt.Println("talk failed:", err)
		return
	}
	fmt.Printf("%s\n", resp)
	// Output:
	// pong from 10.0.0.1:30303
	// echo: hello
}
