// Package server runs a devp2p node: it listens for and dials peers, admits
// them, and runs the embedder's sub-protocols on each.
//
// # Usage
//
// Build a Config with a node key and the Protocols to run, call New, then
// Start; Close stops everything:
//
//	srv, err := server.New(server.Config{
//		PrivateKey: key,
//		Protocols:  []peer.Protocol{myProto},
//	})
//	if err != nil { … }
//	if err := srv.Start(); err != nil { … }
//	defer srv.Close()
//
// # The path of a connection
//
// Every connection, dialed or accepted, goes through the same steps:
//
//  1. Accept: an inbound connection from outside Config.NetRestrict, or a
//     second one from the same non-LAN IPv4 address or IPv6 /64 within
//     30 s (the inbound throttle), is closed at once, before any
//     cryptography. At most Config.MaxPendingPeers inbound connections are
//     between accept and the end of step 3, at most MaxPendingPerIP from
//     one address and MaxPendingPerSubnet from one /24 or /64 (LAN and
//     loopback sources have their own, higher caps). A connection beyond a
//     cap takes the slot of one that has not sent its complete auth yet,
//     from the source holding the most slots, if that source holds more
//     than the newcomer's or is its own address; otherwise it is closed.
//     The accept loop never waits for a slot, so a new connection does not
//     queue behind stalled ones. The auth itself must arrive within
//     Config.AuthTimeout (1 s).
//     Dial: the dial scheduler (package dial) picks static and discovered
//     nodes and opens TCP connections.
//  2. The RLPx encryption handshake (package rlpx) authenticates the remote
//     node's key.
//  3. The post-handshake checkpoint refuses a connection to ourselves
//     ("connected to self", 0x0a), to a node already connected or being
//     connected ("already connected", 0x05), and any connection beyond
//     MaxPeers or the inbound/outbound limits ("too many peers", 0x04),
//     unless the node is trusted. An admitted connection reserves its slot,
//     so the limits cannot be overshot by handshakes finishing together.
//  4. The Hello exchange (package peer). Steps 2–4 share one deadline,
//     Config.HandshakeTimeout.
//  5. The add-peer checkpoint refuses a peer with no shared protocol
//     ("useless peer", 0x03) and any peer once Close has begun ("client
//     quitting", 0x08).
//  6. The peer's loop runs the shared protocols until either side
//     disconnects. Subscribers of SubscribeEvents see PeerAdded when it
//     starts and PeerDropped, with the reason, when it ends.
//
// A refusal at step 3 or 5 sends a Disconnect with its reason before closing
// the connection, so the remote side learns why.
//
// # Goroutines and limits
//
// The server has no run loop: the peer set is a mutex-guarded map. It
// starts the accept loop, one goroutine per inbound connection in its
// handshakes (at most MaxPendingPeers before the post-handshake
// checkpoint, plus at most as many evicted ones exiting; after it, at most
// one per peer slot), and one per running peer (which
// runs the peer's own reader and protocol goroutines, joined by peer.Run).
// The dial scheduler and discovery own their goroutines. Close stops the
// listener, the scheduler (joining its dial tasks, which run the same
// setup path) and discovery, disconnects every peer with "client
// quitting", and waits for all of them.
package server
