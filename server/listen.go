package server

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/internal/netutil"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Accept retry backoff after temporary errors such as running out of file
// descriptors.
const (
	minAcceptBackoff = 5 * time.Millisecond
	maxAcceptBackoff = time.Second
)

// listenLoop accepts inbound connections until the listener is closed.
// It owns the inbound throttle. It never waits for a handshake slot: each
// connection it accepts is checked (admitInbound) and then refused, admitted,
// or admitted in place of a stalled one (see pendingSet), so a new
// connection never queues in the kernel's backlog behind connections that
// hold their slots without sending anything. The one wait is for evicted
// connections' goroutines to end, which they do as soon as they run.
func (srv *Server) listenLoop(ln net.Listener) {
	defer srv.wg.Done()
	th := newThrottle(srv.clock, inboundThrottleTime, maxThrottleEntries, netutil.IsLAN)
	backoff := time.Duration(0)
	for {
		// Never more than MaxPendingPeers evicted connections closing.
		if srv.pending.waitEvictions(srv.ctx) != nil {
			return
		}
		fd, err := ln.Accept()
		if err != nil {
			if srv.ctx.Err() != nil || errors.Is(err, net.ErrClosed) {
				return
			}
			// Temporary trouble (EMFILE and the like): back off and retry.
			backoff = min(max(2*backoff, minAcceptBackoff), maxAcceptBackoff)
			srv.log.Debug("Accept failed", "err", err, "retry", backoff)
			t := time.NewTimer(backoff)
			select {
			case <-t.C:
			case <-srv.ctx.Done():
				t.Stop()
				return
			}
			continue
		}
		backoff = 0
		if srv.ctx.Err() != nil {
			fd.Close()
			return
		}
		srv.admitInbound(th, fd)
	}
}

// admitInbound decides on an accepted connection before any cryptography:
// NetRestrict, the throttle, then a handshake slot. It either closes fd or
// starts the connection's setup in a goroutine of its own; it never blocks.
func (srv *Server) admitInbound(th *throttle, fd net.Conn) {
	if res := srv.screenInbound(th, fd); res != metrics.ConnOK {
		fd.Close()
		srv.inboundDone(fd.RemoteAddr(), nodeid.ID{}, nil, res)
		return
	}
	ip := remoteIP(fd)
	c := srv.newConn(fd, nil)
	pc := &pendingConn{ip: ip.WithZone(""), subnet: subnetOf(ip), authed: c.AuthReceived, evict: func() { c.Close() }}
	victim, res := srv.pending.admit(pc)
	if res != pendingAdmitted {
		srv.log.Debug("Inbound connection refused", "addr", fd.RemoteAddr(), "why", res)
		fd.Close()
		srv.inboundDone(fd.RemoteAddr(), nodeid.ID{}, nil, metrics.ConnPendingCap)
		return
	}
	if victim != nil {
		// The victim may finish reading its auth between the decision and
		// this Close; it loses its slot all the same.
		srv.log.Debug("Pending inbound connection evicted", "ip", victim.ip, "for", fd.RemoteAddr())
		victim.evict()
	}
	srv.wg.Add(1)
	go func() {
		defer srv.wg.Done()
		// The slot is handed back when the connection has reserved a peer
		// slot, or when its setup ends without one.
		release := func() { srv.pending.release(pc) }
		defer release()
		err := srv.setupRLPx(srv.ctx, c, flagInbound, nil, release)
		srv.inboundSetupDone(c, pc, err)
	}()
}

// remoteIP returns the IP of a connection's remote end, or the zero Addr
// if it has none (which the checks then treat as any other address).
func remoteIP(fd net.Conn) netip.Addr {
	if a, ok := fd.RemoteAddr().(*net.TCPAddr); ok {
		return a.AddrPort().Addr().Unmap()
	}
	if ap, err := netip.ParseAddrPort(fd.RemoteAddr().String()); err == nil {
		return ap.Addr().Unmap()
	}
	return netip.Addr{}
}

// screenInbound makes the checks done on an accepted connection before any
// cryptography: NetRestrict and the per-source throttle. It logs a refusal
// and returns its result (ConnOK when fd passes); the caller closes fd.
func (srv *Server) screenInbound(th *throttle, fd net.Conn) metrics.ConnResult {
	ip := remoteIP(fd)
	switch {
	case !netutil.Allowed(srv.cfg.NetRestrict, ip):
		srv.log.Debug("Inbound connection outside NetRestrict", "addr", fd.RemoteAddr())
		return metrics.ConnNetRestrict
	case !th.allow(ip):
		srv.log.Debug("Inbound connection throttled", "addr", fd.RemoteAddr())
		return metrics.ConnThrottled
	}
	return metrics.ConnOK
}
