package server

import (
	"fmt"
	"net/netip"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
)

// LocalNode returns the server's node record (EIP-778) once Start has made
// it, or nil before. Embedders may set and delete their own entries on it
// and read the current signed record with its Node method; every change
// bumps the sequence number, which discovery announces in its pings and
// pongs so that peers fetch the new version (EIP-868). The server itself
// keeps "ip", "ip6", "tcp" and "udp" current (listener, NAT, peers'
// statements); entries a Protocol declares in its ENR field are set at
// Start.
func (srv *Server) LocalNode() *discover.LocalNode {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.localNode
}

// recordWithoutDiscovery is our record when discovery is off: the
// listener's endpoint, with the TCP port as UDP port by convention.
func recordWithoutDiscovery(key *secp256k1.PrivateKey, tcp netip.AddrPort) *discover.LocalNode {
	ln := discover.NewLocalNode(key, nil)
	ln.SetIP(advertisedIP(tcp.Addr()))
	ln.SetTCP(tcp.Port())
	ln.SetUDP(tcp.Port())
	return ln
}

// setProtocolEntries puts the entries the protocols declare into our
// record. Called by Start with mu held.
func (srv *Server) setProtocolEntries() error {
	for _, p := range srv.cfg.Protocols {
		for _, e := range p.ENR {
			if err := srv.localNode.Set(e.Key, e.Value); err != nil {
				return fmt.Errorf("server: protocol %s/%d: record entry %q: %w", p.Name, p.Version, e.Key, err)
			}
		}
	}
	return nil
}
