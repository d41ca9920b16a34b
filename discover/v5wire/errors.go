package v5wire

import "errors"

// Errors returned by decoding and encoding (wrapped; test with errors.Is).
var (
	// ErrPacketTooSmall: shorter than MinPacketSize, or a message or
	// handshake packet shorter than MinMessagePacketSize.
	ErrPacketTooSmall = errors.New("v5wire: packet too small")
	// ErrPacketTooBig: longer than MaxPacketSize (also returned by encoding).
	ErrPacketTooBig = errors.New("v5wire: packet too big")
	// ErrInvalidHeader: the header does not unmask to "discv5", names an
	// unsupported version or flag, or its authdata size does not fit.
	ErrInvalidHeader = errors.New("v5wire: invalid packet header")
	// ErrInvalidAuthData: authdata has the wrong size for its flag, or a
	// handshake's signature or key sizes are wrong.
	ErrInvalidAuthData = errors.New("v5wire: invalid authdata")
	// ErrUnexpectedHandshake: a handshake packet for which we hold no
	// challenge (none sent, expired, or already used).
	ErrUnexpectedHandshake = errors.New("v5wire: unexpected handshake")
	// ErrInvalidSignature: the handshake's ID-nonce signature does not
	// verify, or has a high S value.
	ErrInvalidSignature = errors.New("v5wire: invalid id-nonce signature")
	// ErrInvalidEphemeralKey: the handshake's ephemeral key is not a
	// compressed secp256k1 point.
	ErrInvalidEphemeralKey = errors.New("v5wire: invalid ephemeral key")
	// ErrNoRecord: a handshake carries no record and we know none for the
	// sender, so its identity cannot be checked.
	ErrNoRecord = errors.New("v5wire: no record for handshake")
	// ErrInvalidRecord: the handshake's record is malformed or belongs to
	// another node.
	ErrInvalidRecord = errors.New("v5wire: invalid record in handshake")
	// ErrDecrypt: the message does not authenticate under the session key.
	ErrDecrypt = errors.New("v5wire: message authentication failed")
	// ErrUnknownMessage: the message type is not one of the six known
	// ones. Transports ignore such messages.
	ErrUnknownMessage = errors.New("v5wire: unknown message type")
	// ErrMalformed: the message body is not the RLP its type requires.
	ErrMalformed = errors.New("v5wire: malformed message")
	// ErrInvalidReqID: a request ID longer than MaxRequestIDSize.
	ErrInvalidReqID = errors.New("v5wire: request ID longer than 8 bytes")
	// ErrUnsolicited: a NODES message that CodecConfig.AcceptNodes refused;
	// its records were neither decoded nor verified.
	ErrUnsolicited = errors.New("v5wire: unsolicited NODES")
	// ErrNoSession: encoding a message for a node we hold no session with.
	ErrNoSession = errors.New("v5wire: no session")
)
