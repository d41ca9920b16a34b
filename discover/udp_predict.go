package discover

import (
	"net/netip"

	"github.com/devp2p-go/devp2p/discover/v4wire"
)

// notePong counts a solicited Pong's "to" endpoint (discv4.md: the UDP
// source address the ping came from, as the remote saw it) as a statement
// about our external endpoint. When the prediction for that family
// changes, our record's IP and UDP port follow, unless LocalNode's
// SetStaticIP fixed them. Called by the ping's reply matcher.
func (t *UDPv4) notePong(from netip.Addr, to v4wire.Endpoint) {
	claimed := netip.AddrPortFrom(to.IP.Unmap(), to.UDP)
	p := t.predict[family(claimed.Addr())]
	ep, changed := p.Add(from, claimed)
	if changed && t.localNode.SetPredicted(ep) {
		t.log.Info("discover: external endpoint changed", "endpoint", ep, "seq", t.localNode.Seq())
	}
}
