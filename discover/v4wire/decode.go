package v4wire

import (
	"bytes"
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
	pub, err := ethcrypto.Recover(sighash[:], input[hashSize:headSize])
	if err != nil {
		return nil, sender, hash, fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return p, PubkeyOf(pub), hash, nil
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

// Expired reports whether the expiration timestamp ts (Unix seconds) lies
// before now. Timestamps too large for time.Time never expire.
func Expired(ts uint64, now time.Time) bool {
	if ts > math.MaxInt64 {
		return false
	}
	sec := now.Unix()
	return int64(ts) < sec || (int64(ts) == sec && now.Nanosecond() > 0)
}

// body walks the elements of one list in a packet.
type body struct {
	name   string // packet name, for errors
	parent string // the list's field name, "" for the top level
	b      []byte // remaining list content
}

// open splits off the packet's list. Bytes after the list are ignored
// (EIP-8).
func open(name string, b []byte) (body, error) {
	content, _, err := rlp.SplitList(b)
	if err != nil {
		return body{}, fmt.Errorf("%w: %s: %w", ErrMalformed, name, err)
	}
	return body{name: name, b: content}, nil
}

func (d *body) fail(field string, err error) error {
	if d.parent != "" {
		field = d.parent + "." + field
	}
	return fmt.Errorf("%w: %s.%s: %w", ErrMalformed, d.name, field, err)
}

func (d *body) uint64(field string) (uint64, error) {
	if len(d.b) == 0 {
		return 0, d.fail(field, errMissing)
	}
	x, rest, err := rlp.SplitUint64(d.b)
	if err != nil {
		return 0, d.fail(field, err)
	}
	d.b = rest
	return x, nil
}

func (d *body) uint16(field string) (uint16, error) {
	x, err := d.uint64(field)
	if err == nil && x > math.MaxUint16 {
		err = d.fail(field, fmt.Errorf("port %d out of range", x))
	}
	return uint16(x), err
}

// bytes reads a byte string of exactly len(dst) bytes into dst.
func (d *body) bytes(field string, dst []byte) error {
	if len(d.b) == 0 {
		return d.fail(field, errMissing)
	}
	s, rest, err := rlp.SplitString(d.b)
	if err != nil {
		return d.fail(field, err)
	}
	if len(s) != len(dst) {
		return d.fail(field, fmt.Errorf("%d bytes, want %d", len(s), len(dst)))
	}
	copy(dst, s)
	d.b = rest
	return nil
}

// ip reads an address. 4 and 16 bytes make an IPv4 or IPv6 address
// (IPv4-mapped ones are unmapped); any other length, including the empty
// string some clients send in Ping.From, gives the zero Addr. Like
// go-ethereum, which decodes the field as a net.IP of any length, the
// packet is still accepted: the transport checks addresses where they
// matter (relayed Neighbors entries) and ignores them elsewhere.
func (d *body) ip(field string) (netip.Addr, error) {
	if len(d.b) == 0 {
		return netip.Addr{}, d.fail(field, errMissing)
	}
	s, rest, err := rlp.SplitString(d.b)
	if err != nil {
		return netip.Addr{}, d.fail(field, err)
	}
	d.b = rest
	switch len(s) {
	case 4:
		return netip.AddrFrom4([4]byte(s)), nil
	case 16:
		return netip.AddrFrom16([16]byte(s)).Unmap(), nil
	default:
		return netip.Addr{}, nil
	}
}

// list opens a nested list.
func (d *body) list(field string) (body, error) {
	if len(d.b) == 0 {
		return body{}, d.fail(field, errMissing)
	}
	content, rest, err := rlp.SplitList(d.b)
	if err != nil {
		return body{}, d.fail(field, err)
	}
	d.b = rest
	return body{name: d.name, parent: field, b: content}, nil
}

// endpoint reads [ip, udp, tcp, …].
func (d *body) endpoint(field string) (Endpoint, error) {
	l, err := d.list(field)
	if err != nil {
		return Endpoint{}, err
	}
	var e Endpoint
	if e.IP, err = l.ip("ip"); err != nil {
		return e, err
	}
	if e.UDP, err = l.uint16("udp"); err != nil {
		return e, err
	}
	if e.TCP, err = l.uint16("tcp"); err != nil {
		return e, err
	}
	return e, nil // extra elements ignored
}

// enrSeq reads the optional EIP-868 enr-seq leniently: anything but a
// canonical integer leaves the slot to Rest and reports 0 (absent).
func (d *body) enrSeq() uint64 {
	x, rest, err := rlp.SplitUint64(d.b)
	if err != nil || len(d.b) == 0 {
		return 0
	}
	d.b = rest
	return x
}

// rest returns the remaining elements, copied out of the input.
func (d *body) rest() ([]rlp.RawValue, error) {
	if len(d.b) == 0 {
		return nil, nil
	}
	n, err := rlp.CountValues(d.b)
	if err != nil {
		return nil, d.fail("rest", err)
	}
	all := bytes.Clone(d.b)
	out := make([]rlp.RawValue, 0, n)
	for len(all) > 0 {
		_, _, tail, _ := rlp.Split(all) // validated by CountValues
		v := all[:len(all)-len(tail)]
		out = append(out, rlp.RawValue(v[:len(v):len(v)]))
		all = tail
	}
	d.b = nil
	return out, nil
}

var errMissing = errors.New("missing")

func decodePing(b []byte) (*Ping, error) {
	d, err := open("PING", b)
	if err != nil {
		return nil, err
	}
	p := new(Ping)
	if p.Version, err = d.uint64("version"); err != nil {
		return nil, err
	}
	if p.From, err = d.endpoint("from"); err != nil {
		return nil, err
	}
	if p.To, err = d.endpoint("to"); err != nil {
		return nil, err
	}
	if p.Expiration, err = d.uint64("expiration"); err != nil {
		return nil, err
	}
	p.ENRSeq = d.enrSeq()
	if p.Rest, err = d.rest(); err != nil {
		return nil, err
	}
	return p, nil
}

func decodePong(b []byte) (*Pong, error) {
	d, err := open("PONG", b)
	if err != nil {
		return nil, err
	}
	p := new(Pong)
	if p.To, err = d.endpoint("to"); err != nil {
		return nil, err
	}
	if err = d.bytes("reply-token", p.ReplyTok[:]); err != nil {
		return nil, err
	}
	if p.Expiration, err = d.uint64("expiration"); err != nil {
		return nil, err
	}
	p.ENRSeq = d.enrSeq()
	if p.Rest, err = d.rest(); err != nil {
		return nil, err
	}
	return p, nil
}

func decodeFindnode(b []byte) (*Findnode, error) {
	d, err := open("FINDNODE", b)
	if err != nil {
		return nil, err
	}
	p := new(Findnode)
	if err = d.bytes("target", p.Target[:]); err != nil {
		return nil, err
	}
	if p.Expiration, err = d.uint64("expiration"); err != nil {
		return nil, err
	}
	if p.Rest, err = d.rest(); err != nil {
		return nil, err
	}
	return p, nil
}

func decodeNeighbors(b []byte) (*Neighbors, error) {
	d, err := open("NEIGHBORS", b)
	if err != nil {
		return nil, err
	}
	p := new(Neighbors)
	nodes, err := d.list("nodes")
	if err != nil {
		return nil, err
	}
	// Each node takes at least 4 bytes, and the packet is at most 1280, so
	// the count is bounded by the input.
	count, err := rlp.CountValues(nodes.b)
	if err != nil {
		return nil, d.fail("nodes", err)
	}
	p.Nodes = make([]Node, 0, count)
	for len(nodes.b) > 0 {
		l, err := nodes.list("node")
		if err != nil {
			return nil, err
		}
		var n Node
		if n.IP, err = l.ip("ip"); err != nil {
			return nil, err
		}
		if n.UDP, err = l.uint16("udp"); err != nil {
			return nil, err
		}
		if n.TCP, err = l.uint16("tcp"); err != nil {
			return nil, err
		}
		if err = l.bytes("id", n.ID[:]); err != nil {
			return nil, err
		}
		p.Nodes = append(p.Nodes, n)
	}
	if p.Expiration, err = d.uint64("expiration"); err != nil {
		return nil, err
	}
	if p.Rest, err = d.rest(); err != nil {
		return nil, err
	}
	return p, nil
}

func decodeENRRequest(b []byte) (*ENRRequest, error) {
	d, err := open("ENRREQUEST", b)
	if err != nil {
		return nil, err
	}
	p := new(ENRRequest)
	if p.Expiration, err = d.uint64("expiration"); err != nil {
		return nil, err
	}
	if p.Rest, err = d.rest(); err != nil {
		return nil, err
	}
	return p, nil
}

func decodeENRResponse(b []byte) (*ENRResponse, error) {
	d, err := open("ENRRESPONSE", b)
	if err != nil {
		return nil, err
	}
	p := new(ENRResponse)
	if err = d.bytes("reply-token", p.ReplyTok[:]); err != nil {
		return nil, err
	}
	if len(d.b) == 0 {
		return nil, d.fail("record", errMissing)
	}
	_, _, rest, err := rlp.Split(d.b)
	if err != nil {
		return nil, d.fail("record", err)
	}
	rec, err := enr.Decode(d.b[:len(d.b)-len(rest)])
	if err != nil {
		return nil, d.fail("record", err)
	}
	p.Record = *rec
	d.b = rest
	if p.Rest, err = d.rest(); err != nil {
		return nil, err
	}
	return p, nil
}
