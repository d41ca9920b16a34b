package main

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nat"
)

// keepMapped puts n's external address into ln and, unless the socket is
// on loopback, maps its UDP port, renewing the mapping at 4/5 of each
// lease. The first round is done before it returns, bounded by 10 s. The
// returned function stops the renewals and removes the mapping.
func keepMapped(ctx context.Context, n nat.Interface, ln *discover.LocalNode, bound netip.AddrPort, log *slog.Logger) (stop func()) {
	var mapped nat.Mapping
	round := func(ctx context.Context) time.Duration {
		next := 5 * time.Minute
		if ip, err := n.ExternalIP(ctx); err == nil {
			ln.SetStaticIP(ip)
		} else {
			log.Warn("NAT: no usable external address", "nat", n, "err", err)
			next = time.Minute
		}
		if bound.Addr().IsLoopback() {
			return next
		}
		ask := bound.Port()
		if mapped.ExternalPort != 0 {
			ask = mapped.ExternalPort
		}
		m, err := n.Map(ctx, nat.UDP, bound.Port(), ask, nat.DefaultLifetime, "devp2p bootnode")
		switch {
		case errors.Is(err, nat.ErrNoMapping):
		case err != nil:
			log.Warn("NAT: mapping failed", "nat", n, "err", err)
			next = time.Minute
		default:
			mapped = m
			ln.SetUDP(m.ExternalPort)
			log.Info("NAT: mapped", "nat", n, "internal", bound.Port(), "external", m.ExternalPort, "lifetime", m.Lifetime)
			if m.Lifetime > 0 {
				next = min(next, m.Lifetime-m.Lifetime/5)
			}
		}
		return max(next, time.Second)
	}
	first, cancel := context.WithTimeout(ctx, 10*time.Second)
	next := round(first)
	cancel()

	loopCtx, stopLoop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() {
		t := time.NewTimer(next)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				rctx, cancel := context.WithTimeout(loopCtx, 30*time.Second)
				t.Reset(round(rctx))
				cancel()
			case <-loopCtx.Done():
				return
			}
		}
	})
	return func() {
		stopLoop()
		wg.Wait()
		if mapped.ExternalPort != 0 {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			n.Unmap(ctx, mapped)
			cancel()
		}
	}
}
