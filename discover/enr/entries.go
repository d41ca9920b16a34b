package enr

import (
	"net/netip"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlp"
)

// The standard keys of EIP-778.
const (
	KeyID        = "id"        // identity scheme name, "v4"
	KeySecp256k1 = "secp256k1" // 33-byte compressed public key
	KeyIP        = "ip"        // 4-byte IPv4 address
	KeyIP6       = "ip6"       // 16-byte IPv6 address
	KeyTCP       = "tcp"       // TCP port (RLPx), big-endian integer
	KeyUDP       = "udp"       // UDP port (discovery)
	KeyTCP6      = "tcp6"      // TCP port for ip6; tcp applies when absent
	KeyUDP6      = "udp6"      // UDP port for ip6; udp applies when absent
)

// SchemeV4 is the name of the only identity scheme, stored under KeyID.
const SchemeV4 = "v4"

// IDScheme returns the value of the "id" entry, or "" when it is absent or
// not a byte string.
func (r *Record) IDScheme() string {
	b, ok := r.bytesValue(KeyID)
	if !ok {
		return ""
	}
	return string(b)
}

// IP4 returns the "ip" entry. ok is false when the entry is absent or is not
// exactly 4 bytes.
func (r *Record) IP4() (ip netip.Addr, ok bool) {
	b, ok := r.bytesValue(KeyIP)
	if !ok || len(b) != 4 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4([4]byte(b)), true
}

// IP6 returns the "ip6" entry. ok is false when the entry is absent or is not
// exactly 16 bytes. An IPv4-mapped address is returned as stored (use Unmap
// if needed).
func (r *Record) IP6() (ip netip.Addr, ok bool) {
	b, ok := r.bytesValue(KeyIP6)
	if !ok || len(b) != 16 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom16([16]byte(b)), true
}

// SetIP stores ip under "ip" if it is an IPv4 (or IPv4-mapped) address and
// under "ip6" otherwise. The zone is dropped. An invalid ip is ignored.
func (r *Record) SetIP(ip netip.Addr) {
	ip = ip.Unmap().WithZone("")
	switch {
	case ip.Is4():
		a := ip.As4()
		r.set(KeyIP, rlp.AppendBytes(nil, a[:]))
	case ip.Is6():
		a := ip.As16()
		r.set(KeyIP6, rlp.AppendBytes(nil, a[:]))
	}
}

// TCP returns the "tcp" entry.
func (r *Record) TCP() (port uint16, ok bool) { return r.port(KeyTCP) }

// UDP returns the "udp" entry.
func (r *Record) UDP() (port uint16, ok bool) { return r.port(KeyUDP) }

// TCP6 returns the "tcp6" entry. It does not fall back to "tcp".
func (r *Record) TCP6() (port uint16, ok bool) { return r.port(KeyTCP6) }

// UDP6 returns the "udp6" entry. It does not fall back to "udp".
func (r *Record) UDP6() (port uint16, ok bool) { return r.port(KeyUDP6) }

// SetTCP stores the "tcp" entry.
func (r *Record) SetTCP(port uint16) { r.set(KeyTCP, rlp.AppendUint64(nil, uint64(port))) }

// SetUDP stores the "udp" entry.
func (r *Record) SetUDP(port uint16) { r.set(KeyUDP, rlp.AppendUint64(nil, uint64(port))) }

// SetTCP6 stores the "tcp6" entry.
func (r *Record) SetTCP6(port uint16) { r.set(KeyTCP6, rlp.AppendUint64(nil, uint64(port))) }

// SetUDP6 stores the "udp6" entry.
func (r *Record) SetUDP6(port uint16) { r.set(KeyUDP6, rlp.AppendUint64(nil, uint64(port))) }

// Pubkey returns the public key in the "secp256k1" entry. For a signed
// record this is the key that made the signature.
func (r *Record) Pubkey() (*secp256k1.PublicKey, error) {
	if r.pub != nil {
		return r.pub, nil
	}
	b, ok := r.bytesValue(KeySecp256k1)
	if !ok {
		return nil, ErrMissingPubkey
	}
	pub, err := ethcrypto.ParseCompressed(b)
	if err != nil {
		return nil, &KeyError{Key: KeySecp256k1, Err: err}
	}
	return pub, nil
}

// NodeID returns keccak256 of the 64-byte public key X‖Y, the node's address
// in the DHT, or the zero ID when the record holds no valid key.
func (r *Record) NodeID() [32]byte {
	pub, err := r.Pubkey()
	if err != nil {
		return [32]byte{}
	}
	key := ethcrypto.MarshalPubkey(pub)
	return ethcrypto.Keccak256(key[:])
}

// bytesValue returns the content of key's value when it is an RLP string.
func (r *Record) bytesValue(key string) ([]byte, bool) {
	v, ok := r.Get(key)
	if !ok {
		return nil, false
	}
	content, rest, err := rlp.SplitString(v)
	if err != nil || len(rest) != 0 {
		return nil, false
	}
	return content, true
}

// port decodes key's value as a 16-bit port number.
func (r *Record) port(key string) (uint16, bool) {
	v, ok := r.Get(key)
	if !ok {
		return 0, false
	}
	x, rest, err := rlp.SplitUint64(v)
	if err != nil || len(rest) != 0 || x > 0xffff {
		return 0, false
	}
	return uint16(x), true
}
