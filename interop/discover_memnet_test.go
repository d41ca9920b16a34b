package interop

import (
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// memNet is an in-memory datagram network for discovery benchmarks. Both
// implementations take a UDPConn interface, so ours and go-ethereum's nodes
// run on it unchanged. Every address is 127.0.0.1 with its own port.
// Datagrams to an unknown address or a full inbox are dropped, as UDP would.
type memNet struct {
	mu    sync.Mutex
	conns map[netip.AddrPort]*memConn
	next  uint16
}

func newMemNet() *memNet {
	return &memNet{conns: make(map[netip.AddrPort]*memConn), next: 30000}
}

type memPacket struct {
	from netip.AddrPort
	data []byte
}

type memConn struct {
	net       *memNet
	addr      netip.AddrPort
	in        chan memPacket
	closed    chan struct{}
	closeOnce sync.Once
}

// listen attaches a conn at the next free port of 127.0.0.1.
func (mn *memNet) listen() *memConn {
	mn.mu.Lock()
	defer mn.mu.Unlock()
	ap := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), mn.next)
	mn.next++
	c := &memConn{net: mn, addr: ap, in: make(chan memPacket, 512), closed: make(chan struct{})}
	mn.conns[ap] = c
	return c
}

// deadAddr returns a 127.0.0.1 address nobody listens on.
func (mn *memNet) deadAddr() netip.AddrPort {
	mn.mu.Lock()
	defer mn.mu.Unlock()
	ap := netip.AddrPortFrom(netip.AddrFrom4([4]byte{127, 0, 0, 1}), mn.next)
	mn.next++
	return ap
}

func (c *memConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	select {
	case p := <-c.in:
		return copy(b, p.data), p.from, nil
	case <-c.closed:
		return 0, netip.AddrPort{}, net.ErrClosed
	}
}

func (c *memConn) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
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
	case dst.in <- memPacket{from: c.addr, data: append([]byte(nil), b...)}:
	default:
	}
	return len(b), nil
}

func (c *memConn) Close() error {
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

func (c *memConn) LocalAddr() net.Addr { return net.UDPAddrFromAddrPort(c.addr) }

// countConn counts the datagrams written through it.
type countConn struct {
	*memConn
	sent *atomic.Int64
}

func (c countConn) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	c.sent.Add(1)
	return c.memConn.WriteToUDPAddrPort(b, to)
}
