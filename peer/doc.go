// Package peer implements the devp2p base protocol ("p2p") on top of an
// RLPx connection, and the run loop of a connected peer: the Hello
// exchange, capability matching, sub-protocol multiplexing, ping/pong
// keepalive and Disconnect.
//
// Spec: https://github.com/ethereum/devp2p/blob/master/rlpx.md, sections
// "Message Encoding" and "p2p Capability"; EIP-8 (forward-compatible Hello);
// EIP-706 (snappy, turned on when both Hellos announce version 5).
//
// # Usage
//
// After an rlpx.Conn finished its handshake:
//
//	theirs, err := peer.Handshake(ctx, conn, peer.NewHello(ourKey.PubKey(), "me/v1", caps...))
//	p := peer.New(conn, theirs, protocols, peer.Config{})
//	err = p.Run(ctx) // until disconnect; reason, _ := peer.ReasonOf(err)
//
// A Protocol's Run gets a MsgReadWriter that sees only its own message
// codes, 0 to Length-1; Send and Msg.Decode do the RLP.
//
// # Identity
//
// A peer is identified by its nodeid.ID, the Keccak-256 hash of its 64-byte
// public key (the discovery node ID). Hello carries the 64-byte key itself,
// which must equal the key the RLPx handshake authenticated.
//
// # Goroutines and limits
//
// Run owns one loop (the calling goroutine), one reader goroutine and one
// goroutine per shared protocol, and joins them all before it returns. The
// reader is the only goroutine that reads the connection; writes are
// serialized by a single write token, and pongs are sent from the loop,
// never from a goroutine per ping. Received protocol messages wait in a
// queue of Config.QueueLength per protocol; when it is full the reader
// stops reading (backpressure). Every read has a deadline of
// Config.ReadTimeout (30 s), every write one of Config.WriteTimeout (20 s);
// inbound pings are rate-limited by a token bucket. The connection's read
// limit is 2 KiB for Hello, then the largest size limit of the shared
// protocols (16 MiB by default), so a larger frame is refused before its
// body is read. Every breach of protocol by the remote (a frame that fails
// its MAC or is malformed, a bad or oversized snappy payload, a message
// above its protocol's limit, an unknown message code, a malformed Hello or
// base protocol message) disconnects the peer with DiscProtocolError, which
// is sent to it before the connection closes. Once the peer starts closing
// the reader reads nothing more.
package peer
