package dial

import (
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/internal/config"
	"github.com/devp2p-go/devp2p/metrics"
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
	// MaxDialedConns caps dynamic outbound connections: a discovered node is
	// dialled only while the dynamic outbound peers plus the dynamic dials in
	// flight number fewer than this. The server computes it as
	// MaxPeers / DialRatio. Static nodes do not count. Zero disables dynamic
	// dialing; Nodes is then never read.
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

	// Logger receives debug records of dial outcomes with "id" and "addr"
	// attributes, and the attribute sys=dial. Default: discard.
	Logger *slog.Logger

	// Metrics counts finished dials by kind and result (see ResultOf).
	// Default nil: not counted.
	Metrics *metrics.Dial

	// OnEvent, when set, is called on the scheduler's loop goroutine for
	// every dial started, dial failed and static node backed off. It must
	// return quickly and never block (a server hands the event to its
	// subscribers without waiting) and must not call the Scheduler.
	OnEvent func(Event)
}

// withDefaults checks cfg and returns a copy with every zero field set to
// its documented default. It is the only place defaults are applied.
func (cfg Config) withDefaults() (Config, error) {
	c := config.NewChecker(ErrInvalidConfig)
	config.NonNegative(c, "MaxDialedConns", cfg.MaxDialedConns)
	config.NonNegative(c, "MaxActiveDials", cfg.MaxActiveDials)
	config.NonNegative(c, "HistoryExpiry", cfg.HistoryExpiry)
	config.NonNegative(c, "StaticBackoffMin", cfg.StaticBackoffMin)
	config.NonNegative(c, "StaticBackoffMax", cfg.StaticBackoffMax)
	for _, p := range cfg.NetRestrict {
		c.Check(p.IsValid(), "NetRestrict holds an invalid prefix %v", p)
	}
	if err := c.Err(); err != nil {
		return Config{}, err
	}
	config.Default(&cfg.MaxActiveDials, DefaultMaxActiveDials)
	config.Default[Dialer](&cfg.Dialer, TCPDialer{})
	cfg.NetRestrict = append([]netip.Prefix(nil), cfg.NetRestrict...)
	config.Default(&cfg.HistoryExpiry, DefaultHistoryExpiry)
	config.Default(&cfg.StaticBackoffMin, DefaultStaticBackoffMin)
	config.Default(&cfg.StaticBackoffMax, DefaultStaticBackoffMax)
	if cfg.StaticBackoffMax < cfg.StaticBackoffMin {
		return Config{}, fmt.Errorf("%w: StaticBackoffMax (%v) is below StaticBackoffMin (%v)", ErrInvalidConfig, cfg.StaticBackoffMax, cfg.StaticBackoffMin)
	}
	cfg.Clock = clock.OrSystem(cfg.Clock)
	if cfg.Rand == nil {
		cfg.Rand = config.Rand()
	}
	cfg.Logger = config.Logger(cfg.Logger)
	return cfg, nil
}
