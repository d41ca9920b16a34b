package server_test

import (
	"fmt"
	"log"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/server"
)

// startGreeter is the embedding example shown in README.md ("Embed it");
// TestREADMESnippet keeps the two identical. It runs a node with a
// one-message "greet/1" protocol that sends a greeting to every peer and
// hands the greeting it receives to got.
func startGreeter(key *secp256k1.PrivateKey, got chan<- string, static ...*discover.Node) (*server.Server, error) {
	greet := peer.Protocol{
		Name: "greet", Version: 1, Length: 1,
		Run: func(p *peer.Peer, rw peer.MsgReadWriter) error {
			if err := peer.Send(rw, 0, "hello"); err != nil {
				return err
			}
			msg, err := rw.ReadMsg() // blocks until a message arrives or the peer leaves
			if err != nil {
				return err
			}
			var s string
			if err := msg.Decode(&s); err != nil {
				return err // a malformed message disconnects the peer
			}
			got <- s
			_, err = rw.ReadMsg() // stay connected until either side leaves
			return err
		},
	}
	srv, err := server.New(server.Config{
		PrivateKey:  key, // the node's identity
		Protocols:   []peer.Protocol{greet},
		ListenAddr:  "127.0.0.1:0", // ":30303" listens on every interface
		NoDiscovery: true,          // leave discovery on to find peers through discv4
		StaticNodes: static,        // nodes to dial and keep connected to
	})
	if err != nil {
		return nil, err
	}
	return srv, srv.Start()
}

// An embedder configures a Server with its protocols. Here two nodes on
// loopback run the "greet/1" protocol of startGreeter: the second lists the
// first as a static node, so it dials it, and each side sends a greeting.
func ExampleServer() {
	greetings := make(chan string, 2)
	newNode := func(static ...*discover.Node) *server.Server {
		key, err := secp256k1.GeneratePrivateKey()
		if err != nil {
			log.Fatal(err)
		}
		srv, err := startGreeter(key, greetings, static...)
		if err != nil {
			log.Fatal(err)
		}
		return srv
	}
	a := newNode()
	defer a.Close()
	b := newNode(a.Self())
	defer b.Close()

	fmt.Println(<-greetings, <-greetings)
	// Output: hello hello
}

// SubscribeEvents reports peers joining and leaving, with the reason.
func ExampleServer_SubscribeEvents() {
	key, _ := secp256k1.GeneratePrivateKey()
	srv, err := server.New(server.Config{PrivateKey: key, ListenAddr: "127.0.0.1:0", NoDiscovery: true})
	if err != nil {
		log.Fatal(err)
	}
	events := make(chan server.PeerEvent, 64) // size for bursts: events that don't fit are dropped
	unsubscribe := srv.SubscribeEvents(events)
	if err := srv.Start(); err != nil {
		log.Fatal(err)
	}

	done := make(chan struct{})
	go func() {
		defer close(done)
		for ev := range events {
			switch ev.Type {
			case server.PeerAdded:
				log.Printf("peer %v added from %v", ev.ID.TerminalString(), ev.RemoteAddr)
			case server.PeerDropped:
				log.Printf("peer %v dropped: %v", ev.ID.TerminalString(), ev.Reason)
			}
		}
	}()
	fmt.Println("peers:", srv.PeerCount())

	srv.Close()
	unsubscribe()
	close(events) // nothing is sent after unsubscribe returns
	<-done
	// Output: peers: 0
}
