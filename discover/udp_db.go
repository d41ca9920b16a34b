package discover

import (
	"net"
	"net/netip"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/devp2p-go/devp2p/nodeid"
)

// dbStore adapts *DB to the store interface. Write errors of the node
// database are not fatal to discovery and are dropped here.
type dbStore struct{ db *DB }

func (s dbStore) updateNode(n *Node, now time.Time) { s.db.UpdateNode(n, now) }

func (s dbStore) seeds(n int, maxAge time.Duration, now time.Time) []*Node {
	return s.db.QuerySeeds(n, maxAge, now)
}

func (s dbStore) expire(now time.Time) { s.db.Expire(now) }

func (s dbStore) lastPong(id nodeid.ID, ip netip.Addr) time.Time {
	return s.db.LastPongReceived(id, ip)
}

func (s dbStore) setLastPong(id nodeid.ID, ip netip.Addr, t time.Time) {
	s.db.UpdateLastPongReceived(id, ip, t)
}

func (s dbStore) lastPing(id nodeid.ID, ip netip.Addr) time.Time {
	return s.db.LastPingReceived(id, ip)
}

func (s dbStore) setLastPing(id nodeid.ID, ip netip.Addr, t time.Time) {
	s.db.UpdateLastPingReceived(id, ip, t)
}

func (s dbStore) findFails(id nodeid.ID, ip netip.Addr) int { return s.db.FindFails(id, ip) }

func (s dbStore) setFindFails(id nodeid.ID, ip netip.Addr, n int) { s.db.UpdateFindFails(id, ip, n) }

// newLocalNodeFor makes our record when Config.LocalNode is nil: the
// socket's address, with 127.0.0.1 standing in for an unspecified IP.
func newLocalNodeFor(key *secp256k1.PrivateKey, db *DB, addr net.Addr) *LocalNode {
	ln := NewLocalNode(key, db)
	if ua, ok := addr.(*net.UDPAddr); ok {
		ap := ua.AddrPort()
		ip := ap.Addr().Unmap()
		if !ip.IsValid() || ip.IsUnspecified() {
			ip = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
		ln.SetIP(ip)
		ln.SetUDP(ap.Port())
	}
	return ln
}
