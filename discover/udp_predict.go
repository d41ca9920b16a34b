package discover

import (
	"log/slog"
	"net/netip"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/internal/endpoint"
)

// predictor turns what peers tell us about our own endpoint into our
// record's IP and UDP port. One serves a node's discv4 and discv5 alike
// (on a shared socket they share it), with one endpoint.Predictor per
// address family, so statements about an IPv4 and an IPv6 endpoint never
// compete. It is safe for concurrent use.
type predictor struct {
	fam [2]*endpoint.Predictor
	ln  *LocalNode
	log *slog.Logger
}

func newPredictor(c clock.Clock, ln *LocalNode, log *slog.Logger) *predictor {
	p := &predictor{ln: ln, log: log}
	for i := range p.fam {
		p.fam[i] = endpoint.New(endpoint.Config{Clock: c})
	}
	return p
}

// note counts a statement by the peer at from that it saw our packets come
// from claimed: a discv4 Pong's "to" endpoint (discv4.md) or a discv5
// PONG's recipient-ip and recipient-port (discv5-wire.md). Only answers to
// our own pings count, so a node cannot push statements at us unasked.
// A claim the peer could not have seen is ignored, by the rule that
// filters relayed addresses (checkRelayIP): a public peer never sees us at
// a LAN or loopback address, and nobody at a special-purpose one, so ten
// colluding public nodes cannot make us advertise an unreachable address.
// When the prediction for that family changes, our record's IP and UDP
// port follow, unless LocalNode's SetStaticIP fixed them; the change is
// logged once.
func (p *predictor) note(from netip.Addr, claimed netip.AddrPort) {
	claimed = netip.AddrPortFrom(claimed.Addr().Unmap(), claimed.Port())
	if checkRelayIP(from, claimed.Addr()) != nil {
		return
	}
	ep, changed := p.fam[family(claimed.Addr())].Add(from, claimed)
	if changed && p.ln.SetPredicted(ep) {
		p.log.Info("discover: external endpoint changed", "endpoint", ep, "seq", p.ln.Seq())
	}
}
