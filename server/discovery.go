package server

import (
	"context"
	"fmt"
	"net"
	"net/netip"

	"github.com/devp2p-go/devp2p/discover"
)

// startDiscovery opens the node database, our local record and the discv4
// endpoint. tcp is the address the listener got; its host and port are the
// default UDP address. Called by Start with mu held.
func (srv *Server) startDiscovery(tcp netip.AddrPort) error {
	addr := srv.cfg.DiscoveryAddr
	if addr == "" {
		addr = tcp.String()
	}
	uaddr, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return fmt.Errorf("server: discovery address: %w", err)
	}
	conn, err := net.ListenUDP("udp", uaddr)
	if err != nil {
		return fmt.Errorf("server: discovery: %w", err)
	}
	db, err := discover.OpenDB(srv.cfg.NodeDBPath)
	if err != nil {
		conn.Close()
		return fmt.Errorf("server: node database: %w", err)
	}
	ln := discover.NewLocalNode(srv.cfg.PrivateKey, db)
	ln.SetIP(advertisedIP(tcp.Addr()))
	ln.SetTCP(tcp.Port())
	ln.SetUDP(conn.LocalAddr().(*net.UDPAddr).AddrPort().Port())
	dcfg := srv.cfg.Discovery
	dcfg.PrivateKey, dcfg.LocalNode, dcfg.NodeDB = srv.cfg.PrivateKey, ln, db
	dcfg.Bootnodes, dcfg.NetRestrict = srv.cfg.BootstrapNodes, srv.cfg.NetRestrict
	dcfg.Clock, dcfg.Log = srv.clock, srv.log.With("sys", "discover")
	dcfg.V5.Enable, dcfg.V5.Bootnodes = srv.cfg.DiscoveryV5, srv.cfg.BootstrapNodesV5
	var (
		disc  *discover.UDPv4
		disc5 *discover.UDPv5
	)
	if srv.cfg.NoDiscoveryV4 {
		disc5, err = discover.ListenV5(conn, dcfg)
	} else if disc, err = discover.Listen(conn, dcfg); err == nil {
		disc5 = disc.V5()
	}
	if err != nil {
		conn.Close()
		db.Close()
		return fmt.Errorf("server: discovery: %w", err)
	}
	srv.localNode, srv.db, srv.disc, srv.disc5 = ln, db, disc, disc5
	return nil
}

// discoveryIters returns the random-node iterators of the discovery
// protocols that run, merged, and a resolver; nil, nil without discovery.
func (srv *Server) discoveryIters() (discover.Iterator, interface {
	Resolve(context.Context, *discover.Node) *discover.Node
}) {
	switch {
	case srv.disc != nil && srv.disc5 != nil:
		return discover.MergeIters(srv.disc.RandomNodes(), srv.disc5.RandomNodes()), srv.disc
	case srv.disc != nil:
		return srv.disc.RandomNodes(), srv.disc
	case srv.disc5 != nil:
		return srv.disc5.RandomNodes(), srv.disc5
	}
	return nil, nil
}

// advertised returns the node we advertise for our listener's address:
// the signed record when discovery runs, otherwise an enode built from the
// key and address (with the TCP port also as UDP port, the convention when
// there is no discport).
func (srv *Server) advertised(tcp netip.AddrPort) *discover.Node {
	if srv.localNode != nil {
		return srv.localNode.Node()
	}
	return discover.NewV4(srv.cfg.PrivateKey.PubKey(), advertisedIP(tcp.Addr()), tcp.Port(), tcp.Port())
}

// advertisedIP turns an unspecified listen IP (0.0.0.0, ::) into loopback
// of the same family: the only address of ours we know to be reachable
// without asking the network.
func advertisedIP(ip netip.Addr) netip.Addr {
	ip = ip.Unmap()
	switch {
	case ip.Is4() && ip.IsUnspecified():
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	case ip.IsUnspecified():
		return netip.IPv6Loopback()
	}
	return ip
}
