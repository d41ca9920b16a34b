package discover

import (
	"context"
	"errors"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/devp2p-go/devp2p/nodeid"
)

// fakeStore is an in-memory store for table tests.
type fakeStore struct {
	mu    sync.Mutex
	nodes map[nodeid.ID]*Node
	seen  map[nodeid.ID]time.Time
	pong  map[string]time.Time
	ping  map[string]time.Time
	fails map[string]int
}

func newFakeStore() *fakeStore {
	return &fakeStore{
		nodes: map[nodeid.ID]*Node{}, seen: map[nodeid.ID]time.Time{},
		pong: map[string]time.Time{}, ping: map[string]time.Time{}, fails: map[string]int{},
	}
}

func fsKey(id nodeid.ID, ip netip.Addr) string { return id.String() + "/" + ip.String() }

func (s *fakeStore) updateNode(n *Node, now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nodes[n.ID()], s.seen[n.ID()] = n, now
}

func (s *fakeStore) seeds(n int, maxAge time.Duration, now time.Time) []*Node {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*Node
	for id, nd := range s.nodes {
		if len(out) < n && now.Sub(s.seen[id]) <= maxAge {
			out = append(out, nd)
		}
	}
	return out
}

func (s *fakeStore) expire(time.Time) {}

func (s *fakeStore) lastPong(id nodeid.ID, ip netip.Addr) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pong[fsKey(id, ip)]
}

func (s *fakeStore) setLastPong(id nodeid.ID, ip netip.Addr, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pong[fsKey(id, ip)] = t
}

func (s *fakeStore) lastPing(id nodeid.ID, ip netip.Addr) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ping[fsKey(id, ip)]
}

func (s *fakeStore) setLastPing(id nodeid.ID, ip netip.Addr, t time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ping[fsKey(id, ip)] = t
}

func (s *fakeStore) findFails(id nodeid.ID, ip netip.Addr) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fails[fsKey(id, ip)]
}

func (s *fakeStore) setFindFails(id nodeid.ID, ip netip.Addr, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.fails[fsKey(id, ip)] = n
}

// fakeTableNet answers pings from a set of live nodes.
type fakeTableNet struct {
	mu       sync.Mutex
	dead     map[nodeid.ID]bool
	seqs     map[nodeid.ID]uint64 // enr-seq announced in pongs
	records  map[nodeid.ID]*Node  // returned by requestENR
	pinged   []nodeid.ID
	refreshN int
}

func newFakeTableNet() *fakeTableNet {
	return &fakeTableNet{dead: map[nodeid.ID]bool{}, seqs: map[nodeid.ID]uint64{}, records: map[nodeid.ID]*Node{}}
}

var errFakeDead = errors.New("fake: node is dead")

func (f *fakeTableNet) ping(_ context.Context, n *Node) (uint64, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pinged = append(f.pinged, n.ID())
	if f.dead[n.ID()] {
		return 0, errFakeDead
	}
	return f.seqs[n.ID()], nil
}

func (f *fakeTableNet) requestENR(_ context.Context, n *Node) (*Node, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r := f.records[n.ID()]; r != nil {
		return r, nil
	}
	return nil, errFakeDead
}

func (f *fakeTableNet) refreshLookups(context.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refreshN++
}

// keyPool hands out keys whose IDs fall into a chosen bucket of a table
// whose own ID is poolSelf.
type keyPool struct {
	mu     sync.Mutex
	self   nodeid.ID
	byDist map[int][]*secp256k1.PrivateKey
}

var (
	poolOnce sync.Once
	pool     *keyPool
)

func testPool() *keyPool {
	poolOnce.Do(func() {
		k, _ := secp256k1.GeneratePrivateKey()
		pool = &keyPool{self: nodeid.FromPubkey(k.PubKey()), byDist: map[int][]*secp256k1.PrivateKey{}}
	})
	return pool
}

// keyAt returns a fresh key at log distance d from the pool's self ID
// (240 <= d <= 256 picks bucket d-240).
func (p *keyPool) keyAt(t testing.TB, d int) *secp256k1.PrivateKey {
	t.Helper()
	p.mu.Lock()
	defer p.mu.Unlock()
	for range 1 << 16 {
		if l := p.byDist[d]; len(l) > 0 {
			p.byDist[d] = l[1:]
			return l[0]
		}
		k, err := secp256k1.GeneratePrivateKey()
		if err != nil {
			t.Fatal(err)
		}
		kd := nodeid.LogDist(p.self, nodeid.FromPubkey(k.PubKey()))
		p.byDist[kd] = append(p.byDist[kd], k)
	}
	t.Fatalf("no key at distance %d", d)
	return nil
}

// nodeAt returns a node at log distance d with the given IP and UDP port.
func (p *keyPool) nodeAt(t testing.TB, d int, ip string) *Node {
	k := p.keyAt(t, d)
	return NewV4(k.PubKey(), netip.MustParseAddr(ip), 30303, 30303)
}
