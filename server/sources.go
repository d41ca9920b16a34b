package server

import (
	"fmt"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/dnsdisc"
)

// checkDNSTrees validates Config.DNSTrees.
func checkDNSTrees(urls []string) error {
	for i, u := range urls {
		if _, err := dnsdisc.ParseURL(u); err != nil {
			return fmt.Errorf("DNSTrees[%d]: %w", i, err)
		}
	}
	return nil
}

// dialSources returns the discovered nodes the dial scheduler draws from:
// the random lookups of discv4 and discv5 (those that run), the DNS node lists of Config.DNSTrees and each
// protocol's DialCandidates, in a fair mix when there are several, so that
// a slow or empty source never starves the others. It returns nil when
// there is no source. Called by startDialing with mu held; the scheduler
// closes the result when it stops.
func (srv *Server) dialSources() (discover.Iterator, error) {
	var its []discover.Iterator
	if srv.disc != nil {
		its = append(its, srv.disc.RandomNodes())
	}
	if srv.disc5 != nil {
		its = append(its, srv.disc5.RandomNodes())
	}
	if len(srv.cfg.DNSTrees) > 0 {
		dcfg := srv.cfg.DNS
		if dcfg.Clock == nil {
			dcfg.Clock = srv.clock
		}
		if dcfg.Logger == nil {
			dcfg.Logger = srv.root // dnsdisc adds its sys attribute
		}
		if dcfg.Metrics == nil {
			dcfg.Metrics = srv.metrics.DNS
		}
		it, err := newDNSIterator(dcfg, srv.cfg.DNSTrees)
		if err != nil {
			closeAll(its)
			return nil, fmt.Errorf("server: DNS node lists: %w", err)
		}
		its = append(its, it)
	}
	for _, p := range srv.cfg.Protocols {
		if p.DialCandidates != nil {
			its = append(its, p.DialCandidates)
		}
	}
	switch len(its) {
	case 0:
		return nil, nil
	case 1:
		return its[0], nil
	}
	mix, err := discover.NewFairMix(discover.FairMixConfig{Clock: srv.clock})
	if err != nil {
		closeAll(its)
		return nil, err
	}
	for _, it := range its {
		mix.AddSource(it)
	}
	return mix, nil
}

func newDNSIterator(cfg dnsdisc.Config, urls []string) (discover.Iterator, error) {
	client, err := dnsdisc.New(cfg)
	if err != nil {
		return nil, err
	}
	return client.NewIterator(urls...)
}

func closeAll(its []discover.Iterator) {
	for _, it := range its {
		it.Close()
	}
}
