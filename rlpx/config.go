package rlpx

import (
	"crypto/rand"
	"io"
	"time"

	"github.com/golang/snappy"
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
	// snappy decompression: 16 MiB, as reth and PROTOCOL.md §1.7 decide.
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
	// messages. By default both formats are accepted; only EIP-8 is ever
	// sent.
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

// maxFrameSize is the largest frame-size accepted: room for the largest
// payload, snappy-compressed in the worst case, plus a 9-byte message code;
// never above the 24-bit field.
func (c *Config) maxFrameSize() int { return frameLimit(c.maxMessageSize()) }

// frameLimit is the largest frame-size that can carry a payload of at most
// msgLimit bytes.
func frameLimit(msgLimit int) int {
	n := snappy.MaxEncodedLen(min(msgLimit, maxFrameSize))
	if n < 0 {
		return maxFrameSize
	}
	return min(n+9, maxFrameSize)
}
