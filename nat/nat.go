package nat

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Protocol is the transport of a port mapping.
type Protocol string

// The two transports a devp2p node maps: RLPx on TCP, discovery on UDP.
const (
	TCP Protocol = "TCP"
	UDP Protocol = "UDP"
)

// Defaults used by the implementations when a Config field is zero.
const (
	// DefaultLifetime is the lease the server asks for (go-ethereum uses
	// the same 10 minutes; RFC 6886 recommends 2 h, which leaves a stale
	// mapping behind for longer after a crash).
	DefaultLifetime = 10 * time.Minute
	// DefaultTimeout bounds one discovery or one request to a gateway.
	DefaultTimeout = 3 * time.Second
	// MaxHTTPBody caps every HTTP body read from a UPnP gateway (device
	// description and SOAP answers). Real descriptions are a few KiB.
	MaxHTTPBody = 64 << 10
)

// Errors. Malformed answers from a gateway wrap ErrMalformed; answers that
// report an external address we must not advertise wrap ErrNotPublic.
var (
	// ErrNoMapping is returned by Map of implementations that only learn
	// the external address (extip, STUN): nothing is mapped, the caller
	// keeps its own port.
	ErrNoMapping = errors.New("nat: this method maps no ports")
	// ErrNotPublic means the external address a gateway or STUN server
	// reported is private, loopback, link-local, shared (RFC 6598) or
	// unspecified: behind a second NAT it is not our address on the
	// Internet, so it is never advertised.
	ErrNotPublic = errors.New("nat: external address is not public")
	// ErrMalformed wraps every error about an answer we cannot parse.
	ErrMalformed = errors.New("nat: malformed answer")
	// ErrNoGateway means discovery found no gateway that answered.
	ErrNoGateway = errors.New("nat: no gateway found")
	// ErrBodyTooLarge means an HTTP body exceeded MaxHTTPBody.
	ErrBodyTooLarge = errors.New("nat: HTTP body too large")
	// ErrInvalidSpec is wrapped by Parse errors.
	ErrInvalidSpec = errors.New("nat: invalid spec")
)

// Mapping is a port mapping a gateway granted.
type Mapping struct {
	// Protocol is the transport the mapping forwards, TCP or UDP.
	Protocol Protocol
	// InternalPort is our port on the host the gateway forwards to.
	InternalPort uint16
	// ExternalPort is the port the gateway opened, which may differ from
	// the one asked for.
	ExternalPort uint16
	// Lifetime is the lease granted; renew before it ends. Zero means the
	// gateway only grants permanent mappings (UPnP error 725): the
	// mapping stays until Unmap.
	Lifetime time.Duration
}

// Interface is a way to reach the node from outside: a gateway that maps
// ports, or a fixed or discovered external address. Implementations are
// safe for concurrent use; every method blocks at most until ctx ends.
type Interface interface {
	// Map asks for external port ext to be forwarded to our internal port
	// for the given lifetime, and returns what was granted. Calling it
	// again for the same ports renews the lease. Implementations that map
	// nothing return ErrNoMapping.
	Map(ctx context.Context, proto Protocol, internal, ext uint16, lifetime time.Duration, desc string) (Mapping, error)
	// Unmap removes a mapping made by Map.
	Unmap(ctx context.Context, m Mapping) error
	// ExternalIP returns our address on the far side of the NAT.
	ExternalIP(ctx context.Context) (netip.Addr, error)
	// String names the method, e.g. "UPnP IGDv2 (192.168.1.1)".
	String() string
}

// checkPublic returns ip (unmapped) if it may be advertised as the
// external address a gateway reported, or an error wrapping ErrNotPublic.
func checkPublic(ip netip.Addr) (netip.Addr, error) {
	ip = ip.Unmap()
	if !IsPublic(ip) {
		return netip.Addr{}, fmt.Errorf("%w: %v", ErrNotPublic, ip)
	}
	return ip, nil
}

// sharedSpace is RFC 6598's carrier-grade NAT range, which IsPrivate does
// not include.
var sharedSpace = netip.MustParsePrefix("100.64.0.0/10")

// IsPublic reports whether ip can be our address on the Internet: a global
// unicast address outside the private (RFC 1918, RFC 4193) and shared
// (RFC 6598) ranges.
func IsPublic(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsValid() && ip.IsGlobalUnicast() && !ip.IsPrivate() && !sharedSpace.Contains(ip)
}

// ExtIP is a fixed external address, configured by the operator (for a
// server with a public IP or a manual port forward). It maps nothing.
type ExtIP netip.Addr

// Map returns ErrNoMapping: a fixed address needs no mapping.
func (ExtIP) Map(context.Context, Protocol, uint16, uint16, time.Duration, string) (Mapping, error) {
	return Mapping{}, ErrNoMapping
}

// Unmap does nothing.
func (ExtIP) Unmap(context.Context, Mapping) error { return nil }

// ExternalIP returns the address.
func (e ExtIP) ExternalIP(context.Context) (netip.Addr, error) { return netip.Addr(e), nil }

// String returns "extip:<ip>".
func (e ExtIP) String() string { return "extip:" + netip.Addr(e).String() }

// ctxErr is ctx.Err(), or context.DeadlineExceeded once the deadline has
// passed even if ctx's own timer has not fired yet (a socket deadline set
// from it can fire first).
func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if dl, ok := ctx.Deadline(); ok && !time.Now().Before(dl) {
		return context.DeadlineExceeded
	}
	return nil
}
