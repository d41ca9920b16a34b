package interop

import (
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/devp2p-go/devp2p/discover/discovertest"
)

// memNet is discovertest's in-memory datagram network for the discovery
// benchmarks and guard tests. Both implementations take a UDPConn-like
// interface, so ours and go-ethereum's nodes run on it unchanged. Every
// node is at 127.0.0.1 with a port of its own.
type memNet struct {
	tb  testing.TB
	net discovertest.Network
}

func newMemNet(tb testing.TB) *memNet { return &memNet{tb: tb} }

// listen attaches a conn at a fresh port of 127.0.0.1.
func (mn *memNet) listen() *discovertest.Conn {
	mn.tb.Helper()
	c, err := mn.net.Listen(netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), 0))
	if err != nil {
		mn.tb.Fatal(err)
	}
	return c
}

// deadAddr returns a 127.0.0.1 address nobody listens on: ports are never
// handed out twice.
func (mn *memNet) deadAddr() netip.AddrPort {
	c := mn.listen()
	c.Close()
	return c.Addr()
}

// countConn counts the datagrams written through it.
type countConn struct {
	*discovertest.Conn
	sent *atomic.Int64
}

func (c countConn) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	c.sent.Add(1)
	return c.Conn.WriteToUDPAddrPort(b, to)
}
