// Package v5wire encodes and decodes the packets of the Node Discovery
// Protocol v5.1 (discv5).
//
// # Packets
//
// Every packet is masking-iv(16) ‖ masked-header ‖ message. The header is
// the 23-byte static header ("discv5", version, flag, nonce, authdata-size)
// followed by authdata; it is masked with AES-128-CTR keyed by the first 16
// bytes of the recipient's node ID, with the masking IV as counter. The
// three packet kinds differ in flag and authdata:
//
//   - message (flag 0): authdata is the sender's node ID; the message is
//     encrypted with the session's write key.
//   - WHOAREYOU (flag 1): authdata is id-nonce(16) ‖ enr-seq(8); there is no
//     message. It asks the sender of an undecryptable packet to handshake.
//   - handshake (flag 2): authdata carries the sender's node ID, the
//     ID-nonce signature, an ephemeral public key and optionally the
//     sender's record; the message is encrypted with the new session keys.
//
// Messages are AES-128-GCM encrypted with the 12-byte header nonce, and the
// masking IV and unmasked header as additional data.
//
// # Handshake
//
// Session keys come from HKDF-SHA256 over the compressed ECDH point of the
// initiator's ephemeral key and the recipient's static key, salted with the
// challenge data (the unmasked WHOAREYOU packet). The initiator proves its
// identity by signing SHA-256("discovery v5 identity proof" ‖ challenge-data
// ‖ ephemeral-pubkey ‖ recipient-id); signatures with a high S value are
// rejected. Every operation with a private key (the ECDH, the signature,
// the ephemeral public key) is constant-time, since the remote chooses the
// points our static key is multiplied with and can time our answers.
//
// # Codec
//
// The pure functions of this package build and parse single packets. A
// Codec adds the state around them: a bounded LRU cache of sessions keyed
// by node ID and UDP endpoint (capped per source host as well), and the
// WHOAREYOU challenges we sent. A Codec
// starts no goroutines and is not safe for concurrent use; a transport
// keeps it in one goroutine.
//
// # Limits
//
// Packets are at most MaxPacketSize (1280) bytes and at least MinPacketSize
// (63, a WHOAREYOU); message and handshake packets need at least
// MinMessagePacketSize (87) bytes. Records are at most 300 bytes. Message
// bodies are decoded strictly: a missing or extra element, or bytes after
// the body, is an error. Request IDs are at most 8 bytes.
//
// Specs: https://github.com/ethereum/devp2p/blob/master/discv5/discv5-wire.md
// and discv5-theory.md.
package v5wire
