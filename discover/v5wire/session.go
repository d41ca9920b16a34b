package v5wire

import (
	"container/list"
	"crypto/cipher"
	"net/netip"

	"github.com/devp2p-go/devp2p/internal/netutil"
	"github.com/devp2p-go/devp2p/nodeid"
)

// sessionKey names a session: the remote node and the UDP endpoint it
// talks from. The same node at another endpoint has no session.
type sessionKey struct {
	id   nodeid.ID
	addr netip.AddrPort
}

// session holds the keys of one established session.
type session struct {
	writeKey, readKey [KeySize]byte
	write, read       cipher.AEAD // AES-GCM with writeKey and readKey
	nonceCounter      uint32
	// prevRead is the read cipher of the session this one replaced, tried
	// when read fails. When both nodes handshake at once, each ends up
	// writing with the keys of one handshake and reading with the other's;
	// the fallback keeps both readable instead of costing a timeout.
	prevRead cipher.AEAD
}

func newSession(writeKey, readKey [KeySize]byte) *session {
	return &session{writeKey: writeKey, readKey: readKey, write: newGCM(writeKey[:]), read: newGCM(readKey[:])}
}

// sessionCache is an LRU cache of sessions with a fixed capacity; the
// least recently used session is evicted to make room. A non-LAN source
// (netutil.Source: an IPv4 address or an IPv6 /64) holds at most perSource
// sessions: a new one from a source at its cap evicts that source's least
// recently used session, not another source's. Without it, one host
// completing the handshakes its rate limit grants would push every honest
// session out within minutes.
type sessionCache struct {
	max, perSource int
	order          *list.List // of *sessionEntry, most recently used first
	byKey          map[sessionKey]*list.Element
	bySource       map[netip.Prefix]int // sessions of each non-LAN source
}

type sessionEntry struct {
	key sessionKey
	s   *session
}

func newSessionCache(max, perSource int) *sessionCache {
	return &sessionCache{
		max:       max,
		perSource: perSource,
		order:     list.New(),
		byKey:     make(map[sessionKey]*list.Element),
		bySource:  make(map[netip.Prefix]int),
	}
}

// sourceOf returns the source k's sessions count against, or false for a
// LAN endpoint, which has no per-source cap.
func sourceOf(k sessionKey) (netip.Prefix, bool) {
	ip := k.addr.Addr()
	if netutil.IsLAN(ip) {
		return netip.Prefix{}, false
	}
	return netutil.Source(ip), true
}

// sameSource reports whether k's session counts against src.
func sameSource(k sessionKey, src netip.Prefix) bool {
	s, ok := sourceOf(k)
	return ok && s == src
}

func (c *sessionCache) get(k sessionKey) *session {
	e := c.byKey[k]
	if e == nil {
		return nil
	}
	c.order.MoveToFront(e)
	return e.Value.(*sessionEntry).s
}

func (c *sessionCache) put(k sessionKey, s *session) {
	if e := c.byKey[k]; e != nil {
		old := e.Value.(*sessionEntry).s
		s.prevRead = old.read
		e.Value.(*sessionEntry).s = s
		c.order.MoveToFront(e)
		return
	}
	if src, ok := sourceOf(k); ok && c.bySource[src] >= c.perSource {
		for e := c.order.Back(); e != nil; e = e.Prev() {
			// Only a session counted against src may make room for it: a
			// LAN address can share src's prefix (::1 and ::2 in ::/64).
			if ek := e.Value.(*sessionEntry).key; sameSource(ek, src) {
				c.remove(ek)
				break
			}
		}
	}
	for c.order.Len() >= c.max {
		c.remove(c.order.Back().Value.(*sessionEntry).key)
	}
	c.byKey[k] = c.order.PushFront(&sessionEntry{key: k, s: s})
	if src, ok := sourceOf(k); ok {
		c.bySource[src]++
	}
}

func (c *sessionCache) remove(k sessionKey) {
	e := c.byKey[k]
	if e == nil {
		return
	}
	delete(c.byKey, k)
	c.order.Remove(e)
	if src, ok := sourceOf(k); ok {
		if c.bySource[src]--; c.bySource[src] == 0 {
			delete(c.bySource, src)
		}
	}
}

func (c *sessionCache) len() int { return c.order.Len() }
