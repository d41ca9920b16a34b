package discover

import (
	"context"
	"log/slog"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Kademlia table parameters (discv4.md "Kademlia Table": k = 16, 256 − 239 buckets used in practice).
const (
	// BucketSize is k: the number of live nodes a bucket holds, and the
	// number of nodes a lookup returns.
	BucketSize = 16
	// maxReplacements is the length of a bucket's replacement list.
	maxReplacements = 10
	// nBuckets buckets cover log distances 240..256 one each; everything
	// closer (almost never populated) shares bucket 0.
	nBuckets          = 17
	bucketMinDistance = 256 - nBuckets

	// IP diversity limits against eclipse attacks: per /24 (IPv4) or /56 (IPv6).
	bucketIPLimit = 2
	tableIPLimit  = 10

	// maxFindnodeFailures drops a node after this many findnode failures.
	maxFindnodeFailures = 5
	// seedCount and seedMaxAge bound the nodes taken from the DB at start.
	seedCount  = 30
	seedMaxAge = 5 * 24 * time.Hour
	// dbExpireInterval is how often the table asks the DB to expire nodes.
	dbExpireInterval = time.Hour
)

// tableNet is what the table needs from the network: liveness checks for
// revalidation and lookups for refresh. *UDPv4 implements it; table tests
// use a fake.
type tableNet interface {
	ping(ctx context.Context, n *Node) (seq uint64, err error)
	requestENR(ctx context.Context, n *Node) (*Node, error)
	refreshLookups(ctx context.Context)
}

// tableConfig carries the settings the table takes from Config.
type tableConfig struct {
	self               nodeid.ID
	bootnodes          []*Node
	clock              clock.Clock
	rand               *lockedRand
	log                *slog.Logger
	metrics            *metrics.Discovery // table size; nil: not counted
	revalidateInterval time.Duration
	refreshInterval    time.Duration
}

// table is the Kademlia routing table. All bucket state is owned by loop();
// other goroutines reach it through do (directly or through the narrow
// methods built on it), which runs a function on the loop and waits for it.
type table struct {
	// Immutable after newTable.
	cfg tableConfig
	net tableNet
	db  store

	// Owned by loop().
	buckets [nBuckets]*bucket
	ips     netSet // table-wide /24 (/56) counts of bucket entries

	ops        chan func()
	refreshReq chan chan struct{}
	closing    chan struct{}
	closeOnce  sync.Once
	initDone   chan struct{} // closed when the first refresh has finished
	wg         sync.WaitGroup
}

// bucket holds up to BucketSize live nodes, most recently seen first, and
// up to maxReplacements candidates, most recently added first.
type bucket struct {
	entries      []*tableNode
	replacements []*tableNode
	ips          netSet // per-bucket counts over entries and replacements
}

// tableNode is a node plus the table's bookkeeping about it.
type tableNode struct {
	*Node
	addedAt        time.Time
	livenessChecks int
	live           bool // seen live (handleSeen, revalidation); discv5 relays only these
}

func newTable(cfg tableConfig, net tableNet, db store) *table {
	t := &table{
		cfg:        cfg,
		net:        net,
		db:         db,
		ips:        newNetSet(tableIPLimit),
		ops:        make(chan func()),
		refreshReq: make(chan chan struct{}),
		closing:    make(chan struct{}),
		initDone:   make(chan struct{}),
	}
	for i := range t.buckets {
		t.buckets[i] = &bucket{ips: newNetSet(bucketIPLimit)}
	}
	return t
}

// start launches the table goroutine.
func (t *table) start() {
	t.wg.Add(1)
	go t.loop()
}

// close stops the table goroutine and joins every goroutine it started.
// It is idempotent.
func (t *table) close() {
	t.closeOnce.Do(func() { close(t.closing) })
	t.wg.Wait()
}

// revalResult reports one revalidation ping back to the loop.
type revalResult struct {
	n     *Node // the node that was checked
	alive bool
	newer *Node // a newer record fetched after a pong with a higher seq, or nil
}

func (t *table) loop() {
	defer t.wg.Done()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel() // stops the revalidation and refresh goroutines; close joins them

	var (
		revalTimer   = t.cfg.clock.NewTimer(t.nextRevalidateDelay())
		refreshTimer = t.cfg.clock.NewTimer(t.cfg.refreshInterval)
		expireTimer  = t.cfg.clock.NewTimer(dbExpireInterval)
		revalDone    = make(chan revalResult, 1)
		refreshDone  = make(chan struct{}, 1)
		revalBusy    bool
		refreshBusy  bool
		waiting      []chan struct{}
		initialized  bool
	)
	defer revalTimer.Stop()
	defer refreshTimer.Stop()
	defer expireTimer.Stop()

	startRefresh := func() {
		if refreshBusy {
			return
		}
		refreshBusy = true
		t.loadSeeds()
		t.wg.Add(1)
		go func() {
			defer t.wg.Done()
			t.net.refreshLookups(ctx)
			refreshDone <- struct{}{}
		}()
	}
	startRefresh()

	for {
		select {
		case <-t.closing:
			for _, ch := range waiting {
				close(ch)
			}
			return

		case f := <-t.ops:
			f()

		case <-revalTimer.C():
			if !revalBusy {
				if n := t.pickRevalidate(); n != nil {
					revalBusy = true
					t.wg.Add(1)
					go func() {
						defer t.wg.Done()
						revalDone <- t.revalidate(ctx, n)
					}()
				}
			}
			revalTimer.Reset(t.nextRevalidateDelay())

		case r := <-revalDone:
			revalBusy = false
			t.applyRevalidation(r)

		case <-refreshTimer.C():
			startRefresh()
			refreshTimer.Reset(t.cfg.refreshInterval)

		case ch := <-t.refreshReq:
			waiting = append(waiting, ch)
			startRefresh()

		case <-refreshDone:
			refreshBusy = false
			for _, ch := range waiting {
				close(ch)
			}
			waiting = nil
			if !initialized {
				initialized = true
				close(t.initDone)
			}

		case <-expireTimer.C():
			t.db.expire(t.cfg.clock.Now())
			expireTimer.Reset(dbExpireInterval)
		}
	}
}

// do runs f on the table goroutine and waits for it to finish. It reports
// false, without running f, once the table is closed.
func (t *table) do(f func()) bool {
	done := make(chan struct{})
	op := func() { f(); close(done) }
	select {
	case t.ops <- op:
		<-done
		return true
	case <-t.closing:
		return false
	}
}

// refresh asks for a refresh and waits until one has finished or ctx ends.
func (t *table) refresh(ctx context.Context) error {
	ch := make(chan struct{})
	select {
	case t.refreshReq <- ch:
	case <-t.closing:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// waitInit blocks until the first refresh has finished, the table is closed
// or ctx ends.
func (t *table) waitInit(ctx context.Context) {
	select {
	case <-t.initDone:
	case <-t.closing:
	case <-ctx.Done():
	}
}

// --- narrow methods for other goroutines ---

// addSeen records that n is live (it answered a ping or proved its
// endpoint). It moves n to the front of its bucket, or adds it.
func (t *table) addSeen(n *Node) { t.do(func() { t.handleSeen(n) }) }

// addFound records a node learnt from a Neighbors reply or a seed. It is
// added at the back of its bucket if there is room, else as a replacement.
func (t *table) addFound(n *Node) { t.do(func() { t.handleFound(n) }) }

// remove deletes the node with the given ID and promotes a replacement.
func (t *table) remove(id nodeid.ID) { t.do(func() { t.deleteEntry(id) }) }

// closest returns up to max nodes from the table, nearest to target first.
func (t *table) closest(target nodeid.ID, max int) []*Node {
	var out []*Node
	t.do(func() { out = t.closestInLoop(target, max) })
	return out
}

// nodeByID returns the table's entry for id, or nil.
func (t *table) nodeByID(id nodeid.ID) *Node {
	var out *Node
	t.do(func() {
		b := t.bucketFor(id)
		if i := indexOf(b.entries, id); i >= 0 {
			out = b.entries[i].Node
		}
	})
	return out
}

// nodes returns every bucket entry.
func (t *table) nodes() []*Node {
	var out []*Node
	t.do(func() {
		for _, b := range t.buckets {
			for _, e := range b.entries {
				out = append(out, e.Node)
			}
		}
	})
	return out
}

// len returns the number of bucket entries.
func (t *table) len() int {
	n := 0
	t.do(func() {
		for _, b := range t.buckets {
			n += len(b.entries)
		}
	})
	return n
}

// --- loop-owned logic ---

func (t *table) bucketFor(id nodeid.ID) *bucket {
	d := nodeid.LogDist(t.cfg.self, id)
	if d <= bucketMinDistance {
		return t.buckets[0]
	}
	return t.buckets[d-bucketMinDistance-1]
}

func indexOf(list []*tableNode, id nodeid.ID) int {
	for i, e := range list {
		if e.ID() == id {
			return i
		}
	}
	return -1
}

// usable reports whether n can go into the table: not ourselves, and with
// an address to reach it at.
func (t *table) usable(n *Node) bool {
	return n.ID() != t.cfg.self && n.IP().IsValid() && !n.IP().IsUnspecified() && n.UDP() != 0
}

func (t *table) handleSeen(n *Node) {
	if !t.usable(n) {
		return
	}
	b := t.bucketFor(n.ID())
	if i := indexOf(b.entries, n.ID()); i >= 0 {
		e := b.entries[i]
		if !t.replaceNode(b, e, n) {
			return
		}
		e.livenessChecks++
		e.live = true
		moveToFront(b.entries, i)
		t.db.updateNode(e.Node, t.cfg.clock.Now())
		return
	}
	if len(b.entries) < BucketSize {
		e := t.newEntry(b, n)
		if e == nil {
			return
		}
		e.live = true
		b.entries = slices.Insert(b.entries, 0, e)
		t.entriesChanged()
		t.db.updateNode(n, t.cfg.clock.Now())
		t.cfg.log.Debug("discover: table add", "id", n.ID().TerminalString(), "addr", n.UDPAddr())
		return
	}
	t.addReplacement(b, n)
}

func (t *table) handleFound(n *Node) {
	if !t.usable(n) {
		return
	}
	b := t.bucketFor(n.ID())
	if indexOf(b.entries, n.ID()) >= 0 {
		return
	}
	if len(b.entries) < BucketSize {
		if e := t.newEntry(b, n); e != nil {
			b.entries = append(b.entries, e)
			t.entriesChanged()
		}
		return
	}
	t.addReplacement(b, n)
}

// newEntry checks n against the IP limits and counts it. It returns nil if
// a limit is reached. The caller has removed any replacement for n first, or
// removes it afterwards (removeReplacement keeps the counts right).
func (t *table) newEntry(b *bucket, n *Node) *tableNode {
	ip := n.IP()
	inRepl := indexOf(b.replacements, n.ID()) >= 0
	if !inRepl && !b.ips.canAdd(ip) {
		t.cfg.log.Debug("discover: bucket IP limit", "id", n.ID().TerminalString(), "ip", ip)
		return nil
	}
	if !t.ips.add(ip) {
		t.cfg.log.Debug("discover: table IP limit", "id", n.ID().TerminalString(), "ip", ip)
		return nil
	}
	if inRepl {
		// The replacement's bucket count moves to the entry.
		t.dropReplacementKeepIP(b, n.ID())
	} else {
		b.ips.add(ip)
	}
	return &tableNode{Node: n, addedAt: t.cfg.clock.Now()}
}

// replaceNode swaps e's node for n if n is the same node with an equal or
// newer record. An address change is checked against the IP limits. It
// reports false if n was refused.
func (t *table) replaceNode(b *bucket, e *tableNode, n *Node) bool {
	if n.Seq() < e.Seq() {
		return true // keep the newer record, but the node is still live
	}
	if n.IP() != e.IP() {
		if !b.ips.canAdd(n.IP()) || !t.ips.canAdd(n.IP()) {
			return false
		}
		b.ips.remove(e.IP())
		t.ips.remove(e.IP())
		b.ips.add(n.IP())
		t.ips.add(n.IP())
	}
	e.Node = n
	return true
}

func (t *table) addReplacement(b *bucket, n *Node) {
	if i := indexOf(b.replacements, n.ID()); i >= 0 {
		if n.Seq() >= b.replacements[i].Seq() && n.IP() == b.replacements[i].IP() {
			b.replacements[i].Node = n
		}
		moveToFront(b.replacements, i)
		return
	}
	if !b.ips.add(n.IP()) {
		return
	}
	e := &tableNode{Node: n, addedAt: t.cfg.clock.Now()}
	b.replacements = slices.Insert(b.replacements, 0, e)
	if len(b.replacements) > maxReplacements {
		last := b.replacements[maxReplacements]
		b.replacements = b.replacements[:maxReplacements]
		b.ips.remove(last.IP())
	}
}

func (t *table) dropReplacementKeepIP(b *bucket, id nodeid.ID) {
	if i := indexOf(b.replacements, id); i >= 0 {
		b.replacements = slices.Delete(b.replacements, i, i+1)
	}
}

// deleteEntry removes id from its bucket and promotes a random replacement.
func (t *table) deleteEntry(id nodeid.ID) {
	b := t.bucketFor(id)
	i := indexOf(b.entries, id)
	if i < 0 {
		return
	}
	e := b.entries[i]
	b.entries = slices.Delete(b.entries, i, i+1)
	b.ips.remove(e.IP())
	t.ips.remove(e.IP())
	t.cfg.log.Debug("discover: table remove", "id", id.TerminalString())
	t.promoteReplacement(b)
	t.entriesChanged()
}

func (t *table) promoteReplacement(b *bucket) {
	for len(b.replacements) > 0 && len(b.entries) < BucketSize {
		i := t.cfg.rand.IntN(len(b.replacements))
		r := b.replacements[i]
		b.replacements = slices.Delete(b.replacements, i, i+1)
		if !t.ips.add(r.IP()) {
			b.ips.remove(r.IP())
			continue
		}
		// r's bucket IP count carries over from the replacement list.
		r.addedAt = t.cfg.clock.Now()
		b.entries = append(b.entries, r)
		t.cfg.log.Debug("discover: promoted replacement", "id", r.ID().TerminalString())
		return
	}
}

func moveToFront(list []*tableNode, i int) {
	e := list[i]
	copy(list[1:i+1], list[:i])
	list[0] = e
}

// closest returns the max table nodes closest to target. It reads the
// buckets, so it runs on the table loop (through do) or in tests.
// closestInLoop is closest for code already on the table loop, which owns
// the buckets (and for tests, which own a table that is not running).
func (t *table) closestInLoop(target nodeid.ID, max int) []*Node {
	var out []*Node
	for _, b := range t.buckets {
		for _, e := range b.entries {
			out = insertByDistance(out, target, e.Node, max)
		}
	}
	return out
}

// insertByDistance inserts n into list, which is sorted by distance to
// target, keeping at most max entries. It does not check for duplicates.
func insertByDistance(list []*Node, target nodeid.ID, n *Node, max int) []*Node {
	i, _ := slices.BinarySearchFunc(list, n, func(a, b *Node) int { return nodeid.DistCmp(target, a.ID(), b.ID()) })
	if i >= max {
		return list
	}
	list = slices.Insert(list, i, n)
	if len(list) > max {
		list = list[:max]
	}
	return list
}

// loadSeeds adds the bootnodes and random recent nodes from the DB.
func (t *table) loadSeeds() {
	seeds := t.db.seeds(seedCount, seedMaxAge, t.cfg.clock.Now())
	for _, n := range append(seeds, t.cfg.bootnodes...) {
		t.handleFound(n)
	}
}

// pickRevalidate returns the least recently seen node of a random
// non-empty bucket.
func (t *table) pickRevalidate() *Node {
	start := t.cfg.rand.IntN(nBuckets)
	for i := range nBuckets {
		b := t.buckets[(start+i)%nBuckets]
		if len(b.entries) > 0 {
			return b.entries[len(b.entries)-1].Node
		}
	}
	return nil
}

func (t *table) nextRevalidateDelay() time.Duration {
	iv := t.cfg.revalidateInterval
	return iv/2 + time.Duration(t.cfg.rand.Int64N(int64(iv/2)+1))
}

// revalidate pings n and, when its pong announces a newer record, fetches
// it (EIP-868). It runs on its own goroutine.
func (t *table) revalidate(ctx context.Context, n *Node) revalResult {
	seq, err := t.net.ping(ctx, n)
	if err != nil {
		return revalResult{n: n}
	}
	r := revalResult{n: n, alive: true}
	if seq > n.Seq() {
		if newer, err := t.net.requestENR(ctx, n); err == nil && newer.Seq() > n.Seq() {
			r.newer = newer
		}
	}
	return r
}

func (t *table) applyRevalidation(r revalResult) {
	b := t.bucketFor(r.n.ID())
	i := indexOf(b.entries, r.n.ID())
	if i < 0 {
		return // removed in the meantime
	}
	e := b.entries[i]
	if !r.alive {
		// A node that answered many checks gets a few more chances; a new
		// one goes at once and makes room for a replacement.
		e.livenessChecks /= 3
		e.live = false
		if e.livenessChecks == 0 {
			t.cfg.log.Debug("discover: revalidation failed, evicting", "id", r.n.ID().TerminalString())
			t.deleteEntry(r.n.ID())
		}
		return
	}
	if r.newer != nil && !t.replaceNode(b, e, r.newer) {
		t.deleteEntry(r.n.ID()) // moved into a full subnet
		return
	}
	e.livenessChecks++
	e.live = true
	moveToFront(b.entries, i)
	t.db.updateNode(e.Node, t.cfg.clock.Now())
}

// lockedRand is a math/rand/v2 generator safe for concurrent use.
type lockedRand struct {
	mu sync.Mutex
	r  *rand.Rand
}

// IntN returns a number in [0, n).
func (r *lockedRand) IntN(n int) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.r.IntN(n)
}

// Int64N returns a number in [0, n).
func (r *lockedRand) Int64N(n int64) int64 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.r.Int64N(n)
}

func (r *lockedRand) read(p []byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := range p {
		p[i] = byte(r.r.Uint32())
	}
}
