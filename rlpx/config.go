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
