package discover

import (
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/nodeid"
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
	lastPong(id nodeid.ID, ip netip.Addr) time.Time
	setLastPong(id nodeid.ID, ip netip.Addr, t time.Time)
	// lastPing is when id last pinged us from ip (so it holds a proof for us).
	lastPing(id nodeid.ID, ip netip.Addr) time.Time
	setLastPing(id nodeid.ID, ip netip.Addr, t time.Time)
	// findFails counts consecutive findnode failures of id at ip.
	findFails(id nodeid.ID, ip netip.Addr) int
	setFindFails(id nodeid.ID, ip netip.Addr, n int)
}
