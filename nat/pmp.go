package nat

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"time"
)

// NAT-PMP, RFC 6886. Requests go by UDP to the gateway's port 5351; every
// answer starts with version 0, the request's opcode plus 128 and a 16-bit
// result code.
const (
	pmpPort       = 5351
	pmpOpExternal = 0
	pmpOpUDP      = 1
	pmpOpTCP      = 2

	pmpExternalAnswerLen = 12 // RFC 6886 §3.2
	pmpMapAnswerLen      = 16 // RFC 6886 §3.3

	// pmpFirstRetry is the initial retransmission interval (RFC 6886
	// §3.1: 250 ms, doubling each time). The RFC allows 9 tries; we stop
	// at pmpMaxTries (~3.75 s) or when the context ends, whichever is first.
	pmpFirstRetry = 250 * time.Millisecond
	pmpMaxTries   = 4
)

// PMPError is a non-zero NAT-PMP result code (RFC 6886 §3.5): 1
// unsupported version, 2 refused, 3 network failure, 4 out of resources,
// 5 unsupported opcode.
type PMPError struct {
	Code uint16 // the result code from the gateway's response, as received
}

// Error names the result code.
func (e *PMPError) Error() string {
	names := [...]string{1: "unsupported version", 2: "not authorized/refused", 3: "network failure", 4: "out of resources", 5: "unsupported opcode"}
	if int(e.Code) < len(names) && names[e.Code] != "" {
		return fmt.Sprintf("nat: NAT-PMP result %d (%s)", e.Code, names[e.Code])
	}
	return fmt.Sprintf("nat: NAT-PMP result %d", e.Code)
}

// PMP talks NAT-PMP to one gateway.
type PMP struct {
	gw netip.AddrPort
}

// NewPMP returns a NAT-PMP client for the gateway at ip (port 5351). It
// sends nothing until a method is called.
func NewPMP(gateway netip.Addr) *PMP {
	return &PMP{gw: netip.AddrPortFrom(gateway.Unmap(), pmpPort)}
}

// String returns "NAT-PMP (<gateway>)".
func (p *PMP) String() string { return "NAT-PMP (" + p.gw.Addr().String() + ")" }

// ExternalIP asks the gateway for its external address (RFC 6886 §3.2).
func (p *PMP) ExternalIP(ctx context.Context) (netip.Addr, error) {
	ans, err := p.request(ctx, []byte{0, pmpOpExternal}, pmpExternalAnswerLen, nil)
	if err != nil {
		return netip.Addr{}, err
	}
	return checkPublic(netip.AddrFrom4([4]byte(ans[8:12])))
}

// Map asks for a mapping (RFC 6886 §3.3). The gateway may grant another
// external port and a shorter lifetime; both are returned.
func (p *PMP) Map(ctx context.Context, proto Protocol, internal, ext uint16, lifetime time.Duration, _ string) (Mapping, error) {
	op, err := pmpOp(proto)
	if err != nil {
		return Mapping{}, err
	}
	if lifetime <= 0 {
		lifetime = DefaultLifetime
	}
	secs := uint32(min(lifetime/time.Second, 1<<32-1))
	ans, err := p.request(ctx, pmpMapRequest(op, internal, ext, secs), pmpMapAnswerLen, func(a []byte) bool {
		return binary.BigEndian.Uint16(a[8:10]) == internal
	})
	if err != nil {
		return Mapping{}, err
	}
	m := Mapping{
		Protocol:     proto,
		InternalPort: internal,
		ExternalPort: binary.BigEndian.Uint16(ans[10:12]),
		Lifetime:     time.Duration(binary.BigEndian.Uint32(ans[12:16])) * time.Second,
	}
	if m.ExternalPort == 0 || m.Lifetime == 0 {
		return Mapping{}, fmt.Errorf("%w: NAT-PMP granted port %d for %v", ErrMalformed, m.ExternalPort, m.Lifetime)
	}
	return m, nil
}

// Unmap deletes the mapping: a request with lifetime 0 and suggested
// external port 0 (RFC 6886 §3.4).
func (p *PMP) Unmap(ctx context.Context, m Mapping) error {
	op, err := pmpOp(m.Protocol)
	if err != nil {
		return err
	}
	_, err = p.request(ctx, pmpMapRequest(op, m.InternalPort, 0, 0), pmpMapAnswerLen, func(a []byte) bool {
		return binary.BigEndian.Uint16(a[8:10]) == m.InternalPort
	})
	return err
}

func pmpOp(proto Protocol) (byte, error) {
	switch proto {
	case UDP:
		return pmpOpUDP, nil
	case TCP:
		return pmpOpTCP, nil
	}
	return 0, fmt.Errorf("nat: unknown protocol %q", proto)
}

func pmpMapRequest(op byte, internal, ext uint16, lifetime uint32) []byte {
	req := make([]byte, 12)
	req[1] = op
	binary.BigEndian.PutUint16(req[4:], internal)
	binary.BigEndian.PutUint16(req[6:], ext)
	binary.BigEndian.PutUint32(req[8:], lifetime)
	return req
}

// request sends req to the gateway, retransmitting with doubling
// intervals, until an answer to it arrives or ctx ends. An answer must
// come from the gateway's address (the socket is connected), carry version
// 0 and opcode req[1]+128, be at least size bytes and satisfy match (if
// not nil); datagrams that are not such an answer are ignored. A non-zero
// result code is returned as *PMPError.
func (p *PMP) request(ctx context.Context, req []byte, size int, match func([]byte) bool) ([]byte, error) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp4", p.gw.String())
	if err != nil {
		return nil, fmt.Errorf("nat: NAT-PMP: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()

	buf := make([]byte, 64) // answers are 12 or 16 bytes; more is ignored
	wait := pmpFirstRetry
	var lastErr error
	for try := 0; try < pmpMaxTries; try++ {
		if _, err := conn.Write(req); err != nil {
			lastErr = err // e.g. ICMP port unreachable from an earlier try
		}
		deadline := time.Now().Add(wait)
		if dl, ok := ctx.Deadline(); ok && dl.Before(deadline) {
			deadline = dl
		}
		conn.SetReadDeadline(deadline)
		if ctxErr(ctx) != nil { // after setting: the AfterFunc may have run before
			break
		}
		for {
			n, err := conn.Read(buf)
			if err != nil {
				var ne net.Error
				if !errors.As(err, &ne) || !ne.Timeout() {
					lastErr = err
				}
				break
			}
			ans := buf[:n]
			err = checkPMPAnswer(ans, req[1], size)
			var pe *PMPError
			switch {
			case errors.As(err, &pe):
				return nil, err
			case err != nil:
				lastErr = err
				continue
			case match != nil && !match(ans):
				continue
			}
			return ans, nil
		}
		if ctxErr(ctx) != nil {
			break
		}
		wait *= 2
	}
	if err := ctxErr(ctx); err != nil {
		if lastErr != nil {
			return nil, fmt.Errorf("nat: NAT-PMP %v: %w (last answer: %w)", p.gw, err, lastErr)
		}
		return nil, fmt.Errorf("nat: NAT-PMP %v: %w", p.gw, err)
	}
	if lastErr != nil {
		return nil, fmt.Errorf("nat: NAT-PMP %v: no valid answer: %w", p.gw, lastErr)
	}
	return nil, fmt.Errorf("nat: NAT-PMP %v: %w", p.gw, ErrNoGateway)
}

// checkPMPAnswer checks the header of an answer to a request with opcode
// op (RFC 6886 §3.2–3.5): version 0, opcode op+128, result code 0 (else
// *PMPError), and at least size bytes.
func checkPMPAnswer(ans []byte, op byte, size int) error {
	if len(ans) < 4 || ans[0] != 0 || ans[1] != op+128 {
		return fmt.Errorf("%w: NAT-PMP answer % x", ErrMalformed, ans[:min(len(ans), 4)])
	}
	if code := binary.BigEndian.Uint16(ans[2:4]); code != 0 {
		return &PMPError{Code: code}
	}
	if len(ans) < size {
		return fmt.Errorf("%w: NAT-PMP answer of %d bytes, want %d", ErrMalformed, len(ans), size)
	}
	return nil
}

// discoverPMP finds a NAT-PMP gateway among the guesses: the .1 address of
// each private IPv4 network we are on (the usual home-router address, as
// go-ethereum guesses too). All are asked at once; the first to report an
// external address wins.
func discoverPMP(ctx context.Context) (Interface, error) {
	gws := guessGateways()
	if len(gws) == 0 {
		return nil, fmt.Errorf("%w: no private IPv4 network to guess a NAT-PMP gateway in", ErrNoGateway)
	}
	cands := make([]func(context.Context) (Interface, error), len(gws))
	for i, gw := range gws {
		cands[i] = func(ctx context.Context) (Interface, error) {
			p := NewPMP(gw)
			if _, err := p.ExternalIP(ctx); err != nil && !errors.Is(err, ErrNotPublic) {
				return nil, err
			}
			return p, nil
		}
	}
	return race(ctx, cands...)
}

// guessGateways returns x.y.z.1 for each private IPv4 interface address.
func guessGateways() []netip.Addr {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil
	}
	var gws []netip.Addr
	for _, a := range addrs {
		pfx, err := netip.ParsePrefix(a.String())
		if err != nil {
			continue
		}
		ip := pfx.Addr().Unmap()
		if !ip.Is4() || !ip.IsPrivate() {
			continue
		}
		b := ip.As4()
		b[3] = 1
		if gw := netip.AddrFrom4(b); gw != ip {
			gws = append(gws, gw)
		}
	}
	return gws
}

// parsePMPGateway parses the <gateway> of "pmp:<gateway>".
func parsePMPGateway(s string) (netip.Addr, error) {
	ip, err := netip.ParseAddr(s)
	if err != nil || !ip.Unmap().Is4() {
		return netip.Addr{}, fmt.Errorf("%w: NAT-PMP gateway %s is not an IPv4 address", ErrInvalidSpec, strconv.Quote(s))
	}
	return ip.Unmap(), nil
}
