package dial

import (
	"encoding/binary"
	"net/netip"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
)

// testKey returns a deterministic private key for index i.
func testKey(i int) *secp256k1.PrivateKey {
	var b [32]byte
	binary.BigEndian.PutUint64(b[24:], uint64(i)+1)
	b[0] = 0x5a
	return secp256k1.PrivKeyFromBytes(b[:])
}

// testNode returns node number i at ip:port.
func testNode(i int, ip string, port uint16) *discover.Node {
	var addr netip.Addr
	if ip != "" {
		addr = netip.MustParseAddr(ip)
	}
	return discover.NewV4(testKey(i).PubKey(), addr, port, port)
}

// nodes returns nodes from..to-1 on 127.0.0.1, each on its own port.
func nodes(from, to int) []*discover.Node {
	var ns []*discover.Node
	for i := from; i < to; i++ {
		ns = append(ns, testNode(i, "127.0.0.1", uint16(30000+i)))
	}
	return ns
}
