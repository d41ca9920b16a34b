package v4wire

import (
	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/rlp"
)

// Packet type bytes (discv4.md "Wire Protocol").
const (
	PingPacket        byte = 0x01
	PongPacket        byte = 0x02
	FindnodePacket    byte = 0x03
	NeighborsPacket   byte = 0x04
	ENRRequestPacket  byte = 0x05
	ENRResponsePacket byte = 0x06
)

// Version is the protocol version sent in Ping.
const Version = 4

// Packet is one of *Ping, *Pong, *Findnode, *Neighbors, *ENRRequest and
// *ENRResponse.
type Packet interface {
	// Kind returns the packet type byte.
	Kind() byte
	// Name returns the packet's name in capitals, such as "PING".
	Name() string
	// String describes the packet for logs. It is safe on any decoded
	// packet.
	String() string

	// appendBody appends rlp(body) to dst.
	appendBody(dst []byte) []byte
}

// Ping (type 0x01) asks the recipient to answer with a Pong and proves our
// endpoint: [version, from, to, expiration, enr-seq?, …].
type Ping struct {
	Version    uint64   // Version (4) when sent; any value is accepted
	From       Endpoint // the sender's endpoint as it sees it (often its local address)
	To         Endpoint // the recipient's endpoint as the sender addresses it
	Expiration uint64   // absolute Unix time in seconds; the transport drops expired packets
	ENRSeq     uint64   // EIP-868: our record's seq; 0 means absent

	Rest []rlp.RawValue // extra list elements, ignored
}

// Pong (type 0x02) answers a Ping: [to, ping-hash, expiration, enr-seq?, …].
type Pong struct {
	// To echoes the UDP source address of the Ping; this is how a node
	// learns its external endpoint.
	To         Endpoint
	ReplyTok   [32]byte // hash of the Ping being answered
	Expiration uint64   // absolute Unix time in seconds; the transport drops expired packets
	ENRSeq     uint64   // EIP-868: the sender's record seq; 0 means absent

	Rest []rlp.RawValue // extra list elements (EIP-8), ignored
}

// Findnode (type 0x03) asks for the nodes closest to keccak256(Target):
// [target, expiration, …].
type Findnode struct {
	Target     Pubkey // 64 bytes hashed to the lookup target; need not be a valid key
	Expiration uint64 // absolute Unix time in seconds; the transport drops expired packets

	Rest []rlp.RawValue // extra list elements (EIP-8), ignored
}

// Neighbors (type 0x04) answers a Findnode with at most MaxNeighbors nodes
// per packet: [[node, …], expiration, …].
type Neighbors struct {
	Nodes      []Node // as received: the 1280-byte packet bounds them, not MaxNeighbors
	Expiration uint64 // absolute Unix time in seconds; the transport drops expired packets

	Rest []rlp.RawValue // extra list elements (EIP-8), ignored
}

// ENRRequest (type 0x05, EIP-868) asks for the recipient's record:
// [expiration, …].
type ENRRequest struct {
	Expiration uint64 // absolute Unix time in seconds; the transport drops expired packets

	Rest []rlp.RawValue // extra list elements (EIP-8), ignored
}

// ENRResponse (type 0x06, EIP-868) answers an ENRRequest:
// [request-hash, record, …]. The decoder verifies the record's own
// signature; checking that the record belongs to the packet's sender is the
// transport's job.
type ENRResponse struct {
	ReplyTok [32]byte   // hash of the ENRRequest being answered
	Record   enr.Record // the sender's record, its signature verified by the decoder

	Rest []rlp.RawValue // extra list elements (EIP-8), ignored
}

// Kind implements Packet.
func (*Ping) Kind() byte { return PingPacket }

// Kind implements Packet.
func (*Pong) Kind() byte { return PongPacket }

// Kind implements Packet.
func (*Findnode) Kind() byte { return FindnodePacket }

// Kind implements Packet.
func (*Neighbors) Kind() byte { return NeighborsPacket }

// Kind implements Packet.
func (*ENRRequest) Kind() byte { return ENRRequestPacket }

// Kind implements Packet.
func (*ENRResponse) Kind() byte { return ENRResponsePacket }

// Name implements Packet.
func (*Ping) Name() string { return "PING" }

// Name implements Packet.
func (*Pong) Name() string { return "PONG" }

// Name implements Packet.
func (*Findnode) Name() string { return "FINDNODE" }

// Name implements Packet.
func (*Neighbors) Name() string { return "NEIGHBORS" }

// Name implements Packet.
func (*ENRRequest) Name() string { return "ENRREQUEST" }

// Name implements Packet.
func (*ENRResponse) Name() string { return "ENRRESPONSE" }
