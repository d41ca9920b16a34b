// Package config holds the one mechanism every devp2p package uses to check
// its Config and apply defaults, so that each package rejects bad values the
// same way: an error wrapping the package's ErrInvalidConfig sentinel that
// names the field.
package config

import (
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
)

// Checker records the first invalid field of a Config.
type Checker struct {
	sentinel error
	err      error
}

// NewChecker returns a Checker whose errors wrap sentinel.
func NewChecker(sentinel error) *Checker { return &Checker{sentinel: sentinel} }

// Check records an error built from format and args unless ok holds. Only the
// first failed check is kept.
func (c *Checker) Check(ok bool, format string, args ...any) {
	if !ok && c.err == nil {
		c.err = fmt.Errorf("%w: %s", c.sentinel, fmt.Sprintf(format, args...))
	}
}

// Err returns the first recorded error, or nil.
func (c *Checker) Err() error { return c.err }

// NonNegative records an error if the field called name holds a negative
// value. Zero is always allowed: it selects the field's default.
func NonNegative[T ~int | ~int32 | ~int64](c *Checker, name string, v T) {
	c.Check(v >= 0, "%s is negative (%v)", name, v)
}

// Default sets *field to def when it holds its zero value.
func Default[T comparable](field *T, def T) {
	var zero T
	if *field == zero {
		*field = def
	}
}

// Logger returns l, or a logger that discards everything when l is nil.
func Logger(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l
}

// Rand returns a generator seeded from crypto/rand, for the random choices of
// schedulers and tables (never for keys or nonces).
func Rand() *mrand.Rand {
	var seed [16]byte
	if _, err := rand.Read(seed[:]); err != nil {
		// crypto/rand.Read does not fail on supported platforms (Go 1.24+
		// crashes the program instead); keep a seeded fallback anyway.
		return mrand.New(mrand.NewPCG(mrand.Uint64(), mrand.Uint64()))
	}
	return mrand.New(mrand.NewPCG(binary.LittleEndian.Uint64(seed[:8]), binary.LittleEndian.Uint64(seed[8:])))
}
