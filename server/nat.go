package server

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/internal/logging"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nat"
)

// NAT timing. Leases are short (as go-ethereum's), so that a node that
// crashed leaves no mapping behind for long; each is renewed once four
// fifths of it has passed.
const (
	// natStartTimeout bounds the first round of mapping, which Start waits
	// for so that Self shows the mapped endpoint when Start returns.
	natStartTimeout = 10 * time.Second
	// natRoundTimeout bounds each later round.
	natRoundTimeout = 30 * time.Second
	// natRetry is the wait after a failed round.
	natRetry = time.Minute
	// natRecheck is the longest wait between two rounds: the external IP
	// is checked again at least this often.
	natRecheck = 5 * time.Minute
	// natUnmapTimeout bounds removing one mapping on Close.
	natUnmapTimeout = 2 * time.Second
)

// natPort is one port we map and what the gateway granted for it.
type natPort struct {
	proto    nat.Protocol
	internal uint16
	mapped   nat.Mapping // ExternalPort 0 until granted
	failing  bool        // the last attempt failed; logged once per streak
}

// metric is the transport label of p's mapping metrics.
func (p *natPort) metric() metrics.Transport {
	if p.proto == nat.UDP {
		return metrics.UDP
	}
	return metrics.TCP
}

// natMapper keeps our ports mapped and our record's endpoint in line
// with the gateway. Its fields below ready are owned by the loop
// goroutine, then by Close once the loop has been joined.
type natMapper struct {
	ready chan struct{} // closed after the first round

	srv    *Server
	nat    nat.Interface
	ln     *discover.LocalNode
	ports  []*natPort
	extIP  netip.Addr
	noMaps bool // the method maps nothing (extip, STUN)
	warned bool // a non-public external address was logged
}

// startNAT starts the loop that maps the TCP listener and the discovery
// port (udp 0: none) and renews the mappings; Start waits for m.ready, the
// end of its first round. Loopback listeners are not mapped: no gateway
// forwards to them. Called by Start with mu held.
func (srv *Server) startNAT(tcp netip.AddrPort, udp uint16) {
	m := &natMapper{ready: make(chan struct{}), srv: srv, nat: srv.cfg.NAT, ln: srv.localNode}
	if !tcp.Addr().IsLoopback() {
		m.ports = append(m.ports, &natPort{proto: nat.TCP, internal: tcp.Port()})
		if udp != 0 {
			m.ports = append(m.ports, &natPort{proto: nat.UDP, internal: udp})
		}
	}
	srv.nat = m
	srv.wg.Add(1)
	go m.loop()
}

// loop makes the first round, bounded by natStartTimeout, then renews
// mappings until the server closes.
func (m *natMapper) loop() {
	defer m.srv.wg.Done()
	ctx, cancel := context.WithTimeout(m.srv.ctx, natStartTimeout)
	next := m.round(ctx)
	cancel()
	close(m.ready)
	timer := m.srv.clock.NewTimer(next)
	defer timer.Stop()
	for {
		select {
		case <-timer.C():
			ctx, cancel := context.WithTimeout(m.srv.ctx, natRoundTimeout)
			next = m.round(ctx)
			cancel()
			timer.Reset(next)
		case <-m.srv.ctx.Done():
			return
		}
	}
}

// round checks the external IP and maps (or renews) every port. It
// returns the wait until the next round.
func (m *natMapper) round(ctx context.Context) time.Duration {
	log := logging.For(m.srv.root, logging.SysNAT).With("nat", m.nat.String())
	next, failed := natRecheck, false

	ip, err := m.nat.ExternalIP(ctx)
	switch {
	case errors.Is(err, nat.ErrNotPublic):
		// Behind a second NAT: what the gateway sees is not what the
		// Internet sees. Leave the address to peers' statements.
		if !m.warned {
			log.Warn("NAT gateway reports a non-public external address; not advertising it", "err", err)
			m.warned = true
		}
	case err != nil:
		log.Debug("NAT external address unknown", "err", err)
		failed = true
	case ip != m.extIP:
		m.extIP = ip
		m.ln.SetStaticIP(ip)
		log.Info("NAT external address", "ip", ip)
	}

	for _, p := range m.ports {
		if m.noMaps {
			break
		}
		ask := p.internal
		if p.mapped.ExternalPort != 0 {
			ask = p.mapped.ExternalPort // renew what we have (go-ethereum#31418)
		}
		got, err := m.nat.Map(ctx, p.proto, p.internal, ask, nat.DefaultLifetime, fmt.Sprintf("devp2p %s", p.proto))
		if errors.Is(err, nat.ErrNoMapping) {
			m.noMaps = true
			break
		}
		if err != nil {
			// Keep advertising the old mapping: it may well still work.
			m.srv.metrics.NAT.Failed(p.metric())
			if !p.failing {
				log.Info("NAT mapping failed", "proto", p.proto, "port", p.internal, "err", err)
				p.failing = true
			}
			failed = true
			continue
		}
		m.srv.metrics.NAT.Renewed(p.metric())
		p.failing = false
		if got.ExternalPort != p.mapped.ExternalPort {
			log.Info("NAT mapped port", "proto", p.proto, "internal", p.internal, "external", got.ExternalPort, "lifetime", got.Lifetime)
			if p.proto == nat.TCP {
				m.ln.SetTCP(got.ExternalPort)
			} else {
				m.ln.SetUDP(got.ExternalPort)
			}
		}
		p.mapped = got
		if got.Lifetime > 0 {
			next = min(next, got.Lifetime-got.Lifetime/5)
		}
	}
	if failed {
		next = min(next, natRetry)
	}
	return max(next, time.Second)
}

// unmapAll removes the mappings; called by Close after the loop ended.
func (m *natMapper) unmapAll() {
	for _, p := range m.ports {
		if p.mapped.ExternalPort == 0 {
			continue
		}
		ctx, cancel := context.WithTimeout(context.Background(), natUnmapTimeout)
		if err := m.nat.Unmap(ctx, p.mapped); err != nil {
			m.srv.log.Debug("NAT unmapping failed", "proto", p.proto, "external", p.mapped.ExternalPort, "err", err)
		}
		cancel()
	}
}
