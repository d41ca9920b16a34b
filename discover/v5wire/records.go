package v5wire

import (
	"container/list"

	"github.com/devp2p-go/devp2p/discover/enr"
)

// DefaultRecordCache is the number of verified records a Codec remembers.
const DefaultRecordCache = 512

// recordCache maps the exact encoding of records that decoded and
// verified to the decoded record, LRU-bounded. A NODES response mostly
// repeats records we have seen, and checking their signatures again is
// most of the cost of reading it; a byte-identical record needs no second
// check.
type recordCache struct {
	max   int
	order *list.List // of *recordEntry, most recently used first
	byRaw map[string]*list.Element
}

type recordEntry struct {
	raw string
	rec *enr.Record
}

func newRecordCache(max int) *recordCache {
	return &recordCache{max: max, order: list.New(), byRaw: make(map[string]*list.Element)}
}

// decode returns the record encoded by raw, from the cache or by
// enr.Decode.
func (c *recordCache) decode(raw []byte) (*enr.Record, error) {
	if e := c.byRaw[string(raw)]; e != nil {
		c.order.MoveToFront(e)
		return e.Value.(*recordEntry).rec, nil
	}
	rec, err := enr.Decode(raw)
	if err != nil {
		return nil, err
	}
	if c.order.Len() >= c.max {
		last := c.order.Back()
		delete(c.byRaw, last.Value.(*recordEntry).raw)
		c.order.Remove(last)
	}
	k := string(raw)
	c.byRaw[k] = c.order.PushFront(&recordEntry{raw: k, rec: rec})
	return rec, nil
}
