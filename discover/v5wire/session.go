package v5wire

import (
	"container/list"
	"crypto/cipher"
	"net/netip"

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
// least recently used session is evicted to make room.
type sessionCache struct {
	max   int
	order *list.List // of *sessionEntry, most recently used first
	byKey map[sessionKey]*list.Element
}

type sessionEntry struct {
	key sessionKey
	s   *session
}

func newSessionCache(max int) *sessionCache {
	return &sessionCache{max: max, order: list.New(), byKey: make(map[sessionKey]*list.Element)}
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
	for c.order.Len() >= c.max {
		last := c.order.Back()
		delete(c.byKey, last.Value.(*sessionEntry).key)
		c.order.Remove(last)
	}
	c.byKey[k] = c.order.PushFront(&sessionEntry{key: k, s: s})
}

func (c *sessionCache) remove(k sessionKey) {
	if e := c.byKey[k]; e != nil {
		delete(c.byKey, k)
		c.order.Remove(e)
	}
}

func (c *sessionCache) len() int { return c.order.Len() }
