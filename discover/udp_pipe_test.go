package discover

import (
	"net"
	"net/netip"
	"sync"
)

// pipeNet is an in-memory packet network: conns attach at any address and
// exchange datagrams through buffered channels. Datagrams to unknown
// addresses, or to a full inbox, are dropped as UDP would.
type pipeNet struct {
	mu    sync.Mutex
	conns map[netip.AddrPort]*pipeConn
}

func newPipeNet() *pipeNet { return &pipeNet{conns: make(map[netip.AddrPort]*pipeConn)} }

type pipePacket struct {
	from netip.AddrPort
	data []byte
}

type pipeConn struct {
	net       *pipeNet
	addr      netip.AddrPort
	in        chan pipePacket
	closed    chan struct{}
	closeOnce sync.Once
}

// listen attaches a conn at addr ("127.0.0.1:30303").
func (pn *pipeNet) listen(addr string) *pipeConn {
	ap := netip.MustParseAddrPort(addr)
	c := &pipeConn{net: pn, addr: ap, in: make(chan pipePacket, 512), closed: make(chan struct{})}
	pn.mu.Lock()
	defer pn.mu.Unlock()
	pn.conns[ap] = c
	return c
}

func (c *pipeConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	select {
	case p := <-c.in:
		return copy(b, p.data), p.from, nil
	case <-c.closed:
		return 0, netip.AddrPort{}, net.ErrClosed
	}
}

func (c *pipeConn) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	select {
	case <-c.closed:
		return 0, net.ErrClosed
	default:
	}
	c.net.mu.Lock()
	dst := c.net.conns[to]
	c.net.mu.Unlock()
	if dst == nil {
		return len(b), nil
	}
	select {
	case dst.in <- pipePacket{from: c.addr, data: append([]byte(nil), b...)}:
	default:
	}
	return len(b), nil
}

func (c *pipeConn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.net.mu.Lock()
		if c.net.conns[c.addr] == c {
			delete(c.net.conns, c.addr)
		}
		c.net.mu.Unlock()
	})
	return nil
}

func (c *pipeConn) LocalAddr() net.Addr { return net.UDPAddrFromAddrPort(c.addr) }
