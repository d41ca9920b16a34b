package discover

import (
	"context"
	"net"
	"net/netip"
)

// One socket for discv4 and discv5, as go-ethereum runs them: discv4 reads
// every datagram, and those it cannot decode (discv5 packets fail its hash
// check or size minimum) are passed to discv5 through a bounded queue that
// drops when full. discv5 writes to the socket directly. Both share the
// table, the node database and the record.

// V5 returns the discv5 node sharing this node's socket, or nil unless
// Config.V5.Enable was set.
func (t *UDPv4) V5() *UDPv5 { return t.v5 }

// attachV5 starts discv5 on t's socket, table, database and record. It
// runs in Listen before the table starts.
func (t *UDPv4) attachV5() error {
	t.unhandled = make(chan v5packet, v5UnhandledQueue)
	sc := &sharedConn{conn: t.conn, in: t.unhandled, closed: make(chan struct{})}
	v5, err := newUDPv5(sc, t.priv, t.cfg)
	if err != nil {
		return err
	}
	v5.db = t.db
	v5.rand = t.rand // one lock around the one generator
	v5.localNode = t.localNode
	v5.predict = t.predict // statements over v4 and v5 count together
	v5.tab = t.tab
	t.tab.net = tableMux{v4: t, v5: v5}
	t.tab.cfg.bootnodes = append(t.tab.cfg.bootnodes, v5.v5.Bootnodes...)
	if err := v5.start(); err != nil {
		return err
	}
	t.v5 = v5
	return nil
}

// passToV5 queues a packet discv4 could not decode for discv5; it is
// dropped when the queue is full. data is copied.
func (t *UDPv4) passToV5(from netip.AddrPort, data []byte) {
	if t.unhandled == nil {
		return
	}
	select {
	case t.unhandled <- v5packet{data: append([]byte(nil), data...), from: from}:
	default:
		t.log.Debug("discover: discv5 queue full, packet dropped", "addr", from)
	}
}

// sharedConn is discv5's view of a socket owned by discv4: reads come from
// discv4's queue, writes go to the socket. Close only stops reads.
type sharedConn struct {
	conn   UDPConn
	in     <-chan v5packet
	closed chan struct{}
}

func (s *sharedConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	select {
	case p := <-s.in:
		return copy(b, p.data), p.from, nil
	case <-s.closed:
		return 0, netip.AddrPort{}, net.ErrClosed
	}
}

func (s *sharedConn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	return s.conn.WriteToUDPAddrPort(b, addr)
}

func (s *sharedConn) Close() error {
	select {
	case <-s.closed:
	default:
		close(s.closed)
	}
	return nil
}

func (s *sharedConn) LocalAddr() net.Addr { return s.conn.LocalAddr() }

// tableMux is the table's network when discv4 and discv5 share it: a node
// is checked over discv4 first and over discv5 when that fails (discv5-only
// nodes, such as consensus clients, never answer discv4); refreshes run the
// lookups of both.
type tableMux struct {
	v4 *UDPv4
	v5 *UDPv5
}

func (m tableMux) ping(ctx context.Context, n *Node) (uint64, error) {
	seq, err := m.v4.ping(ctx, n)
	if err != nil && n.Record() != nil && ctx.Err() == nil {
		seq, err = m.v5.ping(ctx, n)
	}
	return seq, err
}

func (m tableMux) requestENR(ctx context.Context, n *Node) (*Node, error) {
	nn, err := m.v4.requestENR(ctx, n)
	if err != nil && n.Record() != nil && ctx.Err() == nil {
		nn, err = m.v5.requestENR(ctx, n)
	}
	return nn, err
}

func (m tableMux) refreshLookups(ctx context.Context) {
	m.v4.refreshLookups(ctx)
	m.v5.refreshLookups(ctx)
}
