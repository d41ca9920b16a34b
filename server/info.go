package server

import (
	"encoding/hex"
	"encoding/json"
	"net"
	"slices"
	"strings"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/peer"
)

// PeerInfo describes a connected peer, for admin APIs and logs. It
// marshals to JSON with the ID and public key as hex, addresses as
// "host:port" and ConnectedFor as a duration string such as "1m30s".
type PeerInfo struct {
	ID         nodeid.ID            // keccak256 of Pubkey
	Pubkey     *secp256k1.PublicKey // the static key the peer proved in the RLPx handshake
	Enode      string               // enode:// URL of the node dialled, or of the address an inbound peer came from
	ENR        string               // "enr:…" text of its record when we dialled it from one, else ""
	Name       string               // client name from its Hello, as the peer sent it
	Caps       []peer.Cap           // capabilities it announced
	LocalAddr  net.Addr             // our end of the TCP connection
	RemoteAddr net.Addr             // the peer's end of the TCP connection
	Inbound    bool                 // it dialed us
	Trusted    bool                 // admitted as a trusted node
	Static     bool                 // currently one of our static nodes
	// ConnectedFor is the time since the peer was added, on Config.Clock.
	ConnectedFor time.Duration
	// Protocols has one entry per shared protocol, with its traffic.
	Protocols []ProtocolInfo
}

// MarshalJSON renders the public key as 64 hex bytes (X‖Y), the addresses as
// strings and ConnectedFor as a duration string.
func (pi PeerInfo) MarshalJSON() ([]byte, error) {
	type plain PeerInfo // without this method
	var pub string
	if pi.Pubkey != nil {
		k := pi.Pubkey.SerializeUncompressed()
		pub = hex.EncodeToString(k[1:])
	}
	return json.Marshal(struct {
		plain
		Pubkey       string
		LocalAddr    string
		RemoteAddr   string
		ConnectedFor string
	}{plain(pi), pub, addrString(pi.LocalAddr), addrString(pi.RemoteAddr), pi.ConnectedFor.String()})
}

func addrString(a net.Addr) string {
	if a == nil {
		return ""
	}
	return a.String()
}

// ProtocolInfo is a shared protocol's traffic with one peer, and what the
// protocol's own PeerInfo hook reports.
type ProtocolInfo struct {
	Cap               peer.Cap // the shared capability
	MsgsIn, MsgsOut   uint64   // messages received and sent
	BytesIn, BytesOut uint64   // their wire bytes (after compression and framing)
	Info              any      // Protocol.PeerInfo's result, nil without the hook
}

// Peers returns information on every connected peer, sorted by ID.
func (srv *Server) Peers() []PeerInfo {
	running := srv.peers.running()
	now := srv.clock.Now()
	out := make([]PeerInfo, 0, len(running))
	for _, sp := range running {
		out = append(out, srv.peerInfo(sp, now))
	}
	slices.SortFunc(out, func(a, b PeerInfo) int { return strings.Compare(string(a.ID[:]), string(b.ID[:])) })
	return out
}

func (srv *Server) peerInfo(sp *serverPeer, now time.Time) PeerInfo {
	p := sp.p
	info := PeerInfo{
		ID:           sp.id,
		Pubkey:       p.Pubkey(),
		Enode:        sp.node.URLv4(),
		Name:         p.Name(),
		Caps:         slices.Clone(p.Caps()),
		LocalAddr:    p.LocalAddr(),
		RemoteAddr:   p.RemoteAddr(),
		Inbound:      sp.flags.has(flagInbound),
		Trusted:      sp.flags.has(flagTrusted),
		Static:       srv.isStatic(sp.id),
		ConnectedFor: now.Sub(p.ConnectedAt()),
	}
	if rec := sp.node.Record(); rec != nil {
		info.ENR = rec.String()
	}
	for _, st := range p.Stats() {
		pi := ProtocolInfo{
			Cap:    st.Cap,
			MsgsIn: st.MsgsIn, MsgsOut: st.MsgsOut,
			BytesIn: st.BytesIn, BytesOut: st.BytesOut,
		}
		for _, proto := range srv.cfg.Protocols {
			if proto.Cap() == st.Cap && proto.PeerInfo != nil {
				pi.Info = proto.PeerInfo(sp.id)
			}
		}
		info.Protocols = append(info.Protocols, pi)
	}
	return info
}

// NodeInfo describes the local node.
type NodeInfo struct {
	ID         nodeid.ID // our node ID
	Name       string    // our client name, as sent in Hello (Config.Name)
	Enode      string    // enode:// URL
	ENR        string    // "enr:…" text of our record; empty without discovery
	ListenAddr string    // the TCP address listened on, once started
	// Protocols maps "name/version" to what the protocol's NodeInfo hook
	// reports (nil without the hook).
	Protocols map[string]any
}

// NodeInfo returns information on the local node.
func (srv *Server) NodeInfo() NodeInfo {
	self := srv.Self()
	info := NodeInfo{
		ID:        srv.id,
		Name:      srv.cfg.Name,
		Enode:     self.URLv4(),
		Protocols: make(map[string]any, len(srv.cfg.Protocols)),
	}
	if rec := self.Record(); rec != nil {
		info.ENR = rec.String()
	}
	srv.mu.Lock()
	if srv.listener != nil {
		info.ListenAddr = srv.listener.Addr().String()
	}
	srv.mu.Unlock()
	for _, p := range srv.cfg.Protocols {
		var v any
		if p.NodeInfo != nil {
			v = p.NodeInfo()
		}
		info.Protocols[p.Cap().String()] = v
	}
	return info
}
