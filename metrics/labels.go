package metrics

// The label values of the node's families are small enums, so that no value
// taken from the network can create a series. A value out of an enum's range
// is counted under "other" where the family has that value, and ignored
// otherwise.

// Direction says who opened a connection.
type Direction uint8

// The connection directions.
const (
	Inbound  Direction = iota // "inbound": the remote dialled us
	Outbound                  // "outbound": we dialled
)

var directionNames = [...]string{Inbound: "inbound", Outbound: "outbound"}

// String returns "inbound" or "outbound", the label value.
func (d Direction) String() string { return enumName(directionNames[:], int(d)) }

// ConnResult is how the setup of a connection ended: ConnOK when it became a
// peer, otherwise the step that refused or failed it. The server maps its
// errors to these values; devp2p_inbound_connections_total and
// devp2p_dials_total count them (each family declares only the values that
// apply to it; the others count as "other").
type ConnResult uint8

// The connection setup results, in the order a connection meets them.
const (
	ConnOK               ConnResult = iota // "ok": the connection became a peer
	ConnNoEndpoint                         // "no_endpoint": dials only; the node has no TCP endpoint, even after resolving
	ConnNetRestrict                        // "net_restrict": the address is outside NetRestrict
	ConnThrottled                          // "throttled": inbound only; the IP connected too recently
	ConnPendingCap                         // "pending_cap": inbound only; too many handshakes in flight
	ConnDialError                          // "dial_error": dials only; the TCP connect failed
	ConnTimeout                            // "timeout": the handshake deadline passed
	ConnHandshakeError                     // "handshake_error": the RLPx auth/ack handshake failed
	ConnHelloError                         // "hello_error": the Hello exchange failed on our side (malformed, bad version or identity)
	ConnRemoteRefused                      // "remote_refused": the remote sent a Disconnect before becoming a peer
	ConnSelf                               // "self": the remote is this node
	ConnAlreadyConnected                   // "already_connected": the node is already a peer
	ConnTooManyPeers                       // "too_many_peers": our peer limits are reached
	ConnUselessPeer                        // "useless_peer": no shared protocol
	ConnClosed                             // "closed": the server is shutting down or the dial was cancelled
	ConnOther                              // "other": anything else
)

var connResultNames = [...]string{
	ConnOK:               "ok",
	ConnNoEndpoint:       "no_endpoint",
	ConnNetRestrict:      "net_restrict",
	ConnThrottled:        "throttled",
	ConnPendingCap:       "pending_cap",
	ConnDialError:        "dial_error",
	ConnTimeout:          "timeout",
	ConnHandshakeError:   "handshake_error",
	ConnHelloError:       "hello_error",
	ConnRemoteRefused:    "remote_refused",
	ConnSelf:             "self",
	ConnAlreadyConnected: "already_connected",
	ConnTooManyPeers:     "too_many_peers",
	ConnUselessPeer:      "useless_peer",
	ConnClosed:           "closed",
	ConnOther:            "other",
}

// String returns the result's label value.
func (r ConnResult) String() string { return enumName(connResultNames[:], int(r)) }

// DialKind says why a node was dialled.
type DialKind uint8

// The dial kinds.
const (
	DialStatic  DialKind = iota // "static": a static (or trusted) node kept connected
	DialDynamic                 // "dynamic": a node found by discovery
)

var dialKindNames = [...]string{DialStatic: "static", DialDynamic: "dynamic"}

// String returns "static" or "dynamic", the label value.
func (k DialKind) String() string { return enumName(dialKindNames[:], int(k)) }

// DiscVersion is a discovery protocol version.
type DiscVersion uint8

// The discovery versions.
const (
	DiscV4 DiscVersion = iota // "v4": devp2p discv4.md
	DiscV5                    // "v5": devp2p discv5-wire.md
)

var discVersionNames = [...]string{DiscV4: "v4", DiscV5: "v5"}

// String returns "v4" or "v5", the label value.
func (v DiscVersion) String() string { return enumName(discVersionNames[:], int(v)) }

// discv4 packet types (devp2p discv4.md, "Wire Protocol"), the label values
// of devp2p_discover_packets_total{version="v4"}: index = packet type - 1.
var v4TypeNames = [...]string{"ping", "pong", "findnode", "neighbors", "enrrequest", "enrresponse"}

// DiscV5WhoAreYou stands for a discv5 WHOAREYOU packet in PacketIn and
// PacketOut. It carries no message, and no discv5 message has type 0.
const DiscV5WhoAreYou byte = 0

// discv5 message types (devp2p discv5-wire.md, "Protocol Messages"), after
// WHOAREYOU: index = message type.
var v5TypeNames = [...]string{"whoareyou", "ping", "pong", "findnode", "nodes", "talkreq", "talkresp"}

// BadPacket is why a discovery packet was dropped.
type BadPacket uint8

// The reasons a discovery packet is dropped.
const (
	BadPacketTooSmall        BadPacket = iota // "too_small": shorter than the smallest packet
	BadPacketTooBig                           // "too_big": over 1280 bytes
	BadPacketHash                             // "bad_hash": the hash does not match (v4)
	BadPacketSignature                        // "bad_signature": no valid signature
	BadPacketUnknownType                      // "unknown_type"
	BadPacketMalformed                        // "malformed": the body does not decode
	BadPacketExpired                          // "expired": the expiration is in the past (v4)
	BadPacketUnsolicited                      // "unsolicited": a reply nobody asked for
	BadPacketNoEndpointProof                  // "no_endpoint_proof": a request from a node that has not proven its endpoint (v4)
	BadPacketDecrypt                          // "decrypt_error": the session keys do not open it (v5)
	BadPacketOther                            // "other"
)

var badPacketNames = [...]string{
	BadPacketTooSmall:        "too_small",
	BadPacketTooBig:          "too_big",
	BadPacketHash:            "bad_hash",
	BadPacketSignature:       "bad_signature",
	BadPacketUnknownType:     "unknown_type",
	BadPacketMalformed:       "malformed",
	BadPacketExpired:         "expired",
	BadPacketUnsolicited:     "unsolicited",
	BadPacketNoEndpointProof: "no_endpoint_proof",
	BadPacketDecrypt:         "decrypt_error",
	BadPacketOther:           "other",
}

// String returns the reason's label value.
func (r BadPacket) String() string { return enumName(badPacketNames[:], int(r)) }

// Transport is the transport protocol of a NAT port mapping.
type Transport uint8

// The mapped transports.
const (
	TCP Transport = iota // "tcp": the RLPx listener
	UDP                  // "udp": discovery
)

var transportNames = [...]string{TCP: "tcp", UDP: "udp"}

// String returns "tcp" or "udp", the label value.
func (t Transport) String() string { return enumName(transportNames[:], int(t)) }

// discReasons are the label values of devp2p_disconnects_total{reason}, by
// the devp2p Disconnect reason codes (rlpx.md, "Disconnect (0x01)"), plus
// 0xff for a Disconnect whose reason could not be decoded.
var discReasons = [...]struct {
	code uint8
	name string
}{
	{0x00, "requested"},
	{0x01, "network_error"},
	{0x02, "protocol_error"},
	{0x03, "useless_peer"},
	{0x04, "too_many_peers"},
	{0x05, "already_connected"},
	{0x06, "incompatible_version"},
	{0x07, "invalid_identity"},
	{0x08, "quitting"},
	{0x09, "unexpected_identity"},
	{0x0a, "self"},
	{0x0b, "read_timeout"},
	{0x10, "subprotocol_error"},
	{0xff, "invalid"},
}

// discReasonIndex returns the index of code in discReasons, or
// len(discReasons) ("other") for a code the spec does not define.
func discReasonIndex(code uint8) int {
	switch {
	case code <= 0x0b:
		return int(code)
	case code == 0x10:
		return 12
	case code == 0xff:
		return 13
	}
	return len(discReasons)
}

func enumName(names []string, i int) string {
	if i < 0 || i >= len(names) {
		return "other"
	}
	return names[i]
}

// indexOf builds a table from every enum value below n to its position in
// subset, or to len(subset) (the "other" series) when it is not there.
func indexOf[E ~uint8](n int, subset []E) []int {
	idx := make([]int, n)
	for i := range idx {
		idx[i] = len(subset)
	}
	for i, e := range subset {
		idx[e] = i
	}
	return idx
}

// names returns the label values of subset followed by "other".
func names[E interface {
	~uint8
	String() string
}](subset []E) []string {
	out := make([]string, 0, len(subset)+1)
	for _, e := range subset {
		out = append(out, e.String())
	}
	return append(out, "other")
}
