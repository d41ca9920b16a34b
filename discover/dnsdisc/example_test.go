package dnsdisc_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net/netip"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/dnsdisc"
	"github.com/devp2p-go/devp2p/discover/enr"
)

// zone is a Resolver serving TXT records from a map, standing in for DNS.
type zone map[string]string

func (z zone) LookupTXT(_ context.Context, name string) ([]string, error) {
	if text, ok := z[name]; ok {
		return []string{text}, nil
	}
	return nil, fmt.Errorf("%s: not found", name)
}

func key(seed string) *secp256k1.PrivateKey {
	h := sha256.Sum256([]byte(seed))
	return secp256k1.PrivKeyFromBytes(h[:])
}

// Example publishes a tree of three nodes and reads it back.
func Example() {
	var nodes []*discover.Node
	for i := range 3 {
		var r enr.Record
		r.SetIP(netip.AddrFrom4([4]byte{127, 0, 0, byte(i + 1)}))
		r.SetTCP(30303)
		r.SetUDP(30303)
		if err := r.SignV4(key(fmt.Sprint("node", i))); err != nil {
			panic(err)
		}
		n, err := discover.NewNode(&r)
		if err != nil {
			panic(err)
		}
		nodes = append(nodes, n)
	}

	// Publish: build, sign, and write the TXT records.
	tree, err := dnsdisc.MakeTree(1, nodes, nil)
	if err != nil {
		panic(err)
	}
	url, err := tree.Sign(key("tree"), "nodes.example.org")
	if err != nil {
		panic(err)
	}
	records := zone(tree.TXT("nodes.example.org"))
	fmt.Println(len(records), "TXT records")

	// Read: a client on a resolver (net.DefaultResolver by default).
	client, err := dnsdisc.New(dnsdisc.Config{Resolver: records})
	if err != nil {
		panic(err)
	}
	synced, err := client.SyncTree(context.Background(), url)
	if err != nil {
		panic(err)
	}
	for _, n := range synced.Nodes() {
		fmt.Println(n.IP(), n.TCP())
	}

	// Or iterate, the way the dial scheduler consumes nodes.
	it, err := client.NewIterator(url)
	if err != nil {
		panic(err)
	}
	defer it.Close()
	fmt.Println(len(discover.ReadNodes(it, 3)), "nodes from the iterator")
	// Output:
	// 6 TXT records
	// 127.0.0.1 30303
	// 127.0.0.2 30303
	// 127.0.0.3 30303
	// 3 nodes from the iterator
}
