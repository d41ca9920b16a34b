package rlpx

import (
	"crypto/rand"
	"errors"
	"io"
	"time"

	"github.com/golang/snappy"

	"github.com/devp2p-go/devp2p/internal/config"
)

// Defaults applied to zero Config fields.
const (
	// DefaultHandshakeTimeout bounds a handshake whose context has no
	// deadline (go-ethereum allows 5 s for both handshakes together).
	DefaultHandshakeTimeout = 5 * time.Second

	// DefaultAuthTimeout bounds how long a recipient waits for the
	// initiator's complete auth message, the first message of the
	// handshake. An honest initiator sends its auth as soon as TCP is
	// connected, so one second covers a round trip of a few hundred
	// milliseconds plus a lost segment's retransmission, while a silent or
	// trickling client is cut off well before the handshake deadline.
	DefaultAuthTimeout = 1 * time.Second

	// DefaultMaxMessageSize is the largest payload ReadMsg accepts, after
	// snappy decompression: 16 MiB, as reth and go-ethereum's snappy limit (EIP-706).
	DefaultMaxMessageSize = 16 * 1024 * 1024

	// MaxHandshakeSize caps the EIP-8 size prefix of auth and ack messages
	// (go-ethereum since v1.14.6).
	MaxHandshakeSize = 2048
)

// Config tunes a Conn. The zero value is ready to use; every field documents
// its default. The Conn keeps a copy, so later changes to the caller's value
// have no effect.
type Config struct {
	// HandshakeTimeout bounds the handshake when the context passed to
	// Handshake has no deadline. Zero means DefaultHandshakeTimeout (5 s).
	HandshakeTimeout time.Duration

	// AuthTimeout bounds, for a recipient (a Conn made by Server), the time
	// from the start of Handshake until the initiator's auth message has been
	// read in full. The handshake deadline still applies if it is earlier.
	// It has no effect on an initiator. Zero or negative means
	// DefaultAuthTimeout (1 s).
	AuthTimeout time.Duration

	// RejectLegacy turns off acceptance of pre-EIP-8 auth and ack
	// messages. By default both formats are accepted. An initiator always
	// sends an EIP-8 auth; a recipient answers in the format the auth came
	// in (EIP-8), so a pre-EIP-8 auth gets a pre-EIP-8 ack.
	RejectLegacy bool

	// Rand is the source of ephemeral keys, nonces, IVs and padding.
	// Nil means crypto/rand.Reader.
	Rand io.Reader

	// MaxMessageSize is the largest payload ReadMsg accepts, counted after
	// snappy decompression. A frame that could not hold a payload this
	// small is rejected after its header MAC and before its body is read;
	// a snappy block declaring more is rejected before allocating. Zero
	// means DefaultMaxMessageSize (16 MiB). Frames can never exceed the
	// 24-bit frame-size field (16 MiB − 1).
	MaxMessageSize int
}

// ErrInvalidConfig is wrapped by the error Handshake returns for a Config
// it cannot use.
var ErrInvalidConfig = errors.New("rlpx: invalid config")

// check reports a Config Handshake cannot use. The accessors below apply
// the defaults, so a checked Config needs no further preparation.
func (c *Config) check() error {
	ck := config.NewChecker(ErrInvalidConfig)
	config.NonNegative(ck, "HandshakeTimeout", c.HandshakeTimeout)
	config.NonNegative(ck, "AuthTimeout", c.AuthTimeout)
	config.NonNegative(ck, "MaxMessageSize", c.MaxMessageSize)
	return ck.Err()
}

func (c *Config) rand() io.Reader {
	if c.Rand != nil {
		return c.Rand
	}
	return rand.Reader
}

func (c *Config) handshakeTimeout() time.Duration {
	if c.HandshakeTimeout > 0 {
		return c.HandshakeTimeout
	}
	return DefaultHandshakeTimeout
}

func (c *Config) authTimeout() time.Duration {
	if c.AuthTimeout > 0 {
		return c.AuthTimeout
	}
	return DefaultAuthTimeout
}

func (c *Config) maxMessageSize() int {
	if c.MaxMessageSize > 0 {
		return c.MaxMessageSize
	}
	return DefaultMaxMessageSize
}

// maxFrameSize is the largest frame-size accepted under the configured
// message limit.
func (c *Config) maxFrameSize() int { return frameLimit(c.maxMessageSize(), true) }

// frameLimit is the largest frame-size that can carry a payload of at most
// msgLimit bytes, snappy-compressed in the worst case if compressed is set,
// plus a message code of up to 9 bytes; never above the 24-bit field.
func frameLimit(msgLimit int, compressed bool) int {
	n := min(msgLimit, maxFrameSize)
	if compressed {
		if n = snappy.MaxEncodedLen(n); n < 0 {
			return maxFrameSize
		}
	}
	return min(n+9, maxFrameSize)
}
