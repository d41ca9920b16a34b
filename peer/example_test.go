package peer_test

import (
	"context"
	"fmt"
	"net"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/rlpx"
)

// node runs the RLPx handshake, the Hello exchange and the peer loop on
// one end of a connection.
func node(conn *rlpx.Conn, key *secp256k1.PrivateKey, name string, proto peer.Protocol) error {
	ctx := context.Background()
	if err := conn.Handshake(ctx); err != nil {
		return err
	}
	theirs, err := peer.Handshake(ctx, conn, peer.NewHello(key.PubKey(), name, proto.Cap()))
	if err != nil {
		return err
	}
	return peer.New(conn, theirs, []peer.Protocol{proto}, peer.Config{}).Run(ctx)
}

func Example() {
	keyA, _ := secp256k1.GeneratePrivateKey()
	keyB, _ := secp256k1.GeneratePrivateKey()
	pipeA, pipeB := net.Pipe()

	// A greets; B prints the greeting and hangs up.
	greeter := peer.Protocol{Name: "greet", Version: 1, Length: 1, Run: func(p *peer.Peer, rw peer.MsgReadWriter) error {
		if err := peer.Send(rw, 0, "hello, "+p.Name()); err != nil {
			return err
		}
		_, err := rw.ReadMsg() // until B disconnects
		return err
	}}
	listener := peer.Protocol{Name: "greet", Version: 1, Length: 1, Run: func(p *peer.Peer, rw peer.MsgReadWriter) error {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		var text string
		if err := msg.Decode(&text); err != nil {
			return err
		}
		fmt.Println("B got:", text)
		p.Disconnect(peer.DiscRequested)
		_, err = rw.ReadMsg()
		return err
	}}

	errA := make(chan error, 1)
	go func() { errA <- node(rlpx.Client(pipeA, keyA, keyB.PubKey()), keyA, "node-a", greeter) }()
	errB := node(rlpx.Server(pipeB, keyB), keyB, "node-b", listener)

	fmt.Println("B:", errB)
	fmt.Println("A:", <-errA)
	// Output:
	// B got: hello, node-b
	// B: peer: disconnected: disconnect requested
	// A: peer: remote disconnected: disconnect requested
}
