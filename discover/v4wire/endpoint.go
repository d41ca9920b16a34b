package v4wire

import (
	"encoding/hex"
	"net/netip"
	"strconv"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
)

// Pubkey is a node's public key as sent on the wire: X‖Y without the 0x04
// prefix. It is not validated by the decoder; call Parse before use.
type Pubkey [64]byte

// PubkeyOf returns the wire form of pub.
func PubkeyOf(pub *secp256k1.PublicKey) Pubkey { return Pubkey(ethcrypto.MarshalPubkey(pub)) }

// Parse validates the key (coordinates below p, point on the curve) and
// returns it.
func (k Pubkey) Parse() (*secp256k1.PublicKey, error) { return ethcrypto.UnmarshalPubkey(k[:]) }

// ID returns keccak256(k), the node ID of the key's owner.
func (k Pubkey) ID() [32]byte { return ethcrypto.Keccak256(k[:]) }

// String returns the key as 128 hex characters.
func (k Pubkey) String() string { return hex.EncodeToString(k[:]) }

// Endpoint is a UDP/TCP endpoint: [ip, udp-port, tcp-port]. IP is the zero
// netip.Addr when the packet carried an IP that is neither 4 nor 16 bytes
// long (some clients send an empty one in Ping.From); the zero Addr is
// encoded as an empty string.
type Endpoint struct {
	IP  netip.Addr // the address, IPv4 unmapped; the zero Addr if it was not 4 or 16 bytes
	UDP uint16     // the discovery (UDP) port; 0 if unknown
	TCP uint16     // the RLPx (TCP) port; 0 if the node takes no connections
}

// NewEndpoint makes an Endpoint from a UDP address and a TCP port.
func NewEndpoint(udp netip.AddrPort, tcp uint16) Endpoint {
	return Endpoint{IP: udp.Addr().Unmap().WithZone(""), UDP: udp.Port(), TCP: tcp}
}

// UDPAddr returns the UDP endpoint.
func (e Endpoint) UDPAddr() netip.AddrPort { return netip.AddrPortFrom(e.IP, e.UDP) }

// String returns "ip:udp/tcp", "[ip6]:udp/tcp" or "-:udp/tcp" for an empty IP.
func (e Endpoint) String() string { return endpointString(e.IP, e.UDP, e.TCP) }

// Node is one entry of a Neighbors packet: [ip, udp-port, tcp-port, id].
// As in Endpoint, a malformed IP decodes to the zero Addr; the transport
// must drop such entries. ID is not validated by the decoder.
type Node struct {
	IP  netip.Addr // the node's address; the zero Addr if it was not 4 or 16 bytes
	UDP uint16     // its discovery (UDP) port
	TCP uint16     // its RLPx (TCP) port; 0 if it takes no connections
	ID  Pubkey     // its public key, as received: call Parse before using it
}

// String returns "id-prefix@ip:udp/tcp".
func (n Node) String() string {
	return hex.EncodeToString(n.ID[:4]) + "@" + endpointString(n.IP, n.UDP, n.TCP)
}

func endpointString(ip netip.Addr, udp, tcp uint16) string {
	var host string
	switch {
	case !ip.IsValid():
		host = "-"
	case ip.Is6():
		host = "[" + ip.String() + "]"
	default:
		host = ip.String()
	}
	return host + ":" + strconv.Itoa(int(udp)) + "/" + strconv.Itoa(int(tcp))
}
