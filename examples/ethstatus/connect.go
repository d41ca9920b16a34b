package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/peer"
)

// errNoEth is returned when the node shares no eth version with us.
var errNoEth = fmt.Errorf("node speaks no eth version we do (68-72): %w", peer.DiscUselessPeer)

// connect dials n, runs the RLPx and Hello handshakes within ctx and
// returns the peer, ready to Run the shared eth version.
func connect(ctx context.Context, n *discover.Node, key *secp256k1.PrivateKey, protos []peer.Protocol) (*peer.Peer, error) {
	p, err := peer.Dial(ctx, n.TCPAddr().String(), key, n.Pubkey(), clientName, protos, peer.Config{})
	if errors.Is(err, peer.ErrNoSharedProtocol) {
		return nil, fmt.Errorf("%w; %v", errNoEth, err)
	}
	if err != nil {
		return nil, fmt.Errorf("connecting to %v: %w", n.TCPAddr(), err)
	}
	return p, nil
}
