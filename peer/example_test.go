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
	p, err := peer.New(conn, theirs, []peer.Protocol{proto}, peer.Config{})
	if err != nil {
		return err
	}
	return p.Run(ctx)
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
	go func() { errA <- node(rlpx.Client(pipeA, keyA, keyB.PubKey(), rlpx.Config{}), keyA, "node-a", greeter) }()
	errB := node(rlpx.Server(pipeB, keyB, rlpx.Config{}), keyB, "node-b", listener)

	fmt.Println("B:", errB)
	fmt.Println("A:", <-errA)
	// Output:
	// B got: hello, node-b
	// B: peer: disconnected: disconnect requested
	// A: peer: remote disconnected: disconnect requested
}

// Dial is the client side in one call: TCP, RLPx and Hello. Here it talks
// to a node listening on loopback that answers each "ping" with "pong".
func ExampleDial() {
	serverKey, _ := secp256k1.GeneratePrivateKey()
	pong := peer.Protocol{Name: "pp", Version: 1, Length: 1, Run: func(p *peer.Peer, rw peer.MsgReadWriter) error {
		for {
			if _, err := rw.ReadMsg(); err != nil {
				return err
			}
			if err := peer.Send(rw, 0, "pong"); err != nil {
				return err
			}
		}
	}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer ln.Close()
	served := make(chan error, 1)
	go func() {
		fd, err := ln.Accept()
		if err != nil {
			served <- err
			return
		}
		served <- node(rlpx.Server(fd, serverKey, rlpx.Config{}), serverKey, "server", pong)
	}()

	ourKey, _ := secp256k1.GeneratePrivateKey()
	replies := make(chan string, 1)
	ping := peer.Protocol{Name: "pp", Version: 1, Length: 1, Run: func(p *peer.Peer, rw peer.MsgReadWriter) error {
		if err := peer.Send(rw, 0, "ping"); err != nil {
			return err
		}
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		var s string
		if err := msg.Decode(&s); err != nil {
			return err
		}
		replies <- s
		return nil // returning ends the peer with DiscQuitting
	}}
	ctx := context.Background()
	p, err := peer.Dial(ctx, ln.Addr().String(), ourKey, serverKey.PubKey(), "client", []peer.Protocol{ping}, peer.Config{})
	if err != nil {
		panic(err)
	}
	fmt.Println("connected to", p.Name())
	err = p.Run(ctx)
	fmt.Println("reply:", <-replies)
	fmt.Println("client:", err)
	fmt.Println("server:", <-served)
	// Output:
	// connected to server
	// reply: pong
	// client: peer: disconnected: client quitting
	// server: peer: remote disconnected: client quitting
}
