package server

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/internal/netutil"
)

// Accept retry backoff after temporary errors such as running out of file
// descriptors.
const (
	minAcceptBackoff = 5 * time.Millisecond
	maxAcceptBackoff = time.Second
)

// listenLoop accepts inbound connections until the listener is closed.
// It owns the inbound throttle. At most MaxPendingPeers connections are
// being set up at once: a slot is taken before Accept and given back when
// the connection has become a peer or been refused, so excess connections
// wait in the kernel's accept backlog rather than in our memory.
func (srv *Server) listenLoop(ln net.Listener) {
	defer srv.wg.Done()
	th := newThrottle(srv.clock, inboundThrottleTime, maxThrottleEntries, netutil.IsLAN)
	slots := make(chan struct{}, srv.cfg.MaxPendingPeers)
	backoff := time.Duration(0)
	for {
		select {
		case slots <- struct{}{}:
		case <-srv.ctx.Done():
			return
		}
		fd, err := ln.Accept()
		if err != nil {
			<-slots
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
		if !srv.admitInbound(th, fd) {
			fd.Close()
			<-slots
			continue
		}
		srv.wg.Add(1)
		go func() {
			defer srv.wg.Done()
			defer func() { <-slots }()
			srv.setupConn(srv.ctx, fd, flagInbound, nil)
		}()
	}
}

// admitInbound is the check an inbound connection faces before any
// cryptography: NetRestrict, then the per-IP throttle.
func (srv *Server) admitInbound(th *throttle, fd net.Conn) bool {
	ip := remoteIP(fd)
	switch {
	case !netutil.Allowed(srv.cfg.NetRestrict, ip):
		srv.log.Debug("Inbound connection outside NetRestrict", "addr", fd.RemoteAddr())
		return false
	case !th.allow(ip):
		srv.log.Debug("Inbound connection throttled", "addr", fd.RemoteAddr())
		return false
	}
	return true
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
