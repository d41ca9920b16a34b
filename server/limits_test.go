package server

import (
	"log/slog"
	"testing"

	"github.com/devp2p-go/devp2p/peer"
)

// TestInboundLimit: with the inbound share full, inbound connections are
// refused but the server can still dial out.
func TestInboundLimit(t *testing.T) {
	cfg := testConfig(t, newTestProto().protocol())
	cfg.MaxPeers, cfg.MaxInboundPeers = 3, 1
	srv, ev := startWithEvents(t, cfg)
	if _, err := connectRaw(t, srv, nil); err != nil {
		t.Fatal(err)
	}
	_, err := connectRaw(t, srv, nil)
	wantRemoteReason(t, err, peer.DiscTooManyPeers)

	x, evX := startWithEvents(t, testConfig(t, newTestProto().protocol()))
	srv.AddPeer(x.Self())
	if got := waitEvent(t, evX, PeerAdded); got.ID != srv.Self().ID() {
		t.Fatalf("X got peer %v, want the server", got.ID)
	}
	waitEvent(t, ev, PeerAdded) // the first raw peer
	if got := waitEvent(t, ev, PeerAdded); got.Inbound || got.ID != x.Self().ID() {
		t.Fatalf("server added %+v, want outbound X", got)
	}
	if srv.PeerCount() != 2 {
		t.Fatalf("PeerCount = %d, want 2", srv.PeerCount())
	}
}

// TestOutboundLimit: with the outbound share full, the server refuses its
// own dial after the encryption handshake, and inbound peers still get in.
func TestOutboundLimit(t *testing.T) {
	refused := newLogCapture("Connection refused")
	cfg := testConfig(t, newTestProto().protocol())
	cfg.MaxPeers, cfg.MaxOutboundPeers = 3, 1
	cfg.Logger = slog.New(refused)
	srv, ev := startWithEvents(t, cfg)

	x1, evX1 := startWithEvents(t, testConfig(t, newTestProto().protocol()))
	srv.AddPeer(x1.Self())
	waitEvent(t, evX1, PeerAdded)
	waitEvent(t, ev, PeerAdded)

	x2 := startServer(t, testConfig(t, newTestProto().protocol()))
	srv.AddPeer(x2.Self())
	r := recv(t, refused.ch)
	if got := attr(r, "reason"); got != peer.DiscTooManyPeers.String() {
		t.Fatalf("refusal reason %q, want %q", got, peer.DiscTooManyPeers)
	}
	if got := attr(r, "checkpoint"); got != "post-handshake" {
		t.Fatalf("refused at %q, want post-handshake", got)
	}
	if x2.PeerCount() != 0 {
		t.Fatalf("X2 has %d peers, want 0", x2.PeerCount())
	}
	if _, err := connectRaw(t, srv, nil); err != nil {
		t.Fatalf("inbound with outbound full: %v", err)
	}
}

// TestTrustedBypass: trusted nodes get in past every limit, from the
// config or added at runtime, and are flagged in Peers; untrusted ones are
// refused.
func TestTrustedBypass(t *testing.T) {
	trustedCfg, trustedRuntime := testKey(t), testKey(t)
	cfg := testConfig(t, newTestProto().protocol())
	cfg.MaxPeers, cfg.MaxInboundPeers = 1, 1
	cfg.TrustedNodes = append(cfg.TrustedNodes, (&rawPeer{key: trustedCfg}).node())
	srv, ev := startWithEvents(t, cfg)

	if _, err := connectRaw(t, srv, nil); err != nil {
		t.Fatal(err)
	}
	_, err := connectRaw(t, srv, nil)
	wantRemoteReason(t, err, peer.DiscTooManyPeers)

	if _, err := connectRaw(t, srv, trustedCfg); err != nil {
		t.Fatalf("trusted (config) refused: %v", err)
	}
	rt := &rawPeer{key: trustedRuntime}
	srv.AddTrustedPeer(rt.node())
	if _, err := connectRaw(t, srv, trustedRuntime); err != nil {
		t.Fatalf("trusted (runtime) refused: %v", err)
	}
	for range 3 {
		waitEvent(t, ev, PeerAdded) // Hello completes on our side before the server adds the peer
	}
	if srv.PeerCount() != 3 {
		t.Fatalf("PeerCount = %d, want 3", srv.PeerCount())
	}
	trusted := 0
	for _, p := range srv.Peers() {
		if p.Trusted {
			trusted++
			if p.ID != rt.id() && p.ID != (&rawPeer{key: trustedCfg}).id() {
				t.Errorf("untrusted peer %v flagged trusted", p.ID)
			}
		}
	}
	if trusted != 2 {
		t.Fatalf("%d peers flagged trusted, want 2", trusted)
	}

	// Removing trust does not disconnect, but a new connection is refused.
	srv.RemoveTrustedPeer(rt.node().ID())
	if srv.PeerCount() != 3 {
		t.Fatalf("PeerCount after RemoveTrustedPeer = %d, want 3", srv.PeerCount())
	}
	_, err = connectRaw(t, srv, nil)
	wantRemoteReason(t, err, peer.DiscTooManyPeers)
}
