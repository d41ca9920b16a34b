package dial

import (
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Defaults applied by New to zero fields of Config.
const (
	DefaultMaxActiveDials   = 16
	DefaultHistoryExpiry    = 30 * time.Second
	DefaultStaticBackoffMin = 5 * time.Second
	DefaultStaticBackoffMax = 5 * time.Minute
	DefaultDialTimeout      = 15 * time.Second
)

// staticStableAfter is how long a static peer must stay connected for its
// backoff to start again from StaticBackoffMin when it disconnects. A peer
// that is dropped sooner (typically a remote that is full and sends "too many
// peers" right after Hello) keeps climbing the backoff ladder, so it is not
// redialled every few seconds forever.
const staticStableAfter = 30 * time.Second

// Config configures a Scheduler. The zero value is usable: it dials only
// static nodes, over TCP, on the system clock, without logging. New copies
// the Config; changing it afterwards has no effect.
type Config struct {
	// Self is the local node's ID. The scheduler never dials it.
	Self nodeid.ID

	// MaxDialedConns caps dynamic outbound connections: a discovered node is
	// dialled only while the dynamic outbound peers plus the dynamic dials in
	// flight number fewer than this. The server computes it as
	// MaxPeers / DialRatio. Static nodes do not count. Zero (or negative)
	// disables dynamic dialing; Nodes is then never read.
	MaxDialedConns int

	// MaxActiveDials bounds the dials in flight, static and dynamic together
	// (go-ethereum's MaxPendingPeers for outbound). Default
	// DefaultMaxActiveDials (16).
	MaxActiveDials int

	// Nodes supplies discovered nodes to dial, typically
	// (*discover.UDPv4).RandomNodes(). The Scheduler takes ownership: it reads
	// Nodes from a goroutine of its own and closes it on Stop. Nil means
	// static nodes only.
	Nodes NodeIterator

	// Dialer opens connections. Default: TCPDialer{} (15 s timeout).
	Dialer Dialer

	// Resolver looks up fresh records of static nodes whose last dial failed
	// or that have no endpoint yet. Nil disables resolution; such nodes are
	// redialled at their last known address.
	Resolver Resolver

	// NetRestrict, when non-empty, is an allow-list: only addresses inside
	// one of these prefixes are dialled. Empty allows every address.
	NetRestrict []netip.Prefix

	// HistoryExpiry is how long a dialled dynamic node stays in the dial
	// history, during which it is not dialled again. Default
	// DefaultHistoryExpiry (30 s).
	HistoryExpiry time.Duration

	// StaticBackoffMin and StaticBackoffMax bound the delay before a static
	// node is redialled. After each failed dial, or a disconnect within 30 s
	// of connecting, the delay doubles from StaticBackoffMin up to
	// StaticBackoffMax; it starts again from StaticBackoffMin once a peer has
	// stayed connected for 30 s. Defaults DefaultStaticBackoffMin (5 s) and
	// DefaultStaticBackoffMax (5 min).
	StaticBackoffMin time.Duration
	StaticBackoffMax time.Duration

	// Clock is the time source for backoff and history. Default clock.System.
	Clock clock.Clock

	// Rand picks which static nodes to dial first when more are due than
	// there are free dial slots. It is used only by the scheduler's loop
	// goroutine, so it must not be shared. Default: randomly seeded.
	Rand *rand.Rand

	// Log receives debug records of dial outcomes with "id" and "addr"
	// attributes. Default: discard.
	Log *slog.Logger
}

// withDefaults returns a copy of cfg with every zero field set to its
// documented default.
func (cfg Config) withDefaults() Config {
	if cfg.MaxDialedConns < 0 {
		cfg.MaxDialedConns = 0
	}
	if cfg.MaxActiveDials <= 0 {
		cfg.MaxActiveDials = DefaultMaxActiveDials
	}
	if cfg.Dialer == nil {
		cfg.Dialer = TCPDialer{}
	}
	cfg.NetRestrict = append([]netip.Prefix(nil), cfg.NetRestrict...)
	if cfg.HistoryExpiry <= 0 {
		cfg.HistoryExpiry = DefaultHistoryExpiry
	}
	if cfg.StaticBackoffMin <= 0 {
		cfg.StaticBackoffMin = DefaultStaticBackoffMin
	}
	if cfg.StaticBackoffMax <= 0 {
		cfg.StaticBackoffMax = DefaultStaticBackoffMax
	}
	if cfg.StaticBackoffMax < cfg.StaticBackoffMin {
		cfg.StaticBackoffMax = cfg.StaticBackoffMin
	}
	cfg.Clock = clock.OrSystem(cfg.Clock)
	if cfg.Rand == nil {
		cfg.Rand = rand.New(rand.NewPCG(rand.Uint64(), rand.Uint64()))
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return cfg
}
