package server

import "net/netip"

// isLAN reports whether ip is a loopback, private (RFC 1918, RFC 4193) or
// link-local address. Connections from such addresses are exempt from the
// inbound throttle, so that local test networks and clusters behind one NAT
// keep working.
func isLAN(ip netip.Addr) bool {
	ip = ip.Unmap()
	return ip.IsLoopback() || ip.IsPrivate() || ip.IsLinkLocalUnicast()
}

// allowedIP reports whether ip is inside one of the prefixes of an
// allow-list. An empty list allows everything.
func allowedIP(restrict []netip.Prefix, ip netip.Addr) bool {
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
