// Package netutil holds the IP address checks that discover, dial and server
// share: whether an address is on a local network, and whether it is inside
// an allow-list of prefixes.
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
