// Package netutil holds the IP address checks that discover, dial and server
// share: whether an address is on a local network, whether it is inside an
// allow-list of prefixes, and which source (one host) it counts as for
// per-source limits.
package netutil

import "net/netip"

// IsLAN reports whether ip is a loopback, private (RFC 1918, RFC 4193) or
// link-local address. Such addresses are exempt from the table's IP diversity
// limits and the server's inbound throttle, so that local test networks and
// clusters behind one NAT keep working. IPv4-mapped IPv6 addresses are
// judged as IPv4.
func IsLAN(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
}

// Allowed reports whether ip is inside one of the prefixes of the allow-list
// restrict. An empty list allows every address. IPv4-mapped IPv6 addresses
// are matched as IPv4.
func Allowed(restrict []netip.Prefix, ip netip.Addr) bool {
	if len(restrict) == 0 {
		return true
	}
	ip = ip.Unmap()
	for _, p := range restrict {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// Source returns the source ip counts as in per-source limits: an IPv4
// address itself, and an IPv6 address's /64. A site is commonly given a
// whole /64 (RFC 6177), so keying IPv6 by the full address would let one
// host take any number of shares from fresh addresses. IPv4-mapped IPv6
// addresses count as IPv4, zones are dropped, and an invalid address gives
// the zero Prefix.
func Source(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap().WithZone("")
	bits := 32
	if ip.Is6() {
		bits = 64
	}
	p, _ := ip.Prefix(bits) // the zero Addr gives the zero Prefix
	return p
}
