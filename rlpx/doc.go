// Package rlpx implements RLPx, Ethereum's encrypted and authenticated
// transport (devp2p rlpx.md, EIP-8, EIP-706).
//
// # Usage
//
//	c := rlpx.Client(tcpConn, myKey, theirPubkey) // or rlpx.Server(tcpConn, myKey)
//	if err := c.Handshake(ctx); err != nil { ... }
//	c.WriteMsg(0x10, payload)
//	code, payload, _, err := c.ReadMsg()
//
// [Client] and [Server] choose the role; [ClientWithConfig] and
// [ServerWithConfig] take a [Config]. [Conn.Handshake] runs the auth/ack
// exchange and derives the session secrets. After it, [Conn.WriteMsg] and
// [Conn.ReadMsg] move framed, encrypted messages; [Conn.SetSnappy] turns on
// EIP-706 snappy compression once the p2p Hello says so.
//
// # Handshake
//
// The auth and ack messages are always sent in the EIP-8 format (a 2-byte size
// prefix, an RLP list, 100–300 bytes of random-length padding). On receipt
// both EIP-8 and the pre-EIP-8 ("legacy") formats are accepted, unless
// [Config.RejectLegacy] is set. Extra list elements, higher versions and
// trailing bytes are ignored. The EIP-8 size prefix is capped at 2048 bytes.
// The context deadline, or [Config.HandshakeTimeout], bounds the whole
// handshake through deadlines on the underlying connection; a recipient
// must also have received the complete auth within [Config.AuthTimeout]
// (1 s), which [Conn.AuthReceived] reports.
//
// # Frames
//
// Each message is one frame: a 16-byte encrypted header (24-bit frame size),
// a 16-byte header MAC, the padded encrypted frame data (RLP message code ‖
// payload) and a 16-byte frame MAC. Encryption is AES-256-CTR with a zero IV
// and one keystream per direction; the MACs are the Keccak-256/AES-256
// construction of rlpx.md. Both directions use the same key and IV, a
// weakness of the protocol itself (rlpx.md "Known Issues"); the session keys
// are never used for anything else.
//
// # ECIES
//
// [Encrypt] and [Decrypt] implement the ECIES variant of rlpx.md and can be
// used on their own.
//
// # Limits
//
//   - ECIES input shorter than 113 bytes is rejected; the ephemeral key is
//     validated before any ECDH; tags are compared in constant time.
//   - EIP-8 handshake size prefix ≤ 2048; the handshake has a deadline.
//   - Frame size ≤ 2^24−1 (the header field), or Config.MaxMessageSize.
//   - Snappy: the declared decoded length is checked (≤ 16 MiB, or
//     Config.MaxMessageSize) before any allocation.
//
// The package starts no goroutines.
package rlpx
