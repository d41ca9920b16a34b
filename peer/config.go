package peer

import (
	"errors"
	"log/slog"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/internal/config"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/rlpx"
)

// Config tunes a Peer. The zero value is ready to use; every field documents
// its default. Negative durations or counts, and a MaxMessageSize above the
// 16 MiB ceiling, are rejected by New with an error wrapping
// ErrInvalidConfig.
type Config struct {
	// Clock drives the keepalive ping timer and the inbound ping rate
	// limit. Default: the system clock. Network deadlines (ReadTimeout,
	// WriteTimeout, the 2 s given to a Disconnect) always use real time,
	// since the connection measures them.
	Clock clock.Clock

	// Logger receives debug messages about the peer, with "peer" and
	// "addr" attributes and sys=peer. Default: discard.
	Logger *slog.Logger

	// PingInterval is how often we ping. Default 15 s.
	PingInterval time.Duration

	// ReadTimeout drops a peer that sends nothing for this long: each read
	// of a frame has this deadline. Default 30 s, as go-ethereum; the
	// remote's pings keep a healthy link busier than that.
	ReadTimeout time.Duration

	// WriteTimeout bounds each message write. Default 20 s.
	WriteTimeout time.Duration

	// MaxMessageSize is the largest decoded message accepted from the peer
	// for a protocol whose Protocol.MaxMessageSize is zero. A larger one
	// disconnects with DiscProtocolError. Default and ceiling 16 MiB. The
	// largest limit of the shared protocols is also the connection's read
	// limit (see New), so a frame above it is refused unread.
	MaxMessageSize uint32

	// QueueLength and QueueBytes bound the received messages buffered for
	// each protocol: once QueueLength messages wait, or QueueBytes bytes
	// or more, the reader waits for the protocol to take one, which in
	// turn stops reading from the connection (backpressure). A message
	// larger than QueueBytes is still queued alone, so the memory held per
	// protocol stays below QueueBytes + 2 × its MaxMessageSize (queue plus
	// the one the reader holds). Defaults: 4 messages and 1 MiB.
	QueueLength int // messages queued per protocol; default 4
	QueueBytes  int // bytes queued per protocol; default 1 MiB

	// PingBurst and PingRefill rate-limit inbound pings with a token bucket
	// that holds PingBurst tokens and gains one every PingRefill. A ping
	// with no token left disconnects with DiscProtocolError. Defaults: 10
	// and 1 s.
	PingBurst  int           // the bucket's size in pings; default 10
	PingRefill time.Duration // the time to gain one ping; default 1 s

	// Metrics counts every message in and out by protocol and code
	// (decoded and wire bytes) in a node's metrics, from New on (the
	// Hello exchange before it is not counted); a server hands every peer
	// the node's. Default nil: not counted. Counting allocates nothing.
	Metrics *metrics.Traffic

	// Trace, when set, is called for every message read from or written
	// to the peer, on the goroutine that moved it: it must be quick and
	// must not block or call back into the peer. For debugging; default
	// nil.
	Trace func(MsgTrace)
}

// Defaults of Config.
const (
	DefaultPingInterval   = 15 * time.Second
	DefaultReadTimeout    = 30 * time.Second
	DefaultWriteTimeout   = 20 * time.Second
	DefaultMaxMessageSize = rlpx.DefaultMaxMessageSize
	DefaultQueueLength    = 4
	DefaultQueueBytes     = 1 << 20
	DefaultPingBurst      = 10
	DefaultPingRefill     = time.Second
)

// ErrInvalidConfig is wrapped by the error New returns for a Config it
// cannot use.
var ErrInvalidConfig = errors.New("peer: invalid config")

// withDefaults checks c and returns it with every zero field set to its
// default. It is the only place defaults are applied.
func (c Config) withDefaults() (Config, error) {
	ck := config.NewChecker(ErrInvalidConfig)
	config.NonNegative(ck, "PingInterval", c.PingInterval)
	config.NonNegative(ck, "ReadTimeout", c.ReadTimeout)
	config.NonNegative(ck, "WriteTimeout", c.WriteTimeout)
	config.NonNegative(ck, "QueueLength", c.QueueLength)
	config.NonNegative(ck, "QueueBytes", c.QueueBytes)
	config.NonNegative(ck, "PingBurst", c.PingBurst)
	config.NonNegative(ck, "PingRefill", c.PingRefill)
	ck.Check(c.MaxMessageSize <= DefaultMaxMessageSize, "MaxMessageSize %d is above the %d-byte ceiling", c.MaxMessageSize, DefaultMaxMessageSize)
	if err := ck.Err(); err != nil {
		return Config{}, err
	}
	c.Clock = clock.OrSystem(c.Clock)
	c.Logger = config.Logger(c.Logger)
	config.Default(&c.PingInterval, DefaultPingInterval)
	config.Default(&c.ReadTimeout, DefaultReadTimeout)
	config.Default(&c.WriteTimeout, DefaultWriteTimeout)
	config.Default(&c.MaxMessageSize, DefaultMaxMessageSize)
	config.Default(&c.QueueLength, DefaultQueueLength)
	config.Default(&c.QueueBytes, DefaultQueueBytes)
	config.Default(&c.PingBurst, DefaultPingBurst)
	config.Default(&c.PingRefill, DefaultPingRefill)
	return c, nil
}

// Validate reports whether New would accept c: nil, or an error wrapping
// ErrInvalidConfig. A server calls it when it is configured, so that a bad
// Config is refused then rather than on the first connection.
func (c Config) Validate() error {
	_, err := c.withDefaults()
	return err
}
