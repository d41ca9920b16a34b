// Package endpoint predicts our external endpoint (IP and UDP port) from
// what other nodes tell us about it: the "to" endpoint of discv4 Pong
// packets (devp2p discv4.md) and the recipient address of discv5 PONG
// messages (discv5-wire.md) are how a node behind a NAT learns the
// address its packets arrive from.
//
// A statement is (sender, endpoint the sender saw). Statements are
// counted per sender network, not per packet, so one host repeating
// itself — or flooding — is one vote; a prediction needs MinStatements
// votes within Window and a strict majority over the current one, so a
// lying minority never moves it.
package endpoint

import (
	"net/netip"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/internal/netutil"
)

// Defaults for Config's zero values.
const (
	// DefaultWindow is how long a statement counts (go-ethereum: 5 min).
	DefaultWindow = 5 * time.Minute
	// DefaultMinStatements is the number of distinct senders that must
	// agree before an endpoint is predicted (go-ethereum: 10).
	DefaultMinStatements = 10
	// DefaultMaxSenders caps the senders remembered; beyond it the oldest
	// statement is dropped.
	DefaultMaxSenders = 512
)

// Config tunes a Predictor; the zero value gives the defaults.
type Config struct {
	// Window is how long a statement counts. Default DefaultWindow.
	Window time.Duration
	// MinStatements is the number of senders that must agree on an
	// endpoint before it is predicted. Default DefaultMinStatements.
	MinStatements int
	// MaxSenders caps the senders remembered. Default DefaultMaxSenders.
	MaxSenders int
	// Clock is the time source. Default the system clock.
	Clock clock.Clock
}

// Predictor predicts one address family's external endpoint. Use one per
// family: statements about an IPv4 and an IPv6 endpoint never compete.
// It is safe for concurrent use.
type Predictor struct {
	cfg Config

	mu      sync.Mutex
	votes   map[netip.Prefix]vote // by sender network
	current netip.AddrPort        // the prediction, or the zero value
}

type vote struct {
	endpoint netip.AddrPort
	at       time.Time
}

// New returns a Predictor with no statements.
func New(cfg Config) *Predictor {
	if cfg.Window <= 0 {
		cfg.Window = DefaultWindow
	}
	if cfg.MinStatements <= 0 {
		cfg.MinStatements = DefaultMinStatements
	}
	if cfg.MaxSenders <= 0 {
		cfg.MaxSenders = DefaultMaxSenders
	}
	cfg.Clock = clock.OrSystem(cfg.Clock)
	return &Predictor{cfg: cfg, votes: make(map[netip.Prefix]vote)}
}

// Add records that sender saw our endpoint as claimed. A sender's newer
// statement replaces its older one. Add returns the prediction afterwards
// and whether this statement changed it.
//
// The prediction changes to an endpoint when at least MinStatements
// senders within the window name it and more senders name it than any
// other endpoint, the current prediction included. Once made, a prediction stays until another
// endpoint wins that way, even if its own statements expire: what we last
// learned stays our best knowledge. Invalid statements (an invalid or
// unspecified IP, port 0) are ignored.
func (p *Predictor) Add(sender netip.Addr, claimed netip.AddrPort) (netip.AddrPort, bool) {
	claimed = netip.AddrPortFrom(claimed.Addr().Unmap().WithZone(""), claimed.Port())
	if !sender.IsValid() || !claimed.Addr().IsValid() || claimed.Addr().IsUnspecified() || claimed.Port() == 0 {
		return p.Predict(), false
	}
	key := netutil.Source(sender) // one vote per IPv4 address or IPv6 /64
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.cfg.Clock.Now()
	p.expire(now)
	if _, ok := p.votes[key]; !ok && len(p.votes) >= p.cfg.MaxSenders {
		p.dropOldest()
	}
	p.votes[key] = vote{endpoint: claimed, at: now}

	counts := make(map[netip.AddrPort]int)
	for _, v := range p.votes {
		counts[v.endpoint]++
	}
	// The winner must be named by more senders than any other endpoint,
	// the current prediction included: a tie changes nothing.
	var best netip.AddrPort
	bestN, runnerUp := 0, 0
	for ep, n := range counts {
		switch {
		case n > bestN:
			best, bestN, runnerUp = ep, n, bestN
		case n > runnerUp:
			runnerUp = n
		}
	}
	if best == p.current || bestN < p.cfg.MinStatements || bestN == runnerUp || bestN <= counts[p.current] {
		return p.current, false
	}
	p.current = best
	return best, true
}

// Predict returns the current prediction, or the zero AddrPort if there is
// none yet.
func (p *Predictor) Predict() netip.AddrPort {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.current
}

// expire drops statements older than the window.
func (p *Predictor) expire(now time.Time) {
	for k, v := range p.votes {
		if now.Sub(v.at) >= p.cfg.Window {
			delete(p.votes, k)
		}
	}
}

func (p *Predictor) dropOldest() {
	var (
		oldest netip.Prefix
		at     time.Time
	)
	for k, v := range p.votes {
		if !oldest.IsValid() || v.at.Before(at) {
			oldest, at = k, v.at
		}
	}
	delete(p.votes, oldest)
}
