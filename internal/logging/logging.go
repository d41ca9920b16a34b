// Package logging holds the conventions every devp2p layer logs with: one
// "sys" attribute naming the subsystem, a minimum level per subsystem, and
// error attributes that are left out when there is no error.
//
// A layer takes the *slog.Logger of its Config and derives its own with For:
//
//	log := logging.For(cfg.Logger, logging.SysDial)
//	log.Debug("Dial failed", "id", id, logging.Err(err))
//
// and whoever owns the root logger (the server) wraps its handler with
// NewHandler to give subsystems their own levels.
package logging

import (
	"context"
	"log/slog"
	"maps"
)

// Key is the attribute that names a record's subsystem.
const Key = "sys"

// The subsystems, the values of the "sys" attribute.
const (
	SysServer   = "server"   // admission, the peer set, lifecycle
	SysDial     = "dial"     // the dial scheduler
	SysPeer     = "peer"     // peer run loops and protocol multiplexing
	SysDiscover = "discover" // discv4, discv5 and the table
	SysDNS      = "dns"      // EIP-1459 DNS discovery
	SysNAT      = "nat"      // port mapping and the external address
)

// For returns l with the attribute sys=sys, or a logger that discards
// everything when l is nil. Derive each subsystem's logger from the root
// logger, not from another subsystem's: the last "sys" attribute decides the
// level, and both would be printed.
func For(l *slog.Logger, sys string) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return l.With(Key, sys)
}

// Err returns the attribute err=err, or, when err is nil, the empty
// attribute, which slog handlers omit: a log line never says err=<nil>.
func Err(err error) slog.Attr {
	if err == nil {
		return slog.Attr{}
	}
	return slog.Any("err", err)
}

// Levels gives subsystems their own minimum levels.
type Levels struct {
	// Default is the minimum level of records that belong to no subsystem
	// or to one not in Sys. Default: nil, which leaves them to the wrapped
	// handler's own Enabled.
	Default slog.Leveler

	// Sys maps a subsystem ("dial", "discover", …) to its minimum level. A
	// *slog.LevelVar can be changed while the node runs. Default: empty.
	Sys map[string]slog.Leveler
}

// NewHandler returns a handler that passes to h the records at or above the
// minimum level of their subsystem, the subsystem being the last "sys"
// attribute given to Logger.With (as For does) outside any group. Levels set
// here override h's own level, in both directions: a subsystem at Debug logs
// Debug records even when h is at Info. The map in lv is copied.
func NewHandler(h slog.Handler, lv Levels) slog.Handler {
	lv.Sys = maps.Clone(lv.Sys)
	return &handler{inner: h, levels: &lv, min: lv.Default}
}

type handler struct {
	inner   slog.Handler
	levels  *Levels      // immutable, shared by derived handlers
	min     slog.Leveler // of this handler's subsystem; nil defers to inner
	grouped bool         // attributes now go into a group and name no subsystem
}

// Enabled implements slog.Handler.
func (h *handler) Enabled(ctx context.Context, l slog.Level) bool {
	if h.min == nil {
		return h.inner.Enabled(ctx, l)
	}
	return l >= h.min.Level()
}

// Handle implements slog.Handler.
func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	return h.inner.Handle(ctx, r)
}

// WithAttrs implements slog.Handler. A "sys" attribute outside any group
// selects the subsystem's level.
func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := *h
	c.inner = h.inner.WithAttrs(attrs)
	if !h.grouped {
		for _, a := range attrs {
			if a.Key != Key {
				continue
			}
			if lv, ok := h.levels.Sys[a.Value.Resolve().String()]; ok {
				c.min = lv
			} else {
				c.min = h.levels.Default
			}
		}
	}
	return &c
}

// WithGroup implements slog.Handler.
func (h *handler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	c := *h
	c.inner = h.inner.WithGroup(name)
	c.grouped = true
	return &c
}
