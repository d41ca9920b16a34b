package peer

import (
	"log/slog"
	"time"

	"github.com/devp2p-go/devp2p/clock"
)

// Config tunes a Peer. The zero value is ready to use; every field documents
// its default.
type Config struct {
	// Clock drives the keepalive ping timer and the inbound ping rate
	// limit. Default: the system clock. Network deadlines (ReadTimeout,
	// WriteTimeout, the 2 s given to a Disconnect) always use real time,
	// since the connection measures them.
	Clock clock.Clock

	// Log receives debug messages about the peer. Default: discard.
	Log *slog.Logger

	// Inbound records that the remote dialed us. Only Inbound() reports it.
	Inbound bool

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
	QueueLength int
	QueueBytes  int

	// PingBurst and PingRefill rate-limit inbound pings with a token bucket
	// that holds PingBurst tokens and gains one every PingRefill. A ping
	// with no token left disconnects with DiscProtocolError. Defaults: 10
	// and 1 s.
	PingBurst  int
	PingRefill time.Duration
}

// Defaults of Config.
const (
	DefaultPingInterval   = 15 * time.Second
	DefaultReadTimeout    = 30 * time.Second
	DefaultWriteTimeout   = 20 * time.Second
	DefaultMaxMessageSize = 16 * 1024 * 1024
	DefaultQueueLength    = 4
	DefaultQueueBytes     = 1 << 20
	DefaultPingBurst      = 10
	DefaultPingRefill     = time.Second
)

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	c.Clock = clock.OrSystem(c.Clock)
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	if c.PingInterval <= 0 {
		c.PingInterval = DefaultPingInterval
	}
	if c.ReadTimeout <= 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.WriteTimeout <= 0 {
		c.WriteTimeout = DefaultWriteTimeout
	}
	if c.MaxMessageSize == 0 || c.MaxMessageSize > DefaultMaxMessageSize {
		c.MaxMessageSize = DefaultMaxMessageSize
	}
	if c.QueueLength <= 0 {
		c.QueueLength = DefaultQueueLength
	}
	if c.QueueBytes <= 0 {
		c.QueueBytes = DefaultQueueBytes
	}
	if c.PingBurst <= 0 {
		c.PingBurst = DefaultPingBurst
	}
	if c.PingRefill <= 0 {
		c.PingRefill = DefaultPingRefill
	}
	return c
}
