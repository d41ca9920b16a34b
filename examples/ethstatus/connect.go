package main

import (
	"context"
	"fmt"
	"net"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/rlpx"
)

// errNoEth is returned when the node shares no eth version with us.
var errNoEth = fmt.Errorf("node speaks no eth version we do (68-72): %w", peer.DiscUselessPeer)

// connect dials n, runs the RLPx and Hello handshakes within ctx and
// returns the peer, ready to Run the shared eth version.
func connect(ctx context.Context, n *discover.Node, key *secp256k1.PrivateKey, protos []peer.Protocol) (*peer.Peer, error) {
	var d net.Dialer
	tcp, err := d.DialContext(ctx, "tcp", n.TCPAddr().String())
	if err != nil {
		return nil, err
	}
	conn := rlpx.Client(tcp, key, n.Pubkey())
	if err := conn.Handshake(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("rlpx handshake with %v: %w", n.TCPAddr(), err)
	}
	caps := make([]peer.Cap, len(protos))
	for i, p := range protos {
		caps[i] = p.Cap()
	}
	theirs, err := peer.Handshake(ctx, conn, peer.NewHello(key.PubKey(), clientName, caps...))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("hello: %w", err)
	}
	if len(peer.MatchProtocols(protos, theirs.Caps)) == 0 {
		peer.Reject(conn, peer.DiscUselessPeer)
		return nil, fmt.Errorf("%w; it offers %v", errNoEth, theirs.Caps)
	}
	return peer.New(conn, theirs, protos, peer.Config{}), nil
}
