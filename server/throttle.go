package server

import (
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/internal/netutil"
)

// inboundThrottleTime is how long an inbound connection from a non-LAN IP
// blocks further inbound connections from that IP (go-ethereum issue #19684).
const inboundThrottleTime = 30 * time.Second

// maxThrottleEntries bounds the throttle's memory. An attacker with many
// addresses can at worst push out the oldest entries, which only lets those
// addresses in slightly early.
const maxThrottleEntries = 10_000

// throttle refuses a second inbound connection from the same source within
// a window. A source is an IPv4 address or an IPv6 /64 (netutil.Source).
// Addresses for which exempt returns true (loopback and LAN by default) are
// never throttled.
//
// Expiry times are monotonic because the window is fixed, so entries expire
// in insertion order and a FIFO queue is all the bookkeeping needed.
//
// Concurrency: none; the listener goroutine owns it.
type throttle struct {
	clock  clock.Clock
	window time.Duration
	max    int
	exempt func(netip.Addr) bool

	until map[netip.Prefix]time.Time
	queue []throttleEntry // in insertion (and so expiry) order
}

type throttleEntry struct {
	key   netip.Prefix
	until time.Time
}

func newThrottle(c clock.Clock, window time.Duration, max int, exempt func(netip.Addr) bool) *throttle {
	return &throttle{
		clock:  c,
		window: window,
		max:    max,
		exempt: exempt,
		until:  make(map[netip.Prefix]time.Time),
	}
}

// allow reports whether an inbound connection from ip may proceed, and if
// so records its source so that the next one within the window is refused.
func (t *throttle) allow(ip netip.Addr) bool {
	ip = ip.Unmap()
	if t.exempt != nil && t.exempt(ip) {
		return true
	}
	key := netutil.Source(ip)
	now := t.clock.Now()
	t.expire(now)
	if until, ok := t.until[key]; ok && now.Before(until) {
		return false
	}
	if len(t.queue) >= t.max {
		t.drop()
	}
	until := now.Add(t.window)
	t.until[key] = until
	t.queue = append(t.queue, throttleEntry{key, until})
	return true
}

// expire removes the entries whose window has passed.
func (t *throttle) expire(now time.Time) {
	for len(t.queue) > 0 && !now.Before(t.queue[0].until) {
		t.drop()
	}
	if len(t.queue) == 0 && cap(t.queue) > 1024 {
		t.queue = nil // let a burst's backing array go
	}
}

// drop removes the oldest entry.
func (t *throttle) drop() {
	e := t.queue[0]
	t.queue[0] = throttleEntry{}
	t.queue = t.queue[1:]
	if t.until[e.key].Equal(e.until) {
		delete(t.until, e.key)
	}
}

// len returns the number of sources currently throttled.
func (t *throttle) len() int { return len(t.until) }
