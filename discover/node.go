package discover

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/nodeid"
)

// ErrInvalidNode is wrapped by the errors of NewNode and ParseNode.
var ErrInvalidNode = errors.New("discover: invalid node")

// Node is an immutable description of a remote (or our own) node: its
// identity, its endpoint and, when known, its signed ENR.
//
// A Node is made from a verified record (NewNode), from a public key and an
// endpoint as carried by enode URLs and discv4 Neighbors packets (NewV4), or
// by parsing either text form (ParseNode). Methods never modify it, so a
// *Node may be shared freely between goroutines.
type Node struct {
	id  nodeid.ID
	pub *secp256k1.PublicKey
	rec *enr.Record // nil for nodes without a record

	ip       netip.Addr // invalid for incomplete nodes
	udp, tcp uint16
}

// NewNode makes a Node from a signed "v4" record. The endpoint is taken from
// the record: "ip" with "tcp"/"udp", or "ip6" with "tcp6"/"udp6" (each
// falling back to "tcp"/"udp"). When a record has both families IPv4 is
// preferred, unless the IPv6 address is more widely reachable (global over
// private over link-local over loopback over unspecified), the rule
// go-ethereum uses; multicast addresses are ignored. A record without a
// usable address gives an incomplete node (with the "tcp"/"udp" ports, if
// any).
//
// NewNode keeps its own copy of rec, so the caller may keep using rec.
func NewNode(rec *enr.Record) (*Node, error) {
	if rec == nil || !rec.Signed() {
		return nil, fmt.Errorf("%w: %v", ErrInvalidNode, enr.ErrNotSigned)
	}
	if s := rec.IDScheme(); s != enr.SchemeV4 {
		return nil, fmt.Errorf("%w: %w %q", ErrInvalidNode, enr.ErrUnknownScheme, s)
	}
	pub, err := rec.Pubkey()
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidNode, err)
	}
	n := &Node{id: nodeid.FromPubkey(pub), pub: pub, rec: rec.Clone()}
	ip4, ok4 := rec.IP4()
	ip6, ok6 := rec.IP6()
	ok4 = ok4 && !ip4.IsMulticast()
	ok6 = ok6 && !ip6.IsMulticast()
	if ok6 && (!ok4 || locality(ip6) > locality(ip4)) && !ip6.Is4In6() {
		n.ip = ip6
		n.tcp = portOr(rec.TCP6, rec.TCP)
		n.udp = portOr(rec.UDP6, rec.UDP)
		return n, nil
	}
	switch {
	case ok4 && (!ok6 || locality(ip4) >= locality(ip6)):
		n.ip = ip4
	case ok6:
		n.ip = ip6.Unmap() // IPv4-mapped: an IPv4 address with IPv4 ports
	}
	n.tcp, _ = rec.TCP()
	n.udp, _ = rec.UDP()
	return n, nil
}

// locality ranks how widely reachable an address is, from unspecified (0)
// to global (4).
func locality(ip netip.Addr) int {
	switch {
	case ip.IsUnspecified():
		return 0
	case ip.IsLoopback():
		return 1
	case ip.IsLinkLocalUnicast():
		return 2
	case ip.IsPrivate():
		return 3
	default:
		return 4
	}
}

// portOr returns the first port found.
func portOr(first, fallback func() (uint16, bool)) uint16 {
	if p, ok := first(); ok {
		return p
	}
	p, _ := fallback()
	return p
}

// NewV4 makes a Node without a record from a public key and an endpoint.
// IPv4-mapped addresses are unmapped and zones dropped. An invalid or
// multicast ip gives an incomplete node (see Incomplete), as in
// go-ethereum.
func NewV4(pub *secp256k1.PublicKey, ip netip.Addr, tcp, udp uint16) *Node {
	ip = ip.Unmap().WithZone("")
	if ip.IsMulticast() {
		ip = netip.Addr{}
	}
	return &Node{id: nodeid.FromPubkey(pub), pub: pub, ip: ip, tcp: tcp, udp: udp}
}

// ID returns the node's DHT address, keccak256 of its public key.
func (n *Node) ID() nodeid.ID { return n.id }

// Pubkey returns the node's public key.
func (n *Node) Pubkey() *secp256k1.PublicKey { return n.pub }

// PubkeyBytes returns the 64-byte X‖Y form of the public key used on the
// wire.
func (n *Node) PubkeyBytes() [64]byte { return ethcrypto.MarshalPubkey(n.pub) }

// IP returns the node's IP address; it is invalid (IsValid false) for an
// incomplete node.
func (n *Node) IP() netip.Addr { return n.ip }

// UDP returns the discovery port.
func (n *Node) UDP() uint16 { return n.udp }

// TCP returns the RLPx port.
func (n *Node) TCP() uint16 { return n.tcp }

// UDPAddr returns the discovery endpoint.
func (n *Node) UDPAddr() netip.AddrPort { return netip.AddrPortFrom(n.ip, n.udp) }

// TCPAddr returns the RLPx endpoint.
func (n *Node) TCPAddr() netip.AddrPort { return netip.AddrPortFrom(n.ip, n.tcp) }

// Seq returns the record's sequence number, 0 for a node without a record.
func (n *Node) Seq() uint64 {
	if n.rec == nil {
		return 0
	}
	return n.rec.Seq()
}

// Record returns a copy of the node's signed record, or nil for a node made
// by NewV4 or from an enode URL.
func (n *Node) Record() *enr.Record {
	if n.rec == nil {
		return nil
	}
	return n.rec.Clone()
}

// AppendRecord appends the node's encoded record to dst without copying the
// record first; it returns enr.ErrNotSigned for a node without one.
func (n *Node) AppendRecord(dst []byte) ([]byte, error) {
	if n.rec == nil {
		return dst, enr.ErrNotSigned
	}
	return n.rec.AppendRLP(dst)
}

// Incomplete reports whether the node has no IP address, as for a node
// parsed from a bare public key. Such nodes must be resolved before use.
func (n *Node) Incomplete() bool { return !n.ip.IsValid() }

// String returns the node's record in "enr:" form when it has one, and its
// enode URL otherwise.
func (n *Node) String() string {
	if n.rec != nil {
		return n.rec.String()
	}
	return n.URLv4()
}

// TerminalString returns a short form for logs: the start of the ID and the
// UDP endpoint.
func (n *Node) TerminalString() string {
	if n.Incomplete() {
		return n.id.TerminalString()
	}
	return n.id.TerminalString() + "@" + n.UDPAddr().String()
}
