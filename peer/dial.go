package peer

import (
	"context"
	"errors"
	"fmt"
	"net"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlpx"
)

// ErrNoSharedProtocol is wrapped by Dial's error when the remote shares none
// of the protocols offered; Dial has then sent it DiscUselessPeer.
var ErrNoSharedProtocol = errors.New("peer: no shared protocol")

// Dial connects to one node and returns a Peer ready to Run: it opens a TCP
// connection to addr ("host:port"), runs the RLPx handshake as initiator
// with our key toward remote (the node's public key, as in its enode URL or
// record), and exchanges Hello, announcing name and the capabilities of
// protocols. ctx bounds all of it; without a deadline the handshakes get
// rlpx.DefaultHandshakeTimeout. It is the whole client side of what a
// server does for one dial, for tools that talk to a single node.
//
// A node that shares none of protocols is sent DiscUselessPeer and Dial
// fails with an error wrapping ErrNoSharedProtocol. Every other failure
// closes the connection too; handshake errors keep their type
// (*DisconnectError after the RLPx handshake).
//
// The caller owns the returned Peer: it must call Run (usually in its own
// goroutine), which returns when either side disconnects.
func Dial(ctx context.Context, addr string, key *secp256k1.PrivateKey, remote *secp256k1.PublicKey, name string, protocols []Protocol, cfg Config) (*Peer, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, rlpx.DefaultHandshakeTimeout)
		defer cancel()
	}
	var d net.Dialer
	fd, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("peer: dial: %w", err)
	}
	conn := rlpx.Client(fd, key, remote, rlpx.Config{})
	if err := conn.Handshake(ctx); err != nil {
		conn.Close()
		return nil, err
	}
	caps := make([]Cap, len(protocols))
	for i, p := range protocols {
		caps[i] = p.Cap()
	}
	theirs, err := Handshake(ctx, conn, NewHello(ethcrypto.PubkeyOf(key), name, caps...))
	if err != nil {
		conn.Close()
		return nil, err
	}
	if len(MatchProtocols(protocols, theirs.Caps)) == 0 {
		Reject(conn, DiscUselessPeer)
		return nil, fmt.Errorf("%w: we offer %v, the node %v", ErrNoSharedProtocol, caps, theirs.Caps)
	}
	return New(conn, theirs, protocols, cfg)
}
