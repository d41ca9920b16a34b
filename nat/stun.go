package nat

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// STUN Binding (RFC 8489, which obsoletes RFC 5389 with the same wire
// format): a 20-byte header — type, length of the attributes, the magic
// cookie, a 96-bit transaction ID — followed by TLV attributes padded to 4
// bytes. The success answer carries XOR-MAPPED-ADDRESS (or, from old
// servers, MAPPED-ADDRESS): the address our request came from.
const (
	stunHeaderLen     = 20
	stunMagicCookie   = 0x2112A442
	stunBindingReq    = 0x0001
	stunBindingOK     = 0x0101
	stunAttrMapped    = 0x0001
	stunAttrXORMapped = 0x0020
	// maxSTUNAnswer caps the answer datagram we read; a Binding success
	// answer is under 100 bytes.
	maxSTUNAnswer = 548
	// stunFirstRetry is the first retransmission interval (RFC 8489 §6.2.1
	// suggests an RTO of 500 ms, doubling).
	stunFirstRetry = 500 * time.Millisecond
	stunMaxTries   = 4
)

// STUN learns our external IP from a STUN server. It maps no ports: the
// server sees the ephemeral port of a fresh socket, which says nothing
// about the port our discovery socket gets on a NAT that maps per
// destination.
type STUN struct {
	server string // host:port
}

// NewSTUN returns a STUN client for server ("host:port"; the host is
// resolved at each query).
func NewSTUN(server string) (*STUN, error) {
	if _, _, err := net.SplitHostPort(server); err != nil {
		return nil, fmt.Errorf("%w: STUN server %q: %v", ErrInvalidSpec, server, err)
	}
	return &STUN{server: server}, nil
}

// String returns "stun:<server>".
func (s *STUN) String() string { return "stun:" + s.server }

// Map returns ErrNoMapping.
func (s *STUN) Map(context.Context, Protocol, uint16, uint16, time.Duration, string) (Mapping, error) {
	return Mapping{}, ErrNoMapping
}

// Unmap does nothing.
func (s *STUN) Unmap(context.Context, Mapping) error { return nil }

// ExternalIP sends a Binding request and returns the mapped address's IP.
func (s *STUN) ExternalIP(ctx context.Context) (netip.Addr, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", s.server)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("nat: STUN: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()

	var txid [12]byte
	rand.Read(txid[:])
	req := make([]byte, stunHeaderLen)
	binary.BigEndian.PutUint16(req[0:], stunBindingReq)
	binary.BigEndian.PutUint32(req[4:], stunMagicCookie)
	copy(req[8:], txid[:])

	buf := make([]byte, maxSTUNAnswer+1)
	wait := stunFirstRetry
	lastErr := error(ErrNoGateway)
	for try := 0; try < stunMaxTries && ctxErr(ctx) == nil; try++ {
		conn.Write(req)
		conn.SetReadDeadline(time.Now().Add(wait))
		for ctxErr(ctx) == nil {
			n, err := conn.Read(buf)
			if err != nil {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					lastErr = err
				}
				break
			}
			ap, err := parseSTUNAnswer(buf[:n], txid)
			if errors.Is(err, errSTUNOtherTx) {
				continue
			}
			if err != nil {
				return netip.Addr{}, err
			}
			return checkPublic(ap.Addr())
		}
		wait *= 2
	}
	if err := ctxErr(ctx); err != nil {
		return netip.Addr{}, fmt.Errorf("nat: STUN %s: %w", s.server, err)
	}
	return netip.Addr{}, fmt.Errorf("nat: STUN %s: no answer: %w", s.server, lastErr)
}

// errSTUNOtherTx marks a datagram that is not an answer to our request.
var errSTUNOtherTx = errors.New("nat: STUN answer to another transaction")

// parseSTUNAnswer checks a Binding success answer to transaction txid and
// returns the mapped address it carries.
func parseSTUNAnswer(b []byte, txid [12]byte) (netip.AddrPort, error) {
	bad := func(format string, args ...any) (netip.AddrPort, error) {
		return netip.AddrPort{}, fmt.Errorf("%w: STUN: %s", ErrMalformed, fmt.Sprintf(format, args...))
	}
	if len(b) < stunHeaderLen || binary.BigEndian.Uint32(b[4:8]) != stunMagicCookie || !bytes.Equal(b[8:20], txid[:]) {
		return netip.AddrPort{}, errSTUNOtherTx
	}
	if len(b) > maxSTUNAnswer {
		return bad("answer of %d bytes", len(b))
	}
	if t := binary.BigEndian.Uint16(b[0:2]); t != stunBindingOK {
		return bad("message type %#04x, want Binding success", t)
	}
	attrs := b[stunHeaderLen:]
	if l := int(binary.BigEndian.Uint16(b[2:4])); l != len(attrs) || l%4 != 0 {
		return bad("length %d for %d bytes of attributes", l, len(attrs))
	}
	var mapped netip.AddrPort
	for len(attrs) > 0 {
		if len(attrs) < 4 {
			return bad("truncated attribute")
		}
		typ, l := binary.BigEndian.Uint16(attrs[0:2]), int(binary.BigEndian.Uint16(attrs[2:4]))
		padded := 4 + (l+3)&^3
		if padded > len(attrs) {
			return bad("attribute %#04x of %d bytes overruns the message", typ, l)
		}
		val := attrs[4 : 4+l]
		switch typ {
		case stunAttrXORMapped:
			ap, err := stunAddress(val, true, txid)
			if err != nil {
				return netip.AddrPort{}, err
			}
			return ap, nil // preferred over MAPPED-ADDRESS
		case stunAttrMapped:
			ap, err := stunAddress(val, false, txid)
			if err != nil {
				return netip.AddrPort{}, err
			}
			mapped = ap
		}
		attrs = attrs[padded:]
	}
	if !mapped.IsValid() {
		return bad("no mapped address")
	}
	return mapped, nil
}

// stunAddress decodes a (XOR-)MAPPED-ADDRESS value: reserved byte, family
// (1 IPv4, 2 IPv6), port, address (RFC 8489 §14.1–14.2).
func stunAddress(v []byte, xor bool, txid [12]byte) (netip.AddrPort, error) {
	if len(v) < 4 {
		return netip.AddrPort{}, fmt.Errorf("%w: STUN address of %d bytes", ErrMalformed, len(v))
	}
	var key [16]byte
	if xor {
		binary.BigEndian.PutUint32(key[:4], stunMagicCookie)
		copy(key[4:], txid[:])
	}
	port := binary.BigEndian.Uint16(v[2:4]) ^ binary.BigEndian.Uint16(key[:2])
	ip := v[4:]
	var addr netip.Addr
	switch {
	case v[1] == 1 && len(ip) == 4:
		var a [4]byte
		for i := range a {
			a[i] = ip[i] ^ key[i]
		}
		addr = netip.AddrFrom4(a)
	case v[1] == 2 && len(ip) == 16:
		var a [16]byte
		for i := range a {
			a[i] = ip[i] ^ key[i]
		}
		addr = netip.AddrFrom16(a)
	default:
		return netip.AddrPort{}, fmt.Errorf("%w: STUN address family %d with %d bytes", ErrMalformed, v[1], len(ip))
	}
	return netip.AddrPortFrom(addr, port), nil
}
