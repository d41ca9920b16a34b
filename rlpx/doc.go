// Package rlpx implements RLPx, Ethereum's encrypted and authenticated
// transport (devp2p rlpx.md, EIP-8, EIP-706).
//
// # Usage
//
//	c := rlpx.Client(tcpConn, myKey, theirPubkey, rlpx.Config{}) // or rlpx.Server(tcpConn, myKey, rlpx.Config{})
//	if err := c.Handshake(ctx); err != nil { ... }
//	c.WriteMsg(0x10, payload)
//	code, payload, _, err := c.ReadMsg()
//
// [Client] and [Server] choose the role and take a [Config], whose zero
// value is the default; a negative duration or size in it makes
// [Conn.Handshake] fail with [ErrInvalidConfig]. [Conn.Handshake] runs the auth/ack
// exchange and derives the session secrets. After it, [Conn.WriteMsg] and
// [Conn.ReadMsg] move framed, encrypted messages; [Conn.SetSnappy] turns on
// EIP-706 snappy compression once both p2p Hellos say so.
//
// # Handshake
//
// The auth message is always sent in the EIP-8 format (a 2-byte size prefix,
// an RLP list, 100–300 bytes of random-length padding), and so is the ack to
// an EIP-8 auth. On receipt both EIP-8 and the pre-EIP-8 ("legacy") formats
// are accepted, unless [Config.RejectLegacy] is set; a legacy auth is
// answered with a legacy ack, as EIP-8 asks of a recipient. Extra list
// elements, higher versions and trailing bytes are ignored. The EIP-8 size prefix is capped at 2048 bytes.
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
//   - Frame size ≤ 2^24−1 (the header field), and no more than a payload
//     within the read limit needs (Config.MaxMessageSize, lowered by
//     [Conn.SetReadLimit]); a larger frame is refused after its header MAC,
//     before its body is read.
//   - Snappy: the declared decoded length is checked against the read limit
//     before any allocation or decompression.
//   - Buffers: the read buffer grows as bytes arrive, not to the size a
//     header declares; buffers grown past 1 MiB by a big message are dropped
//     once it is done, so an idle connection holds at most 1 MiB in each.
//
// The package starts no goroutines.
package rlpx
