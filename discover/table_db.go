package discover

import (
	"net/netip"
	"time"
)

// store is what the transport and the table need from the node database.
// All timestamps come from the injected clock.
type store interface {
	// updateNode remembers n as seen at now.
	updateNode(n *Node, now time.Time)
	// seeds returns up to n random nodes seen within maxAge.
	seeds(n int, maxAge time.Duration, now time.Time) []*Node
	// expire forgets nodes unseen for too long.
	expire(now time.Time)

	// lastPong is when id last answered our ping from ip: the endpoint proof.
	lastPong(id ID, ip netip.Addr) time.Time
	setLastPong(id ID, ip netip.Addr, t time.Time)
	// lastPing is when id last pinged us from ip (so it holds a proof for us).
	lastPing(id ID, ip netip.Addr) time.Time
	setLastPing(id ID, ip netip.Addr, t time.Time)
	// findFails counts consecutive findnode failures of id at ip.
	findFails(id ID, ip netip.Addr) int
	setFindFails(id ID, ip netip.Addr, n int)
}
