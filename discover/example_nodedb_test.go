package discover_test

import (
	"fmt"
	"net/netip"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
)

func ExampleLocalNode() {
	key, _ := secp256k1.GeneratePrivateKey()
	ln := discover.NewLocalNode(key, nil)
	ln.SetIP(netip.MustParseAddr("127.0.0.1"))
	ln.SetUDP(30303)
	ln.SetTCP(30303)

	n := ln.Node() // signed once for all three changes
	seq := n.Seq()
	ln.SetUDP(30301)
	fmt.Println(ln.Node().Seq()-seq, ln.Node().UDPAddr())
	// Output: 1 127.0.0.1:30301
}

func ExampleOpenDB() {
	db, err := discover.OpenDB("") // in memory; pass a path to persist
	if err != nil {
		panic(err)
	}
	defer db.Close()

	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	n := discover.MustParseNode("enode://ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f@10.3.58.6:30303")
	db.UpdateNode(n, now)
	db.UpdateLastPongReceived(n.ID(), n.IP(), now)

	seeds := db.QuerySeeds(30, 5*24*time.Hour, now.Add(time.Hour))
	fmt.Println(len(seeds), seeds[0].TCPAddr())
	fmt.Println(db.LastPongReceived(n.ID(), n.IP()).Equal(now))
	// Output:
	// 1 10.3.58.6:30303
	// true
}
