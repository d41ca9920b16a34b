package server

import (
	"context"
	"fmt"
	"net"
	"net/netip"

	"github.com/devp2p-go/devp2p/dial"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
)

// startDiscovery opens the node database, our local record and the discv4
// endpoint. tcp is the address the listener got; its host and port are the
// default UDP address. ctx bounds resolving it. Called by Start with mu
// held.
func (srv *Server) startDiscovery(ctx context.Context, tcp netip.AddrPort) error {
	addr := srv.cfg.DiscoveryAddr
	if addr == "" {
		addr = tcp.String()
	}
	var lc net.ListenConfig
	pc, err := lc.ListenPacket(ctx, "udp", addr)
	if err != nil {
		return fmt.Errorf("server: discovery: %w", err)
	}
	conn := pc.(*net.UDPConn)
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
	dcfg.V5.Enable = srv.cfg.DiscoveryV5
	dcfg.V5.Bootnodes = srv.cfg.BootstrapNodesV5
	var (
		disc  *discover.UDPv4
		disc5 *discover.UDPv5
	)
	if srv.cfg.NoDiscoveryV4 {
		disc5, err = discover.ListenV5(conn, srv.cfg.PrivateKey, dcfg)
	} else if disc, err = discover.Listen(conn, srv.cfg.PrivateKey, dcfg); err == nil {
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

// resolver returns what looks up fresh records of static nodes: discv4
// when it runs, else discv5, else nil.
func (srv *Server) resolver() dial.Resolver {
	switch {
	case srv.disc != nil:
		return srv.disc
	case srv.disc5 != nil:
		return srv.disc5
	}
	return nil
}

// advertised returns the node we advertise: the current version of our
// record once Start made it, otherwise (before Start) an enode built from
// the key and the configured address, with the TCP port also as UDP port
// (the convention when there is no discport).
func (srv *Server) advertised(tcp netip.AddrPort) *discover.Node {
	if srv.localNode != nil {
		return srv.localNode.Node()
	}
	return discover.NewV4(ethcrypto.PubkeyOf(srv.cfg.PrivateKey), advertisedIP(tcp.Addr()), tcp.Port(), tcp.Port())
}

// boundAddr is the address the listener got, with an unspecified IP
// replaced by the unspecified IP of the family configured. Go reports a
// listener on 0.0.0.0 or on all interfaces ("":port) as [::] (one
// dual-stack socket), which would make us advertise IPv6 for an IPv4
// setting.
func boundAddr(configured string, bound netip.AddrPort) netip.AddrPort {
	if !bound.Addr().IsUnspecified() {
		return bound
	}
	return netip.AddrPortFrom(configuredAddr(configured).Addr(), bound.Port())
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
