package v4wire

import (
	"fmt"
	"net/netip"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlp"
)

// Packet layout and limits.
const (
	// MaxPacketSize is the largest discv4 packet, in bytes (discv4.md).
	MaxPacketSize = 1280
	// MinPacketSize is the smallest possible packet: the 97-byte header
	// (hash and signature) and a type byte (a real body adds at least one
	// more byte).
	MinPacketSize = 98

	// MaxNeighbors is the most nodes one Neighbors packet may carry so that
	// the packet stays within MaxPacketSize even when every entry holds an
	// IPv6 address and full-size ports (see TestMaxNeighbors).
	MaxNeighbors = 12

	hashSize = 32
	sigSize  = ethcrypto.SignatureSize
	headSize = hashSize + sigSize
)

// MinPacketSize is the header and a type byte; this fails to compile if
// the literal above drifts from the layout.
var _ = [1]struct{}{}[MinPacketSize-(headSize+1)]

// Encode signs p with priv and returns the packet and its hash. The hash is
// the token a Pong or ENRResponse will echo back. Encode fails with
// ErrPacketTooBig when the packet exceeds MaxPacketSize, for example a
// Neighbors with more than MaxNeighbors nodes, and with enr.ErrNotSigned
// for an ENRResponse whose record is not signed.
func Encode(priv *secp256k1.PrivateKey, p Packet) (packet []byte, hash [32]byte, err error) {
	if r, ok := p.(*ENRResponse); ok && !r.Record.Signed() {
		return nil, hash, fmt.Errorf("v4wire: ENRRESPONSE: %w", enr.ErrNotSigned)
	}
	buf := make([]byte, headSize, 256)
	buf = append(buf, p.Kind())
	buf = p.appendBody(buf)
	if len(buf) > MaxPacketSize {
		return nil, hash, fmt.Errorf("%w: %s of %d bytes", ErrPacketTooBig, p.Name(), len(buf))
	}
	sighash := ethcrypto.Keccak256(buf[headSize:])
	sig, err := ethcrypto.Sign(priv, sighash[:])
	if err != nil {
		return nil, hash, err
	}
	copy(buf[hashSize:], sig[:])
	hash = ethcrypto.Keccak256(buf[hashSize:])
	copy(buf, hash[:])
	return buf, hash, nil
}

func (p *Ping) appendBody(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst = rlp.AppendUint64(dst, p.Version)
	dst = appendEndpoint(dst, p.From)
	dst = appendEndpoint(dst, p.To)
	dst = rlp.AppendUint64(dst, p.Expiration)
	if p.ENRSeq != 0 {
		dst = rlp.AppendUint64(dst, p.ENRSeq)
	}
	dst = appendRest(dst, p.Rest)
	return rlp.EndList(dst, mark)
}

func (p *Pong) appendBody(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst = appendEndpoint(dst, p.To)
	dst = rlp.AppendBytes(dst, p.ReplyTok[:])
	dst = rlp.AppendUint64(dst, p.Expiration)
	if p.ENRSeq != 0 {
		dst = rlp.AppendUint64(dst, p.ENRSeq)
	}
	dst = appendRest(dst, p.Rest)
	return rlp.EndList(dst, mark)
}

func (p *Findnode) appendBody(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst = rlp.AppendBytes(dst, p.Target[:])
	dst = rlp.AppendUint64(dst, p.Expiration)
	dst = appendRest(dst, p.Rest)
	return rlp.EndList(dst, mark)
}

func (p *Neighbors) appendBody(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst, nodes := rlp.StartList(dst)
	for i := range p.Nodes {
		n := &p.Nodes[i]
		var m int
		dst, m = rlp.StartList(dst)
		dst = appendIP(dst, n.IP)
		dst = rlp.AppendUint64(dst, uint64(n.UDP))
		dst = rlp.AppendUint64(dst, uint64(n.TCP))
		dst = rlp.AppendBytes(dst, n.ID[:])
		dst = rlp.EndList(dst, m)
	}
	dst = rlp.EndList(dst, nodes)
	dst = rlp.AppendUint64(dst, p.Expiration)
	dst = appendRest(dst, p.Rest)
	return rlp.EndList(dst, mark)
}

func (p *ENRRequest) appendBody(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst = rlp.AppendUint64(dst, p.Expiration)
	dst = appendRest(dst, p.Rest)
	return rlp.EndList(dst, mark)
}

// appendBody of an ENRResponse whose record is unsigned writes an empty
// list in its place, which no decoder accepts; Encode refuses such packets
// before getting here.
func (p *ENRResponse) appendBody(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst = rlp.AppendBytes(dst, p.ReplyTok[:])
	if rec, err := p.Record.AppendRLP(dst); err == nil {
		dst = rec
	} else {
		dst = append(dst, 0xc0)
	}
	dst = appendRest(dst, p.Rest)
	return rlp.EndList(dst, mark)
}

func appendEndpoint(dst []byte, e Endpoint) []byte {
	dst, mark := rlp.StartList(dst)
	dst = appendIP(dst, e.IP)
	dst = rlp.AppendUint64(dst, uint64(e.UDP))
	dst = rlp.AppendUint64(dst, uint64(e.TCP))
	return rlp.EndList(dst, mark)
}

// appendIP writes 4 bytes for IPv4 (and IPv4-mapped) addresses, 16 for
// IPv6 and an empty string for the zero Addr.
func appendIP(dst []byte, ip netip.Addr) []byte {
	ip = ip.Unmap()
	switch {
	case ip.Is4():
		a := ip.As4()
		return rlp.AppendBytes(dst, a[:])
	case ip.Is6():
		a := ip.As16()
		return rlp.AppendBytes(dst, a[:])
	default:
		return append(dst, 0x80)
	}
}

func appendRest(dst []byte, rest []rlp.RawValue) []byte {
	for _, v := range rest {
		dst = append(dst, v...)
	}
	return dst
}
