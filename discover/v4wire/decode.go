package v4wire

import (
	"crypto/subtle"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlp"
)

// Errors returned by Decode (wrapped; test with errors.Is).
var (
	// ErrPacketTooSmall: shorter than MinPacketSize.
	ErrPacketTooSmall = errors.New("v4wire: packet too small")
	// ErrPacketTooBig: longer than MaxPacketSize (also returned by Encode).
	ErrPacketTooBig = errors.New("v4wire: packet too big")
	// ErrBadHash: the leading hash does not match the packet.
	ErrBadHash = errors.New("v4wire: bad packet hash")
	// ErrBadSignature: no public key can be recovered from the signature.
	ErrBadSignature = errors.New("v4wire: invalid packet signature")
	// ErrUnknownPacket: the type byte is not one of the six known types.
	// Transports drop such packets silently (forward compatibility).
	ErrUnknownPacket = errors.New("v4wire: unknown packet type")
	// ErrMalformed: the body is not the RLP structure its type requires.
	ErrMalformed = errors.New("v4wire: malformed packet")
)

// Decode checks the hash of a received packet, decodes its body and
// recovers the sender's public key from the signature. It returns the
// packet, the sender and the packet hash (the token replies echo back).
//
// Decode does not check the expiration; see Expired. The returned packet
// does not alias input. For an unknown type it returns the hash and an
// error wrapping ErrUnknownPacket, without spending time on the signature.
func Decode(input []byte) (Packet, Pubkey, [32]byte, error) {
	var (
		hash   [32]byte
		sender Pubkey
	)
	if len(input) < MinPacketSize {
		return nil, sender, hash, fmt.Errorf("%w: %d bytes", ErrPacketTooSmall, len(input))
	}
	if len(input) > MaxPacketSize {
		return nil, sender, hash, fmt.Errorf("%w: %d bytes", ErrPacketTooBig, len(input))
	}
	hash = ethcrypto.Keccak256(input[hashSize:])
	if subtle.ConstantTimeCompare(hash[:], input[:hashSize]) != 1 {
		return nil, sender, [32]byte{}, ErrBadHash
	}
	kind, body := input[headSize], input[headSize+1:]

	p, err := decodeBody(kind, body)
	if err != nil {
		return nil, sender, hash, err
	}

	sighash := ethcrypto.Keccak256(input[headSize:])
	pub, err := ethcrypto.RecoverPubkey(sighash[:], input[hashSize:headSize])
	if err != nil {
		return nil, sender, hash, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return p, Pubkey(pub), hash, nil
}

// decodeBody decodes rlp(body) of a packet of the given type.
func decodeBody(kind byte, b []byte) (Packet, error) {
	switch kind {
	case PingPacket:
		return decodePing(b)
	case PongPacket:
		return decodePong(b)
	case FindnodePacket:
		return decodeFindnode(b)
	case NeighborsPacket:
		return decodeNeighbors(b)
	case ENRRequestPacket:
		return decodeENRRequest(b)
	case ENRResponsePacket:
		return decodeENRResponse(b)
	default:
		return nil, fmt.Errorf("%w %#02x", ErrUnknownPacket, kind)
	}
}

// maxUnix is the latest Unix time, in seconds, that time.Time can hold: it
// counts seconds from year 1, 62135596800 s before the Unix epoch.
const maxUnix = math.MaxInt64 - 62135596800

// Expired reports whether the expiration timestamp ts (Unix seconds) lies
// before now. The field is read as a signed Unix time, as go-ethereum reads
// it: a value of 2^63 or more is a negative time, long expired. A value
// beyond what time.Time can hold (after the year 292277026596) is expired
// too, as go-ethereum's conversion wraps it into the past.
func Expired(ts uint64, now time.Time) bool {
	if ts > maxUnix {
		return true
	}
	sec := now.Unix()
	return int64(ts) < sec || (int64(ts) == sec && now.Nanosecond() > 0)
}

// open starts reading the packet's list. Bytes after the list are ignored
// (EIP-8).
func open(b []byte) rlp.ListReader {
	r, _ := rlp.NewListReader(b)
	return r
}

// done returns p, or r's failure wrapped in ErrMalformed.
func done[P Packet](p P, r *rlp.ListReader) (P, error) {
	if err := r.Err(); err != nil {
		var zero P
		return zero, fmt.Errorf("%w: %s: %w", ErrMalformed, p.Name(), err)
	}
	return p, nil
}

// readEndpoint reads [ip, udp, tcp, …]; extra elements are ignored.
func readEndpoint(r *rlp.ListReader, field string) Endpoint {
	r.List(field)
	e := Endpoint{IP: readIP(r, "IP"), UDP: r.Uint16("UDP"), TCP: r.Uint16("TCP")}
	r.End()
	return e
}

// readIP reads an address. 4 and 16 bytes make an IPv4 or IPv6 address
// (IPv4-mapped ones are unmapped); any other length, including the empty
// string some clients send in Ping.From, gives the zero Addr. Like
// go-ethereum, which decodes the field as a net.IP of any length, the
// packet is still accepted: the transport checks addresses where they
// matter (relayed Neighbors entries) and ignores them elsewhere.
func readIP(r *rlp.ListReader, field string) netip.Addr {
	switch s := r.Bytes(field); len(s) {
	case 4:
		return netip.AddrFrom4([4]byte(s))
	case 16:
		return netip.AddrFrom16([16]byte(s)).Unmap()
	default:
		return netip.Addr{}
	}
}

func decodePing(b []byte) (*Ping, error) {
	r := open(b)
	p := new(Ping)
	p.Version = r.Uint64("Version")
	p.From = readEndpoint(&r, "From")
	p.To = readEndpoint(&r, "To")
	p.Expiration = r.Uint64("Expiration")
	// The optional enr-seq (EIP-868) is read leniently: anything but a
	// canonical integer is left to Rest and reads as 0 (absent).
	p.ENRSeq, _ = r.TryUint64()
	p.Rest = r.Rest()
	return done(p, &r)
}

func decodePong(b []byte) (*Pong, error) {
	r := open(b)
	p := new(Pong)
	p.To = readEndpoint(&r, "To")
	r.FixedBytes("ReplyTok", p.ReplyTok[:])
	p.Expiration = r.Uint64("Expiration")
	p.ENRSeq, _ = r.TryUint64()
	p.Rest = r.Rest()
	return done(p, &r)
}

func decodeFindnode(b []byte) (*Findnode, error) {
	r := open(b)
	p := new(Findnode)
	r.FixedBytes("Target", p.Target[:])
	p.Expiration = r.Uint64("Expiration")
	p.Rest = r.Rest()
	return done(p, &r)
}

func decodeNeighbors(b []byte) (*Neighbors, error) {
	r := open(b)
	p := new(Neighbors)
	r.List("Nodes")
	// Each node takes at least 4 bytes, and the packet is at most 1280, so
	// the count is bounded by the input.
	p.Nodes = make([]Node, 0, r.Count())
	for r.More() {
		r.List("")
		n := Node{IP: readIP(&r, "IP"), UDP: r.Uint16("UDP"), TCP: r.Uint16("TCP")}
		r.FixedBytes("ID", n.ID[:])
		r.End()
		p.Nodes = append(p.Nodes, n)
	}
	r.End()
	p.Expiration = r.Uint64("Expiration")
	p.Rest = r.Rest()
	return done(p, &r)
}

func decodeENRRequest(b []byte) (*ENRRequest, error) {
	r := open(b)
	p := new(ENRRequest)
	p.Expiration = r.Uint64("Expiration")
	p.Rest = r.Rest()
	return done(p, &r)
}

func decodeENRResponse(b []byte) (*ENRResponse, error) {
	r := open(b)
	p := new(ENRResponse)
	r.FixedBytes("ReplyTok", p.ReplyTok[:])
	record := r.Raw("Record")
	p.Rest = r.Rest()
	if _, err := done(p, &r); err != nil {
		return nil, err
	}
	rec, err := enr.Decode(record)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: Record: %w", ErrMalformed, p.Name(), err)
	}
	p.Record = *rec
	return p, nil
}
