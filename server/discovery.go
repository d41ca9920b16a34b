package server

import (
	"context"
	"errors"
	"net/netip"

	"github.com/devp2p-go/devp2p/discover"
)

// discovery is what the server uses of the discv4 endpoint.
type discovery interface {
	Self() *discover.Node
	Resolve(ctx context.Context, n *discover.Node) *discover.Node
	Close()
}

// startDiscovery: TEMPORARY until package discover's UDP endpoint lands.
func (srv *Server) startDiscovery(tcp netip.AddrPort) error {
	return errors.New("server: discovery not available yet; set NoDiscovery")
}

func (srv *Server) advertised(tcp netip.AddrPort) *discover.Node {
	ip := tcp.Addr().Unmap()
	if ip.IsUnspecified() {
		if ip.Is4() {
			ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		} else {
			ip = netip.IPv6Loopback()
		}
	}
	return discover.NewV4(srv.cfg.PrivateKey.PubKey(), ip, tcp.Port(), tcp.Port())
}
