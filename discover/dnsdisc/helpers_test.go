package dnsdisc

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/netip"
	"sync"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/enr"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testKey is go-ethereum's signingKeyForTesting, the key that signed the
// example zone of dnsdisc.md (EIP-1459).
func testKey(t testing.TB) *secp256k1.PrivateKey {
	t.Helper()
	b, err := hex.DecodeString("dc599867fc513f8f5e2c2c9c489cde5e71362d1d9ec6e693e0de063236ed1240")
	require.NoError(t, err)
	return secp256k1.PrivKeyFromBytes(b)
}

// seededKey returns a deterministic key for seed.
func seededKey(seed string) *secp256k1.PrivateKey {
	h := sha256.Sum256([]byte(seed))
	return secp256k1.PrivKeyFromBytes(h[:])
}

// testNodes returns n nodes with signed records on 127.0.x.y, each record
// padded with an extra entry of pad bytes.
func testNodes(t testing.TB, prefix string, n, pad int) []*discover.Node {
	t.Helper()
	out := make([]*discover.Node, n)
	for i := range out {
		var r enr.Record
		r.SetIP(netip.AddrFrom4([4]byte{127, 0, byte(i >> 8), byte(i)}))
		r.SetTCP(30303)
		r.SetUDP(30303)
		if pad > 0 {
			require.NoError(t, r.SetValue("zpad", make([]byte, pad)))
		}
		key := seededKey(prefix + string(rune(i)))
		require.NoError(t, r.SignV4(key))
		nd, err := discover.NewNode(&r)
		require.NoError(t, err)
		out[i] = nd
	}
	return out
}

// signedTree builds and signs a tree at domain, returning it with its URL.
func signedTree(t testing.TB, key *secp256k1.PrivateKey, domain string, seq uint64, nodes []*discover.Node, links []string) (*Tree, string) {
	t.Helper()
	tree, err := MakeTree(seq, nodes, links)
	require.NoError(t, err)
	url, err := tree.Sign(key, domain)
	require.NoError(t, err)
	return tree, url
}

// mapResolver serves TXT records from a map. Its zero value is ready; it
// is safe for concurrent use.
type mapResolver struct {
	mu      sync.Mutex
	records map[string][]string
	queries map[string]int
	hang    bool // block until ctx is done
}

func newMapResolver(trees ...map[string]string) *mapResolver {
	r := &mapResolver{records: make(map[string][]string), queries: make(map[string]int)}
	for _, t := range trees {
		r.add(t)
	}
	return r
}

func (r *mapResolver) add(recs map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, text := range recs {
		r.records[name] = []string{text}
	}
}

func (r *mapResolver) set(name string, txts ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records[name] = txts
}

func (r *mapResolver) remove(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.records, name)
}

func (r *mapResolver) count(name string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.queries[name]
}

func (r *mapResolver) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, c := range r.queries {
		n += c
	}
	return n
}

func (r *mapResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r.mu.Lock()
	r.queries[name]++
	txts, ok := r.records[name]
	hang := r.hang
	r.mu.Unlock()
	if hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if !ok {
		return nil, &notFound{name}
	}
	return append([]string(nil), txts...), nil
}

type notFound struct{ name string }

func (e *notFound) Error() string { return "no such host " + e.name }

// newTestClient returns a client on r with no rate limit to speak of.
func newTestClient(t testing.TB, r Resolver, cfg Config) *Client {
	t.Helper()
	cfg.Resolver = r
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 1e6
		cfg.RateBurst = 1e6
	}
	c, err := New(cfg)
	require.NoError(t, err)
	return c
}

// nodeIDs returns the IDs of nodes as a set.
func nodeIDs(nodes []*discover.Node) map[string]bool {
	m := make(map[string]bool, len(nodes))
	for _, n := range nodes {
		m[n.ID().String()] = true
	}
	return m
}
