package peer

import (
	"errors"
	"fmt"
	"strings"
)

// DiscReason is the reason code carried by a devp2p Disconnect message
// (rlpx.md, "Disconnect (0x01)"). It implements error, so a reason can be
// returned from a Protocol's Run to close the peer with that code.
type DiscReason uint8

// The reason codes defined by the devp2p spec, plus DiscInvalid for a
// Disconnect message that could not be decoded.
const (
	DiscRequested           DiscReason = 0x00 // disconnect requested
	DiscNetworkError        DiscReason = 0x01 // TCP sub-system error
	DiscProtocolError       DiscReason = 0x02 // breach of protocol
	DiscUselessPeer         DiscReason = 0x03 // useless peer (no shared capability)
	DiscTooManyPeers        DiscReason = 0x04 // too many peers
	DiscAlreadyConnected    DiscReason = 0x05 // already connected
	DiscIncompatibleVersion DiscReason = 0x06 // incompatible p2p protocol version
	DiscInvalidIdentity     DiscReason = 0x07 // null or invalid node identity
	DiscQuitting            DiscReason = 0x08 // client quitting
	DiscUnexpectedIdentity  DiscReason = 0x09 // unexpected identity in handshake
	DiscSelf                DiscReason = 0x0a // connected to self
	DiscReadTimeout         DiscReason = 0x0b // read timeout (ping timeout)
	DiscSubprotocolError    DiscReason = 0x10 // some other reason specific to a subprotocol

	// DiscInvalid is not sent on the wire. It stands for a Disconnect
	// message whose payload could not be decoded, or whose reason does not
	// fit in a byte.
	DiscInvalid DiscReason = 0xff
)

var discReasonNames = [...]string{
	DiscRequested:           "disconnect requested",
	DiscNetworkError:        "network error",
	DiscProtocolError:       "breach of protocol",
	DiscUselessPeer:         "useless peer",
	DiscTooManyPeers:        "too many peers",
	DiscAlreadyConnected:    "already connected",
	DiscIncompatibleVersion: "incompatible p2p protocol version",
	DiscInvalidIdentity:     "invalid node identity",
	DiscQuitting:            "client quitting",
	DiscUnexpectedIdentity:  "unexpected identity",
	DiscSelf:                "connected to self",
	DiscReadTimeout:         "read timeout",
	DiscSubprotocolError:    "subprotocol error",
}

// String returns the reason's readable name, or "disconnect reason 0x.." for
// codes the spec does not define.
func (r DiscReason) String() string {
	if r == DiscInvalid {
		return "invalid disconnect reason"
	}
	if int(r) < len(discReasonNames) && discReasonNames[r] != "" {
		return discReasonNames[r]
	}
	return fmt.Sprintf("disconnect reason %#02x", uint8(r))
}

// Error implements error; it is the same as String.
func (r DiscReason) Error() string { return r.String() }

// ReasonOf reports the DiscReason carried by err or anything it wraps.
// A *DisconnectError, as returned by Peer.Run and Handshake, always carries
// one.
func ReasonOf(err error) (DiscReason, bool) {
	var r DiscReason
	if errors.As(err, &r) {
		return r, true
	}
	return 0, false
}

// DisconnectError says why a connection ended: the reason and which side
// chose it. Remote is true when the reason came in a Disconnect message from
// the peer; otherwise we decided (and, unless the connection had already
// failed, sent the reason to the peer). Err is the underlying cause, if any:
// a protocol's error, a read error, a context error.
type DisconnectError struct {
	Reason DiscReason // the Disconnect reason, received or chosen by us
	Remote bool       // the reason came from the peer (remote input), not from us
	Err    error      // the underlying cause, or nil
}

// Error describes the disconnect, e.g. "peer: remote disconnected: too many
// peers" or "peer: disconnected: breach of protocol: unknown message code".
func (e *DisconnectError) Error() string {
	var b strings.Builder
	if e.Remote {
		b.WriteString("peer: remote disconnected: ")
	} else {
		b.WriteString("peer: disconnected: ")
	}
	b.WriteString(e.Reason.String())
	if e.Err != nil && !errors.Is(e.Err, e.Reason) {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

// Unwrap returns the reason and the cause, so errors.Is and errors.As find
// either.
func (e *DisconnectError) Unwrap() []error {
	if e.Err == nil {
		return []error{e.Reason}
	}
	return []error{e.Reason, e.Err}
}

// localDisc builds the error for a disconnect we chose.
func localDisc(r DiscReason, cause error) *DisconnectError {
	return &DisconnectError{Reason: r, Err: cause}
}

// reasonForError picks the reason to send when err ends the peer.
func reasonForError(err error) DiscReason {
	if r, ok := ReasonOf(err); ok {
		return r
	}
	return DiscSubprotocolError
}
