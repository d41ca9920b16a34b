package server

import (
	"context"
	"net"

	"github.com/devp2p-go/devp2p/dial"
	"github.com/devp2p-go/devp2p/discover"
)

// startDialing creates the dial scheduler and hands it the static nodes.
// Called by Start with mu held.
func (srv *Server) startDialing() error {
	cfg := dial.Config{
		MaxDialedConns:   srv.cfg.dialLimit(),
		MaxActiveDials:   srv.cfg.MaxPendingDials,
		Dialer:           srv.cfg.Dialer,
		NetRestrict:      srv.cfg.NetRestrict,
		HistoryExpiry:    srv.cfg.DialHistoryExpiry,
		StaticBackoffMin: srv.cfg.StaticBackoffMin,
		StaticBackoffMax: srv.cfg.StaticBackoffMax,
		Clock:            srv.clock,
		Logger:           srv.root,
		Metrics:          srv.metrics.Dial,
		OnEvent:          srv.dialEvent,
	}
	if r := srv.resolver(); r != nil {
		cfg.Resolver = r
	}
	nodes, err := srv.dialSources()
	if err != nil {
		return err
	}
	cfg.Nodes = nodes
	sched, err := dial.New(srv.id, cfg, srv.setupDialed)
	if err != nil {
		if cfg.Nodes != nil {
			cfg.Nodes.Close()
		}
		return err
	}
	srv.scheduler = sched
	for _, n := range srv.static {
		sched.AddStatic(n)
	}
	return nil
}

// dialScheduler returns the scheduler, nil if dialing is off.
func (srv *Server) dialScheduler() *dial.Scheduler {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.scheduler
}

// setupDialed is the scheduler's SetupFunc.
func (srv *Server) setupDialed(ctx context.Context, fd net.Conn, n *discover.Node, static bool) error {
	flags := flagDynDial
	if static {
		flags = flagStaticDial
	}
	return srv.setupConn(ctx, fd, flags, n)
}
