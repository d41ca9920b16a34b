package discover

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"syscall"

	"github.com/devp2p-go/devp2p/internal/netutil"
)

// Address checks used by the transport and the table. They follow the
// countermeasures of the 2018 eclipse-attack paper (Marcus, Heilman and
// Goldberg, eprint 2018/236) and the relay filtering go-ethereum applies to
// Neighbors entries (no LAN, loopback or low-port endpoints from a public
// sender).

// Relay-check errors, returned by checkRelayIP.
var (
	errUnspecifiedIP = errors.New("discover: unspecified IP")
	errSpecialIP     = errors.New("discover: special-purpose IP (multicast, broadcast, documentation)")
	errLoopbackRelay = errors.New("discover: loopback IP relayed by a non-loopback sender")
	errLANRelay      = errors.New("discover: LAN IP relayed by a public sender")
)

// special-purpose blocks that are never valid node addresses.
var specialPrefixes = []netip.Prefix{
	netip.MustParsePrefix("192.0.2.0/24"),    // TEST-NET-1, RFC 5737
	netip.MustParsePrefix("198.51.100.0/24"), // TEST-NET-2
	netip.MustParsePrefix("203.0.113.0/24"),  // TEST-NET-3
	netip.MustParsePrefix("255.255.255.255/32"),
	netip.MustParsePrefix("2001:db8::/32"), // documentation, RFC 3849
}

func isSpecial(ip netip.Addr) bool {
	if ip.IsMulticast() || ip.IsInterfaceLocalMulticast() {
		return true
	}
	for _, p := range specialPrefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// checkRelayIP reports whether a node address addr, told to us by sender,
// may be used. A public sender may not point us at LAN or loopback hosts, a
// LAN sender may not point us at loopback hosts, and nobody may relay
// unspecified or special-purpose addresses.
func checkRelayIP(sender, addr netip.Addr) error {
	sender, addr = sender.Unmap(), addr.Unmap()
	switch {
	case !addr.IsValid() || addr.IsUnspecified():
		return errUnspecifiedIP
	case isSpecial(addr):
		return errSpecialIP
	case addr.IsLoopback() && !sender.IsLoopback():
		return errLoopbackRelay
	case netutil.IsLAN(addr) && !netutil.IsLAN(sender):
		return errLANRelay
	}
	return nil
}

// Subnet sizes for the IP diversity limits: /24 for IPv4, as go-ethereum,
// and /56 for IPv6, a common size of one customer's allocation.
const (
	ipv4SubnetBits = 24
	ipv6SubnetBits = 56
)

// ipSubnet returns the diversity subnet of ip: its /24 for IPv4 and its /56
// for IPv6.
func ipSubnet(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap()
	bits := ipv6SubnetBits
	if ip.Is4() {
		bits = ipv4SubnetBits
	}
	p, err := ip.Prefix(bits)
	if err != nil { // invalid address; callers check validity first
		return netip.Prefix{}
	}
	return p
}

// netSet counts addresses per subnet and refuses more than limit in any one.
// LAN and loopback addresses are not counted. It is not safe for concurrent
// use; the table goroutine owns each instance.
type netSet struct {
	limit   int
	members map[netip.Prefix]int
}

func newNetSet(limit int) netSet {
	return netSet{limit: limit, members: make(map[netip.Prefix]int)}
}

// exempt reports whether ip is outside the limits.
func (s *netSet) exempt(ip netip.Addr) bool { return netutil.IsLAN(ip) }

// canAdd reports whether one more address from ip's subnet fits.
func (s *netSet) canAdd(ip netip.Addr) bool {
	if s.exempt(ip) {
		return true
	}
	return s.members[ipSubnet(ip)] < s.limit
}

// add counts ip and reports whether it fitted; it does not count it if not.
func (s *netSet) add(ip netip.Addr) bool {
	if s.exempt(ip) {
		return true
	}
	key := ipSubnet(ip)
	if s.members[key] >= s.limit {
		return false
	}
	s.members[key]++
	return true
}

// remove uncounts ip.
func (s *netSet) remove(ip netip.Addr) {
	if s.exempt(ip) {
		return
	}
	key := ipSubnet(ip)
	switch n := s.members[key]; {
	case n > 1:
		s.members[key] = n - 1
	case n == 1:
		delete(s.members, key)
	}
}

// String describes the set for debug logs.
func (s *netSet) String() string {
	return fmt.Sprintf("netSet(limit %d, %d subnets)", s.limit, len(s.members))
}

// transientReadError reports whether a read error of a UDP socket leaves
// the socket usable: a timeout, or an ICMP error (port unreachable, reset)
// that some systems (Windows) report on the next read.
func transientReadError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET)
}
