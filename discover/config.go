package discover

import (
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/internal/config"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Defaults for the zero values of Config.
const (
	// DefaultResponseTimeout is how long a request waits for its reply.
	DefaultResponseTimeout = 500 * time.Millisecond
	// DefaultBondExpiration is how long an endpoint proof lasts (discv4.md).
	DefaultBondExpiration = 12 * time.Hour
	// DefaultRefreshInterval is how often the table runs refresh lookups.
	DefaultRefreshInterval = 30 * time.Minute
	// DefaultRevalidateInterval is the mean delay between two liveness
	// checks of table entries.
	DefaultRevalidateInterval = 10 * time.Second
	// DefaultMaxPendingReplies bounds the requests waiting for a reply.
	DefaultMaxPendingReplies = 1024

	// expirationWindow is how far in the future our packets expire.
	expirationWindow = 20 * time.Second
)

// UDPConn is the packet socket the transport runs on. *net.UDPConn
// implements it; tests use an in-memory pipe. Close must unblock a pending
// ReadFromUDPAddrPort, and WriteToUDPAddrPort must be safe for concurrent
// use.
type UDPConn interface {
	ReadFromUDPAddrPort(b []byte) (n int, addr netip.AddrPort, err error)
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error)
	Close() error
	LocalAddr() net.Addr
}

// Config tunes Listen. The zero value works: every zero field gets the
// default documented on it, and negative durations or counts are rejected
// with ErrInvalidConfig. Listen copies the Config; later changes to it have
// no effect.
type Config struct {
	// LocalNode holds our signed record; it must belong to the key passed
	// to Listen. When nil, Listen makes one from the key and the socket's
	// address. A server passes its own so that the record also announces
	// its TCP port.
	LocalNode *LocalNode

	// Bootnodes are contacted when the table is empty and at every refresh.
	Bootnodes []*Node

	// NodeDB stores bonds, findnode failures and seen nodes. When nil, an
	// in-memory database is opened and closed with the transport.
	NodeDB *DB

	// NetRestrict, when non-empty, is an allow-list: packets from and nodes
	// at addresses outside it are ignored.
	NetRestrict []netip.Prefix

	// Clock is the time source; nil means the system clock.
	Clock clock.Clock

	// Rand drives random choices (lookup targets, revalidation, replacement
	// promotion). It is used under an internal lock. nil means a generator
	// seeded from crypto/rand.
	Rand *rand.Rand

	// Logger receives debug-level events, with the attribute
	// sys=discover. nil discards them.
	Logger *slog.Logger

	// Metrics counts packets in and out by type, dropped packets by
	// reason, lookups and their duration, and the table's size. nil: not
	// counted.
	Metrics *metrics.Discovery

	// ResponseTimeout is how long a request waits for its reply;
	// zero means DefaultResponseTimeout (500 ms).
	ResponseTimeout time.Duration
	// BondExpiration is how long an endpoint proof lasts; zero means
	// DefaultBondExpiration (12 h).
	BondExpiration time.Duration
	// RefreshInterval is how often the table runs refresh lookups; zero
	// means DefaultRefreshInterval (30 min).
	RefreshInterval time.Duration
	// RevalidateInterval is the mean delay between liveness checks of table
	// entries; zero means DefaultRevalidateInterval (10 s).
	RevalidateInterval time.Duration
	// MaxPendingReplies bounds the requests waiting for a reply; zero means
	// DefaultMaxPendingReplies (1024). Requests over the bound fail at once
	// with ErrTooManyPending.
	MaxPendingReplies int

	// V5 configures discv5 (see V5Config).
	V5 V5Config
}

// withDefaults checks cfg against the node key and returns a copy with every
// default applied. It is the only place defaults are decided.
func (cfg Config) withDefaults(key *secp256k1.PrivateKey) (Config, error) {
	c := config.NewChecker(ErrInvalidConfig)
	c.Check(key != nil, "the node key is nil")
	c.Check(key == nil || cfg.LocalNode == nil || cfg.LocalNode.ID() == nodeid.FromPubkey(ethcrypto.PubkeyOf(key)),
		"LocalNode belongs to another key")
	config.NonNegative(c, "ResponseTimeout", cfg.ResponseTimeout)
	config.NonNegative(c, "BondExpiration", cfg.BondExpiration)
	config.NonNegative(c, "RefreshInterval", cfg.RefreshInterval)
	config.NonNegative(c, "RevalidateInterval", cfg.RevalidateInterval)
	config.NonNegative(c, "MaxPendingReplies", cfg.MaxPendingReplies)
	for _, p := range cfg.NetRestrict {
		c.Check(p.IsValid(), "NetRestrict holds an invalid prefix %v", p)
	}
	if err := c.Err(); err != nil {
		return Config{}, err
	}
	cfg.Clock = clock.OrSystem(cfg.Clock)
	if cfg.Rand == nil {
		cfg.Rand = config.Rand()
	}
	cfg.Logger = config.Logger(cfg.Logger)
	config.Default(&cfg.ResponseTimeout, DefaultResponseTimeout)
	config.Default(&cfg.BondExpiration, DefaultBondExpiration)
	config.Default(&cfg.RefreshInterval, DefaultRefreshInterval)
	config.Default(&cfg.RevalidateInterval, DefaultRevalidateInterval)
	config.Default(&cfg.MaxPendingReplies, DefaultMaxPendingReplies)
	cfg.Bootnodes = append([]*Node(nil), cfg.Bootnodes...)
	cfg.NetRestrict = append([]netip.Prefix(nil), cfg.NetRestrict...)
	return cfg, nil
}
