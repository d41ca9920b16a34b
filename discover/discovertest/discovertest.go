// Package discovertest provides an in-memory datagram network for tests of
// code that runs discovery transports: many nodes in one process, no
// sockets, no ports to collide on, and nothing sent outside the process.
//
// A *Conn has the method set of discover.UDPConn (and of the packet-socket
// interface go-ethereum's discover.ListenV4 takes), so it can be passed to
// discover.Listen directly. The package depends on neither, so discover's
// own tests use it too.
//
// Delivery is like UDP on a quiet link: a datagram to an address nobody
// listens on, or to a conn whose queue of QueueSize datagrams is full, is
// dropped without error; otherwise it arrives whole and in order.
package discovertest

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"sync"
	"time"
)

// QueueSize is how many datagrams a Conn queues before further ones to it
// are dropped.
const QueueSize = 512

// firstPort is where port allocation starts for Listen with port 0.
const firstPort = 30000

// ErrAddrInUse is returned by Listen for an address a conn is attached at.
var ErrAddrInUse = errors.New("discovertest: address already in use")

// Network is an in-memory datagram network. Its zero value is ready to
// use, and it is safe for concurrent use.
type Network struct {
	mu    sync.Mutex
	conns map[netip.AddrPort]*Conn
	next  uint16 // next port Listen tries for port 0, above firstPort
}

// Listen attaches a conn at addr. Port 0 picks a port not used before on
// this network, from 30000 upwards, so an address closed once stays
// unanswered. The address must be valid and not in use.
func (n *Network) Listen(addr netip.AddrPort) (*Conn, error) {
	if !addr.Addr().IsValid() {
		return nil, fmt.Errorf("discovertest: invalid address %v", addr)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.conns == nil {
		n.conns = make(map[netip.AddrPort]*Conn)
	}
	if addr.Port() == 0 {
		for {
			if int(n.next)+firstPort > 0xFFFF {
				return nil, fmt.Errorf("discovertest: no free port on %v", addr.Addr())
			}
			addr = netip.AddrPortFrom(addr.Addr(), firstPort+n.next)
			n.next++
			if n.conns[addr] == nil {
				break
			}
		}
	} else if n.conns[addr] != nil {
		return nil, fmt.Errorf("%w: %v", ErrAddrInUse, addr)
	}
	c := &Conn{net: n, addr: addr, in: make(chan datagram, QueueSize), closed: make(chan struct{})}
	n.conns[addr] = c
	return c, nil
}

func (n *Network) lookup(addr netip.AddrPort) *Conn {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.conns[addr]
}

type datagram struct {
	from netip.AddrPort
	data []byte
}

// Conn is one endpoint of a Network. Its methods are safe for concurrent
// use.
type Conn struct {
	net       *Network
	addr      netip.AddrPort
	in        chan datagram
	closed    chan struct{}
	closeOnce sync.Once

	mu           sync.Mutex
	readDeadline time.Time
}

// ReadFromUDPAddrPort returns the next datagram sent to c, copied into b
// (cut to len(b), as UDP does), and its sender. It blocks until one
// arrives, c is closed (net.ErrClosed) or the read deadline passes (an
// error wrapping os.ErrDeadlineExceeded).
func (c *Conn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	c.mu.Lock()
	deadline := c.readDeadline
	c.mu.Unlock()
	var timeout <-chan time.Time
	if !deadline.IsZero() {
		wait := time.Until(deadline)
		if wait <= 0 {
			select {
			case d := <-c.in:
				return copy(b, d.data), d.from, nil
			default:
				return 0, netip.AddrPort{}, c.opError(os.ErrDeadlineExceeded)
			}
		}
		t := time.NewTimer(wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case d := <-c.in:
		return copy(b, d.data), d.from, nil
	case <-c.closed:
		return 0, netip.AddrPort{}, c.opError(net.ErrClosed)
	case <-timeout:
		return 0, netip.AddrPort{}, c.opError(os.ErrDeadlineExceeded)
	}
}

// WriteToUDPAddrPort sends a copy of b to the conn at addr. A datagram to
// an address nobody listens on, or to a full queue, is dropped without
// error. It fails only once c is closed.
func (c *Conn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	select {
	case <-c.closed:
		return 0, &net.OpError{Op: "write", Net: "udp", Source: c.LocalAddr(), Addr: net.UDPAddrFromAddrPort(addr), Err: net.ErrClosed}
	default:
	}
	if dst := c.net.lookup(addr); dst != nil {
		select {
		case dst.in <- datagram{from: c.addr, data: append([]byte(nil), b...)}:
		default:
		}
	}
	return len(b), nil
}

// SetReadDeadline sets the time after which reads fail; the zero time
// means never. It applies to reads that start after the call, and a
// deadline in the past makes a read return at once unless a datagram is
// queued.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.readDeadline = t
	return nil
}

// Close detaches c from the network and unblocks its reads. Datagrams
// sent to its address afterwards are dropped. Close is idempotent.
func (c *Conn) Close() error {
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

// Addr returns the address c is attached at.
func (c *Conn) Addr() netip.AddrPort { return c.addr }

// LocalAddr returns the address c is attached at, as a *net.UDPAddr.
func (c *Conn) LocalAddr() net.Addr { return net.UDPAddrFromAddrPort(c.addr) }

func (c *Conn) opError(err error) error {
	return &net.OpError{Op: "read", Net: "udp", Source: c.LocalAddr(), Err: err}
}
