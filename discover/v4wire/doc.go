// Package v4wire encodes and decodes the packets of the Node Discovery
// Protocol v4 (discv4).
//
// # Packet format
//
// Every packet is hash(32) ‖ signature(65) ‖ type(1) ‖ rlp(body): the
// signature is the recoverable secp256k1 signature r‖s‖v of
// keccak256(type ‖ body) and hash is keccak256(signature ‖ type ‖ body).
// The sender's identity is the public key recovered from the signature.
// Packets are at most MaxPacketSize (1280) bytes.
//
// # Forward compatibility
//
// Following EIP-8, the decoder ignores extra elements at the end of every
// list (they are kept in the Rest field of Ping, Pong, Findnode, Neighbors,
// ENRRequest and ENRResponse) and any bytes after the body's list. The
// optional EIP-868 enr-seq field of Ping and Pong is read leniently: if its
// slot holds something other than an integer (as in two of the EIP-8 test
// packets, which predate EIP-868) the field is treated as absent and the
// element stays in Rest. Unknown packet types yield ErrUnknownPacket, which
// a transport should drop silently.
//
// Decoded packets never alias the input buffer, so a transport may reuse
// its read buffer at once.
//
// Specs: https://github.com/ethereum/devp2p/blob/master/discv4.md, EIP-8,
// EIP-868.
package v4wire
