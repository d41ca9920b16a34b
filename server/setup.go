package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/rlpx"
)

// serverPeer is a running peer as the server tracks it.
type serverPeer struct {
	p     *peer.Peer
	id    nodeid.ID
	flags connFlag
	node  *discover.Node // the node dialled, or one made from an inbound peer's key and address
}

// setupConn takes a fresh connection through the path described in the
// package documentation: encryption handshake, post-handshake checkpoint,
// Hello, add-peer checkpoint. On success the peer is running in its own
// goroutine and setupConn returns nil; otherwise fd is closed and the error
// says why (a refusal carries its peer.DiscReason). dest is the node
// dialed, nil for inbound connections. ctx bounds the handshakes on top of
// Config.HandshakeTimeout.
func (srv *Server) setupConn(ctx context.Context, fd net.Conn, flags connFlag, dest *discover.Node) error {
	return srv.setupRLPx(ctx, srv.newConn(fd, dest), flags, dest, nil)
}

// newConn wraps fd in an RLPx connection: as initiator to dest, or as
// recipient if dest is nil.
func (srv *Server) newConn(fd net.Conn, dest *discover.Node) *rlpx.Conn {
	cfg := rlpx.Config{AuthTimeout: srv.cfg.AuthTimeout}
	if dest != nil {
		return rlpx.Client(fd, srv.cfg.PrivateKey, dest.Pubkey(), cfg)
	}
	return rlpx.Server(fd, srv.cfg.PrivateKey, cfg)
}

// setupRLPx is setupConn on a connection already wrapped by newConn; dest
// is the node dialled, nil for an inbound connection. If
// reserved is not nil, it is called once the connection holds a slot in
// the peer set, which from then on bounds it (the accept loop hands the
// connection's handshake slot back then).
func (srv *Server) setupRLPx(ctx context.Context, c *rlpx.Conn, flags connFlag, dest *discover.Node, reserved func()) error {
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, srv.cfg.HandshakeTimeout)
	defer cancel()
	log := srv.log.With("addr", c.RemoteAddr(), "inbound", flags.has(flagInbound))
	hs := srv.handshakeStarted(flags)
	defer hs.ended()

	// Step 2: the encryption handshake.
	if err := c.Handshake(ctx); err != nil {
		c.Close()
		log.Debug("Encryption handshake failed", "err", err)
		return &setupError{handshakeResult(parent, err), fmt.Errorf("server: encryption handshake: %w", err)}
	}
	id := nodeid.FromPubkey(c.RemotePubkey())
	log = log.With("id", id.TerminalString())

	// Step 3: the post-handshake checkpoint.
	flags, rej := srv.peers.reserve(id, flags)
	if rej != admitted {
		return srv.refuse(c, log, rej, "post-handshake")
	}
	if reserved != nil {
		reserved()
	}
	promoted := false
	defer func() {
		if !promoted {
			srv.peers.release(id)
		}
	}()
	if flags.has(flagInbound) {
		if s := srv.dialScheduler(); s != nil {
			s.InboundPending(id)
			defer s.InboundDone(id)
		}
	}

	// Step 4: Hello.
	theirs, err := peer.Handshake(ctx, c, srv.hello)
	if err != nil {
		c.Close()
		log.Debug("Hello exchange failed", "err", err)
		return &setupError{helloResult(parent, err), fmt.Errorf("server: hello: %w", err)}
	}
	hs.helloDone()

	// Step 5: the add-peer checkpoint.
	if len(peer.MatchProtocols(srv.cfg.Protocols, theirs.Caps)) == 0 {
		return srv.refuse(c, log, rejectUselessPeer, "add-peer")
	}
	pcfg := srv.cfg.Peer
	if pcfg.Clock == nil {
		pcfg.Clock = srv.clock
	}
	if pcfg.Logger == nil {
		pcfg.Logger = srv.root // peer adds sys, its id and addr
	}
	if pcfg.Metrics == nil {
		pcfg.Metrics = srv.metrics.Traffic
	}
	if pcfg.Trace == nil && srv.cfg.MessageEvents {
		pcfg.Trace = srv.traceMessage
	}
	p, err := peer.New(c, theirs, srv.cfg.Protocols, pcfg)
	if err != nil { // withDefaults checked cfg.Peer: not reached
		c.Close()
		return fmt.Errorf("server: %w", err)
	}
	sp := &serverPeer{p: p, id: id, flags: flags, node: peerNode(dest, c)}
	if rej := srv.peers.promote(id, sp); rej != admitted {
		return srv.refuse(c, log, rej, "add-peer")
	}
	promoted = true
	hs.succeeded()

	// Step 6: run it. The scheduler must hear of the peer before a dial's
	// setup returns (dial.SetupFunc).
	if s := srv.dialScheduler(); s != nil {
		s.PeerAdded(id, flags.kind())
	}
	srv.wg.Add(1)
	go srv.runPeer(sp, log)
	return nil
}

// refuse sends a Disconnect with the reason for rej and closes c (giving
// the message up to 2 s to leave), as go-ethereum does. At the
// post-handshake checkpoint no Hello was sent, so the remote's Hello
// exchange receives the Disconnect in place of our Hello; at the add-peer
// checkpoint it goes out compressed if Hello turned snappy on.
func (srv *Server) refuse(c *rlpx.Conn, log *slog.Logger, rej rejection, checkpoint string) error {
	reason := rej.reason()
	log.Debug("Connection refused", "checkpoint", checkpoint, "reason", reason)
	peer.Reject(c, reason)
	return &setupError{rej.result(), fmt.Errorf("server: %s checkpoint: %w", checkpoint, reason)}
}

// reason maps a refusal to the disconnect reason sent for it.
func (r rejection) reason() peer.DiscReason {
	switch r {
	case rejectQuitting:
		return peer.DiscQuitting
	case rejectSelf:
		return peer.DiscSelf
	case rejectAlready:
		return peer.DiscAlreadyConnected
	case rejectTooManyPeers:
		return peer.DiscTooManyPeers
	case rejectUselessPeer:
		return peer.DiscUselessPeer
	}
	return peer.DiscRequested
}

// runPeer runs an admitted peer until it disconnects, then removes it.
func (srv *Server) runPeer(sp *serverPeer, log *slog.Logger) {
	defer srv.wg.Done()
	log.Info("Peer added", "name", sp.p.Name(), "caps", sp.p.Caps())
	srv.updatePeerGauges()
	srv.emit(PeerEvent{Type: PeerAdded, ID: sp.id, RemoteAddr: sp.p.RemoteAddr(), Inbound: sp.flags.has(flagInbound), Time: srv.clock.Now()})

	err := sp.p.Run(srv.ctx)

	srv.peers.release(sp.id)
	if s := srv.dialScheduler(); s != nil {
		s.PeerRemoved(sp.id)
	}
	reason, _ := peer.ReasonOf(err)
	srv.peerEnded(err)
	log.Info("Peer dropped", "reason", reason, "remote", isRemote(err), "duration", srv.since(sp.p.ConnectedAt()), "err", err)
	srv.emit(PeerEvent{Type: PeerDropped, ID: sp.id, RemoteAddr: sp.p.RemoteAddr(), Inbound: sp.flags.has(flagInbound), Time: srv.clock.Now(), Reason: reason, Err: err})
}

// ourHello builds the Hello we send: p2p version 5, our name, our
// protocols' capabilities, the TCP port and our public key.
func (srv *Server) ourHello(port uint16) *peer.Hello {
	caps := make([]peer.Cap, len(srv.cfg.Protocols))
	for i, p := range srv.cfg.Protocols {
		caps[i] = p.Cap()
	}
	h := peer.NewHello(ethcrypto.PubkeyOf(srv.cfg.PrivateKey), srv.cfg.Name, caps...)
	h.ListenPort = uint64(port)
	return h
}

// peerNode returns the node a peer is known as: the one we dialled, with its
// record when we had one, or for an inbound peer a node made from its key
// and the address it connected from (its TCP port is then the remote's
// ephemeral port, as go-ethereum reports it too).
func peerNode(dest *discover.Node, c *rlpx.Conn) *discover.Node {
	if dest != nil {
		return dest
	}
	var ap netip.AddrPort
	if ta, ok := c.RemoteAddr().(*net.TCPAddr); ok {
		ap = ta.AddrPort()
	}
	return discover.NewV4(c.RemotePubkey(), ap.Addr().Unmap(), ap.Port(), 0)
}
