package discover

import (
	"net/netip"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/discover/discovertest"
)

// pipeNet is discovertest's in-memory packet network for this package's
// tests: conns attach at literal addresses, and a failure to attach fails
// the test.
type pipeNet struct {
	tb  testing.TB
	net discovertest.Network
}

func newPipeNet(tb testing.TB) *pipeNet { return &pipeNet{tb: tb} }

// listen attaches a conn at addr ("127.0.0.1:30303").
func (pn *pipeNet) listen(addr string) *discovertest.Conn {
	pn.tb.Helper()
	c, err := pn.net.Listen(netip.MustParseAddrPort(addr))
	if err != nil {
		pn.tb.Fatal(err)
	}
	return c
}

// readPacket returns the next datagram c receives within timeout, or
// ok == false.
func readPacket(c *discovertest.Conn, timeout time.Duration) (data []byte, from netip.AddrPort, ok bool) {
	c.SetReadDeadline(time.Now().Add(timeout))
	defer c.SetReadDeadline(time.Time{})
	buf := make([]byte, 2048)
	n, from, err := c.ReadFromUDPAddrPort(buf)
	if err != nil {
		return nil, netip.AddrPort{}, false
	}
	return buf[:n], from, true
}
