package server

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/peer"
)

// Metrics returns the registry holding the node's metrics (see
// metrics.NewNode for the families): read it with Snapshot, or export it
// with the nested module github.com/devp2p-go/devp2p/prometheus or
// metrics.WriteText. With Config.NoMetrics it is empty.
func (srv *Server) Metrics() *metrics.Registry { return srv.registry }

// MetricsSnapshot returns the current value of every metric of the node.
func (srv *Server) MetricsSnapshot() metrics.Snapshot { return srv.registry.Snapshot() }

// otherProtocol is the protocol label value package metrics keeps for
// messages no declared protocol claims; a protocol of that name is counted
// there too, not declared.
const otherProtocol = "other"

// initMetrics creates the registry and, unless Config.NoMetrics, the node's
// metrics in it. Each layer gets its part: the peers Traffic, the dial
// scheduler Dial, discovery Discovery; with NoMetrics every part is nil,
// which the layers treat as off.
func (srv *Server) initMetrics() error {
	srv.registry = metrics.NewRegistry()
	srv.metrics = new(metrics.Node)
	if srv.cfg.NoMetrics {
		return nil
	}
	protos := make([]metrics.Protocol, 0, len(srv.cfg.Protocols))
	for _, p := range srv.cfg.Protocols {
		if p.Name == otherProtocol {
			continue // its messages count under protocol "other"
		}
		protos = append(protos, metrics.Protocol{Name: p.Name, Version: p.Version, Length: p.Length})
	}
	m, err := metrics.NewNode(srv.registry, protos)
	if err != nil { // checkProtocols accepted the protocols: not reached
		return err
	}
	srv.metrics = m
	return nil
}

// updatePeerGauges sets the peer gauges from the peer set. The lock makes
// the last Set reflect the latest change.
func (srv *Server) updatePeerGauges() {
	if srv.metrics.Server == nil {
		return
	}
	srv.gaugeMu.Lock()
	defer srv.gaugeMu.Unlock()
	srv.metrics.Server.SetPeers(srv.peers.counts())
}

// counts returns the make-up of the running peers.
func (s *peerSet) counts() metrics.PeerCounts {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c metrics.PeerCounts
	for _, e := range s.entries {
		if !e.running {
			continue
		}
		if e.flags.has(flagInbound) {
			c.Inbound++
		} else {
			c.Outbound++
		}
		if e.flags.has(flagTrusted) {
			c.Trusted++
		}
		if e.flags.has(flagStaticDial) {
			c.Static++
		}
	}
	return c
}

// direction returns the metrics label of a connection's direction.
func (f connFlag) direction() metrics.Direction {
	if f.has(flagInbound) {
		return metrics.Inbound
	}
	return metrics.Outbound
}

// setupError is an error of setupConn with the result it is counted
// under: devp2p_inbound_connections_total for inbound connections, and
// through dial.ResultOf devp2p_dials_total for dialled ones.
type setupError struct {
	result metrics.ConnResult
	err    error
}

func (e *setupError) Error() string { return e.err.Error() }
func (e *setupError) Unwrap() error { return e.err }

// ConnResult returns how the connection's setup ended.
func (e *setupError) ConnResult() metrics.ConnResult { return e.result }

// resultOf returns the result of a setup that returned err.
func resultOf(err error) metrics.ConnResult {
	var se *setupError
	switch {
	case err == nil:
		return metrics.ConnOK
	case errors.As(err, &se):
		return se.result
	}
	return metrics.ConnOther
}

// handshakeResult classifies a failed encryption handshake: our deadline,
// the server closing (ctx cancelled), or anything else the remote did.
func handshakeResult(ctx context.Context, err error) metrics.ConnResult {
	var ne net.Error
	switch {
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		return metrics.ConnTimeout
	case errors.Is(ctx.Err(), context.Canceled):
		return metrics.ConnClosed
	}
	return metrics.ConnHandshakeError
}

// helloResult classifies a failed Hello exchange (peer.Handshake's
// *peer.DisconnectError): the remote's Disconnect, a timeout, the server
// closing, or a Hello we rejected.
func helloResult(ctx context.Context, err error) metrics.ConnResult {
	var de *peer.DisconnectError
	if errors.As(err, &de) && de.Remote {
		return metrics.ConnRemoteRefused
	}
	r, _ := peer.ReasonOf(err)
	switch {
	case r == peer.DiscReadTimeout || errors.Is(err, context.DeadlineExceeded):
		return metrics.ConnTimeout
	case r == peer.DiscQuitting && ctx.Err() != nil:
		return metrics.ConnClosed
	case r == peer.DiscNetworkError:
		return metrics.ConnHandshakeError
	}
	return metrics.ConnHelloError
}

// result maps a checkpoint's refusal to its connection result.
func (r rejection) result() metrics.ConnResult {
	switch r {
	case rejectQuitting:
		return metrics.ConnClosed
	case rejectSelf:
		return metrics.ConnSelf
	case rejectAlready:
		return metrics.ConnAlreadyConnected
	case rejectTooManyPeers:
		return metrics.ConnTooManyPeers
	case rejectUselessPeer:
		return metrics.ConnUselessPeer
	}
	return metrics.ConnOther
}

// handshakeMetrics follows one connection through setupRLPx: the pending
// handshakes gauge while it runs, the handshake's duration once Hello is
// done, and for an inbound connection that becomes a peer its "ok" result,
// counted before the peer is announced (refusals are counted by
// admitInbound once setupRLPx has returned).
type handshakeMetrics struct {
	m     *metrics.Server
	flags connFlag
	start time.Time
	took  time.Duration // set by helloDone
	done  bool
}

// handshakeStarted counts a connection entering its handshakes.
func (srv *Server) handshakeStarted(flags connFlag) *handshakeMetrics {
	hs := &handshakeMetrics{m: srv.metrics.Server, flags: flags, start: time.Now()} // network time, like the handshake deadline
	hs.m.PendingHandshakes(flags.direction()).Inc()
	return hs
}

// helloDone notes that the encryption handshake and Hello completed.
func (hs *handshakeMetrics) helloDone() { hs.took = time.Since(hs.start) }

// succeeded records a connection that became a peer.
func (hs *handshakeMetrics) succeeded() {
	hs.ended()
	if hs.flags.has(flagInbound) {
		hs.m.Inbound(metrics.ConnOK)
	}
}

// ended takes the connection out of the pending gauge, once, and records
// the handshake's duration if Hello completed.
func (hs *handshakeMetrics) ended() {
	if hs.done {
		return
	}
	hs.done = true
	hs.m.PendingHandshakes(hs.flags.direction()).Dec()
	if hs.took > 0 {
		hs.m.HandshakeDone(hs.flags.direction(), hs.took)
	}
}

// peerEnded counts a peer's end by its Disconnect reason and side, and
// updates the peer gauges.
func (srv *Server) peerEnded(err error) {
	if m := srv.metrics.Server; m != nil {
		reason, _ := peer.ReasonOf(err)
		m.Disconnect(uint8(reason), isRemote(err))
	}
	srv.updatePeerGauges()
}

// isRemote reports whether the remote chose to end the peer.
func isRemote(err error) bool {
	var de *peer.DisconnectError
	return errors.As(err, &de) && de.Remote
}

// since is a helper for log lines: the time from t on the server's clock.
func (srv *Server) since(t time.Time) time.Duration { return srv.clock.Now().Sub(t) }
