package server

import (
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
	dcfg.LocalNode, dcfg.NodeDB = ln, db
	dcfg.Bootnodes, dcfg.NetRestrict = srv.cfg.BootstrapNodes, srv.cfg.NetRestrict
	if dcfg.Clock == nil {
		dcfg.Clock = srv.clock
	}
	if dcfg.Logger == nil {
		dcfg.Logger = srv.root
	}
	if dcfg.Metrics == nil {
		dcfg.Metrics = srv.metrics.Discovery
	}
	disc, err := discover.Listen(conn, srv.cfg.PrivateKey, dcfg)
	if err != nil {
		conn.Close()
		db.Close()
		return fmt.Errorf("server: discovery: %w", err)
	}
	srv.localNode, srv.db, srv.disc = ln, db, disc
	return nil
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
