package dnsdisc

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/internal/config"
	"github.com/devp2p-go/devp2p/internal/logging"
	"github.com/devp2p-go/devp2p/metrics"
)

// Defaults for the zero values of Config.
const (
	// DefaultTimeout bounds one DNS lookup.
	DefaultTimeout = 5 * time.Second
	// DefaultRecheckInterval is how often a tree's root is fetched again.
	DefaultRecheckInterval = 30 * time.Minute
	// DefaultCacheLimit is the number of entries the client caches.
	DefaultCacheLimit = 1000
	// DefaultRateLimit is the number of DNS lookups per second.
	DefaultRateLimit = 3
	// DefaultRateBurst is how many lookups may run back to back before the
	// rate limit applies.
	DefaultRateBurst = 10
	// DefaultMaxTreeEntries caps the entries fetched from one tree (per
	// subtree and pass). The largest public trees hold a few thousand
	// nodes.
	DefaultMaxTreeEntries = 20000
	// DefaultMaxLinkDepth is how many links an iterator follows from the
	// trees it was given.
	DefaultMaxLinkDepth = 4
)

// maxAnswers is the number of TXT records considered at one name; a tree
// publishes exactly one.
const maxAnswers = 8

// Resolver looks up TXT records. *net.Resolver implements it, and so
// can a test's in-memory zone. Each string returned is one TXT record with
// its character-strings joined. LookupTXT must return when ctx is done.
type Resolver interface {
	LookupTXT(ctx context.Context, name string) ([]string, error)
}

// ServerResolver returns a Resolver that sends every query to the DNS
// server at addr ("host:port") instead of the system's: a private network's
// own server, or a local one in tests.
func ServerResolver(addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

// Config tunes a Client. The zero value is usable: every zero field means
// the default documented on it. New copies the Config.
type Config struct {
	// Resolver answers TXT queries. Default net.DefaultResolver.
	Resolver Resolver

	// Timeout bounds each DNS lookup. Default DefaultTimeout (5 s).
	Timeout time.Duration

	// RecheckInterval is how often an iterator fetches a tree's root again
	// to see whether it changed. Default DefaultRecheckInterval (30 min).
	RecheckInterval time.Duration

	// CacheLimit is the number of entries kept, least recently used
	// dropped first. Default DefaultCacheLimit (1000).
	CacheLimit int

	// RateLimit is the number of DNS lookups per second, in a token bucket
	// of RateBurst; cache hits are free. Default DefaultRateLimit (3).
	RateLimit float64
	// RateBurst is the token bucket's size. Default DefaultRateBurst (10).
	RateBurst int

	// MaxTreeEntries caps the entries fetched from one subtree of a tree:
	// SyncTree fails with ErrTooManyEntries past it, and an iterator's walk
	// starts over from the root. Default DefaultMaxTreeEntries (20000).
	MaxTreeEntries int

	// MaxLinkDepth is how many links deep an iterator follows links from
	// the trees it was given; 0 means the default, DefaultMaxLinkDepth (4).
	MaxLinkDepth int

	// Logger receives debug-level events. nil discards them.
	Logger *slog.Logger

	// Metrics counts tree syncs: each SyncTree, and each check of a tree's
	// root by an iterator, by result. nil counts nothing.
	Metrics *metrics.DNS

	// Clock is the time source for root rechecks, backoff and the rate
	// limit. nil means the system clock. DNS lookups themselves are bounded
	// by context deadlines, in real time.
	Clock clock.Clock
}

// withDefaults validates cfg and applies its defaults. It is the only place
// defaults are decided.
func (cfg Config) withDefaults() (Config, error) {
	c := config.NewChecker(ErrInvalidConfig)
	config.NonNegative(c, "Timeout", cfg.Timeout)
	config.NonNegative(c, "RecheckInterval", cfg.RecheckInterval)
	config.NonNegative(c, "CacheLimit", cfg.CacheLimit)
	c.Check(cfg.RateLimit >= 0, "RateLimit is negative (%v)", cfg.RateLimit)
	config.NonNegative(c, "RateBurst", cfg.RateBurst)
	config.NonNegative(c, "MaxTreeEntries", cfg.MaxTreeEntries)
	config.NonNegative(c, "MaxLinkDepth", cfg.MaxLinkDepth)
	if err := c.Err(); err != nil {
		return Config{}, err
	}
	config.Default[Resolver](&cfg.Resolver, net.DefaultResolver)
	config.Default(&cfg.Timeout, DefaultTimeout)
	config.Default(&cfg.RecheckInterval, DefaultRecheckInterval)
	config.Default(&cfg.CacheLimit, DefaultCacheLimit)
	config.Default(&cfg.RateLimit, DefaultRateLimit)
	config.Default(&cfg.RateBurst, DefaultRateBurst)
	config.Default(&cfg.MaxTreeEntries, DefaultMaxTreeEntries)
	config.Default(&cfg.MaxLinkDepth, DefaultMaxLinkDepth)
	cfg.Logger = logging.For(cfg.Logger, logging.SysDNS)
	cfg.Clock = clock.OrSystem(cfg.Clock)
	return cfg, nil
}

// Client fetches trees from DNS. It caches entries and rate-limits lookups
// across all its users; one Client may serve any number of iterators and
// SyncTree calls at once. A Client starts no goroutines and needs no
// closing.
type Client struct {
	cfg Config // immutable

	mu    sync.Mutex // protects cache and rate
	cache *lru
	rate  *limiter
}

// New returns a client.
func New(cfg Config) (*Client, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Client{
		cfg:   cfg,
		cache: newLRU(cfg.CacheLimit),
		rate:  newLimiter(cfg.Clock, cfg.RateLimit, cfg.RateBurst),
	}, nil
}

// SyncTree fetches the whole tree at url: the root, verified against the
// URL's key, and every entry under it, each verified against its hash.
// It does not follow links; Tree.Links lists them. Any bad or missing
// entry fails the sync, as does a tree with more than MaxTreeEntries
// entries in a subtree.
func (c *Client) SyncTree(ctx context.Context, url string) (t *Tree, err error) {
	defer func() { c.cfg.Metrics.TreeSynced(err) }()
	link, err := ParseURL(url)
	if err != nil {
		return nil, err
	}
	root, err := c.resolveRoot(ctx, link)
	if err != nil {
		return nil, err
	}
	t = &Tree{root: root, entries: make(map[string]entry)}
	for _, sub := range []struct {
		hash string
		kind subtreeKind
	}{{root.eroot, nodeSubtree}, {root.lroot, linkSubtree}} {
		s := newSubtree(sub.hash, sub.kind)
		for !s.done() {
			h := s.missing[0]
			s.missing = s.missing[1:]
			e, err := s.fetch(ctx, c, link.Domain, h)
			if err != nil {
				return nil, err
			}
			t.entries[h] = e
			if s.fetched+len(s.missing) > c.cfg.MaxTreeEntries {
				return nil, fmt.Errorf("%w: more than %d entries under %s", ErrTooManyEntries, c.cfg.MaxTreeEntries, link.Domain)
			}
		}
	}
	return t, nil
}

// lookup runs one rate-limited TXT query under the lookup timeout.
func (c *Client) lookup(ctx context.Context, name string) ([]string, error) {
	if err := c.wait(ctx); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	txts, err := c.cfg.Resolver.LookupTXT(ctx, name)
	if err != nil {
		return nil, err
	}
	if len(txts) > maxAnswers {
		txts = txts[:maxAnswers]
	}
	return txts, nil
}

// candidates returns the texts to try from one name's TXT answers: each
// record, and the records joined in order, for resolvers that return the
// character-strings of one record separately. Texts over MaxRecordSize are
// left out; tooLarge reports whether any was.
func candidates(txts []string) (out []string, tooLarge bool) {
	for _, t := range txts {
		if len(t) > MaxRecordSize {
			tooLarge = true
			continue
		}
		out = append(out, t)
	}
	if len(txts) > 1 {
		n := 0
		for _, t := range txts {
			n += len(t)
		}
		if n <= MaxRecordSize {
			out = append(out, strings.Join(txts, ""))
		} else {
			tooLarge = true
		}
	}
	return out, tooLarge
}

// resolveRoot fetches and verifies the root of the tree at link.
func (c *Client) resolveRoot(ctx context.Context, link *Link) (*rootEntry, error) {
	txts, err := c.lookup(ctx, link.Domain)
	if err != nil {
		return nil, &EntryError{link.Domain, err}
	}
	texts, tooLarge := candidates(txts)
	var firstErr error
	for _, text := range texts {
		if !strings.HasPrefix(text, rootPrefix) {
			continue
		}
		root, err := parseRoot(text)
		if err == nil && !root.verify(link.Pubkey) {
			err = ErrInvalidSig
		}
		if err == nil {
			return root, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	switch {
	case firstErr != nil:
	case tooLarge:
		firstErr = ErrRecordTooLarge
	default:
		firstErr = ErrNoRoot
	}
	return nil, &EntryError{link.Domain, firstErr}
}

// resolveEntry returns the entry named hash under domain, from the cache
// or DNS. The entry's text is checked against hash before it is parsed.
func (c *Client) resolveEntry(ctx context.Context, domain, hash string) (entry, error) {
	name := hash + "." + domain
	if _, err := decodeHash(hash); err != nil {
		return nil, &EntryError{name, err}
	}
	c.mu.Lock()
	e, ok := c.cache.get(hash)
	c.mu.Unlock()
	if ok {
		return e, nil
	}
	txts, err := c.lookup(ctx, name)
	if err != nil {
		return nil, &EntryError{name, err}
	}
	texts, tooLarge := candidates(txts)
	err = ErrNoEntry
	if tooLarge {
		err = ErrRecordTooLarge
	}
	for _, text := range texts {
		if herr := checkHash(hash, text); herr != nil {
			if err == ErrNoEntry {
				err = herr
			}
			continue
		}
		e, perr := parseEntry(text)
		if perr != nil {
			return nil, &EntryError{name, perr}
		}
		c.mu.Lock()
		c.cache.add(hash, e)
		c.mu.Unlock()
		return e, nil
	}
	return nil, &EntryError{name, err}
}

// wait takes a token from the rate limiter, waiting on the clock if there
// is none.
func (c *Client) wait(ctx context.Context) error {
	c.mu.Lock()
	d := c.rate.reserve()
	c.mu.Unlock()
	if d <= 0 {
		return ctx.Err()
	}
	t := c.cfg.Clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// isCanceled reports whether err comes from the caller's own context (not
// a lookup timeout).
func isCanceled(ctx context.Context, err error) bool {
	return ctx.Err() != nil && (errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded))
}
