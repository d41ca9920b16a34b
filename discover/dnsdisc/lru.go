package dnsdisc

import (
	"container/list"
	"time"

	"github.com/devp2p-go/devp2p/clock"
)

// lru is a cache of entries by hash with a fixed capacity, dropping the
// least recently used entry first. It is not safe for concurrent use.
type lru struct {
	limit int
	order *list.List // of *lruItem, most recent first
	items map[string]*list.Element
}

type lruItem struct {
	key string
	e   entry
}

func newLRU(limit int) *lru {
	return &lru{limit: limit, order: list.New(), items: make(map[string]*list.Element)}
}

func (c *lru) get(key string) (entry, bool) {
	el, ok := c.items[key]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*lruItem).e, true
}

func (c *lru) add(key string, e entry) {
	if el, ok := c.items[key]; ok {
		el.Value.(*lruItem).e = e
		c.order.MoveToFront(el)
		return
	}
	c.items[key] = c.order.PushFront(&lruItem{key, e})
	for c.order.Len() > c.limit {
		last := c.order.Back()
		c.order.Remove(last)
		delete(c.items, last.Value.(*lruItem).key)
	}
}

func (c *lru) len() int { return c.order.Len() }

// limiter is a token bucket: rate tokens per second, at most burst stored.
// reserve takes a token, possibly one not yet earned, and returns how long
// the caller must wait for it; callers reserving together queue up. It is
// not safe for concurrent use.
type limiter struct {
	clock  clock.Clock
	rate   float64
	burst  float64
	tokens float64
	last   time.Time
}

func newLimiter(clk clock.Clock, rate float64, burst int) *limiter {
	return &limiter{clock: clk, rate: rate, burst: float64(burst), tokens: float64(burst), last: clk.Now()}
}

func (l *limiter) reserve() time.Duration {
	now := l.clock.Now()
	l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
	l.last = now
	l.tokens--
	if l.tokens >= 0 {
		return 0
	}
	return time.Duration(-l.tokens / l.rate * float64(time.Second))
}
