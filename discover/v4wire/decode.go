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

// body walks the elements of one list in a packet. The first failure is
// recorded (shared with nested lists) and turns every later read into a
// no-op returning a zero value, so a decoder reads its fields in order and
// checks err once at the end.
type body struct {
	name   string // packet name, for errors
	parent string // the list's field name, "" for the top level
	b      []byte // remaining list content
	err    *error // the first failure in the packet
}

var errMissing = errors.New("missing")

// open splits off the packet's list. Bytes after the list are ignored
// (EIP-8).
func open(name string, b []byte) (*body, error) {
	content, _, err := rlp.SplitList(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrMalformed, name, err)
	}
	return &body{name: name, b: content, err: new(error)}, nil
}

// fail records the failure to read field, unless an earlier one is recorded.
func (d *body) fail(field string, err error) {
	if *d.err != nil {
		return
	}
	if d.parent != "" {
		field = d.parent + "." + field
	}
	*d.err = fmt.Errorf("%w: %s.%s: %w", ErrMalformed, d.name, field, err)
}

// next returns the remaining content, or false after a failure or, with
// field's missing-element failure recorded, at the end of the list.
func (d *body) next(field string) bool {
	if *d.err != nil {
		return false
	}
	if len(d.b) == 0 {
		d.fail(field, errMissing)
		return false
	}
	return true
}

func (d *body) uint64(field string) uint64 {
	if !d.next(field) {
		return 0
	}
	x, rest, err := rlp.SplitUint64(d.b)
	if err != nil {
		d.fail(field, err)
		return 0
	}
	d.b = rest
	return x
}

func (d *body) uint16(field string) uint16 {
	x := d.uint64(field)
	if x > math.MaxUint16 {
		d.fail(field, fmt.Errorf("port %d out of range", x))
		return 0
	}
	return uint16(x)
}

// bytes reads a byte string of exactly len(dst) bytes into dst.
func (d *body) bytes(field string, dst []byte) {
	if !d.next(field) {
		return
	}
	s, rest, err := rlp.SplitString(d.b)
	if err != nil {
		d.fail(field, err)
		return
	}
	if len(s) != len(dst) {
		d.fail(field, fmt.Errorf("%d bytes, want %d", len(s), len(dst)))
		return
	}
	copy(dst, s)
	d.b = rest
}

// ip reads an address. 4 and 16 bytes make an IPv4 or IPv6 address
// (IPv4-mapped ones are unmapped); any other length, including the empty
// string some clients send in Ping.From, gives the zero Addr. Like
// go-ethereum, which decodes the field as a net.IP of any length, the
// packet is still accepted: the transport checks addresses where they
// matter (relayed Neighbors entries) and ignores them elsewhere.
func (d *body) ip(field string) netip.Addr {
	if !d.next(field) {
		return netip.Addr{}
	}
	s, rest, err := rlp.SplitString(d.b)
	if err != nil {
		d.fail(field, err)
		return netip.Addr{}
	}
	d.b = rest
	switch len(s) {
	case 4:
		return netip.AddrFrom4([4]byte(s))
	case 16:
		return netip.AddrFrom16([16]byte(s)).Unmap()
	default:
		return netip.Addr{}
	}
}

// list opens a nested list. After a failure it returns an empty list that
// reads nothing.
func (d *body) list(field string) *body {
	l := &body{name: d.name, parent: field, err: d.err}
	if !d.next(field) {
		return l
	}
	content, rest, err := rlp.SplitList(d.b)
	if err != nil {
		d.fail(field, err)
		return l
	}
	d.b = rest
	l.b = content
	return l
}

// endpoint reads [ip, udp, tcp, …]; extra elements are ignored.
func (d *body) endpoint(field string) Endpoint {
	l := d.list(field)
	return Endpoint{IP: l.ip("ip"), UDP: l.uint16("udp"), TCP: l.uint16("tcp")}
}

// enrSeq reads the optional EIP-868 enr-seq leniently: anything but a
// canonical integer leaves the slot to Rest and reports 0 (absent).
func (d *body) enrSeq() uint64 {
	if *d.err != nil || len(d.b) == 0 {
		return 0
	}
	x, rest, err := rlp.SplitUint64(d.b)
	if err != nil {
		return 0
	}
	d.b = rest
	return x
}

// rest returns the remaining elements, copied out of the input.
func (d *body) rest() []rlp.RawValue {
	if *d.err != nil || len(d.b) == 0 {
		return nil
	}
	n, err := rlp.CountValues(d.b)
	if err != nil {
		d.fail("rest", err)
		return nil
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
	return out
}

// done returns p, or the first failure met while decoding it.
func done[P Packet](p P, d *body) (P, error) {
	if err := *d.err; err != nil {
		var zero P
		return zero, err
	}
	return p, nil
}

func decodePing(b []byte) (*Ping, error) {
	d, err := open("PING", b)
	if err != nil {
		return nil, err
	}
	p := new(Ping)
	p.Version = d.uint64("version")
	p.From = d.endpoint("from")
	p.To = d.endpoint("to")
	p.Expiration = d.uint64("expiration")
	p.ENRSeq = d.enrSeq()
	p.Rest = d.rest()
	return done(p, d)
}

func decodePong(b []byte) (*Pong, error) {
	d, err := open("PONG", b)
	if err != nil {
		return nil, err
	}
	p := new(Pong)
	p.To = d.endpoint("to")
	d.bytes("reply-token", p.ReplyTok[:])
	p.Expiration = d.uint64("expiration")
	p.ENRSeq = d.enrSeq()
	p.Rest = d.rest()
	return done(p, d)
}

func decodeFindnode(b []byte) (*Findnode, error) {
	d, err := open("FINDNODE", b)
	if err != nil {
		return nil, err
	}
	p := new(Findnode)
	d.bytes("target", p.Target[:])
	p.Expiration = d.uint64("expiration")
	p.Rest = d.rest()
	return done(p, d)
}

func decodeNeighbors(b []byte) (*Neighbors, error) {
	d, err := open("NEIGHBORS", b)
	if err != nil {
		return nil, err
	}
	p := new(Neighbors)
	nodes := d.list("nodes")
	// Each node takes at least 4 bytes, and the packet is at most 1280, so
	// the count is bounded by the input.
	count, err := rlp.CountValues(nodes.b)
	if err != nil {
		d.fail("nodes", err)
	}
	p.Nodes = make([]Node, 0, count)
	for len(nodes.b) > 0 && *d.err == nil {
		l := nodes.list("node")
		n := Node{IP: l.ip("ip"), UDP: l.uint16("udp"), TCP: l.uint16("tcp")}
		l.bytes("id", n.ID[:])
		p.Nodes = append(p.Nodes, n)
	}
	p.Expiration = d.uint64("expiration")
	p.Rest = d.rest()
	return done(p, d)
}

func decodeENRRequest(b []byte) (*ENRRequest, error) {
	d, err := open("ENRREQUEST", b)
	if err != nil {
		return nil, err
	}
	p := new(ENRRequest)
	p.Expiration = d.uint64("expiration")
	p.Rest = d.rest()
	return done(p, d)
}

func decodeENRResponse(b []byte) (*ENRResponse, error) {
	d, err := open("ENRRESPONSE", b)
	if err != nil {
		return nil, err
	}
	p := new(ENRResponse)
	d.bytes("reply-token", p.ReplyTok[:])
	if d.next("record") {
		_, _, rest, err := rlp.Split(d.b)
		if err != nil {
			d.fail("record", err)
		} else if rec, err := enr.Decode(d.b[:len(d.b)-len(rest)]); err != nil {
			d.fail("record", err)
		} else {
			p.Record = *rec
			d.b = rest
		}
	}
	p.Rest = d.rest()
	return done(p, d)
}
