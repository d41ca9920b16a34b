package rlpx

import (
	"errors"
	"fmt"
	"strings"
)

// Errors returned by this package. They are wrapped with context; test for
// them with [errors.Is].
var (
	// ErrInvalidPublicKey reports public key bytes from the network that are
	// not a valid secp256k1 point (a wrong prefix, a coordinate ≥ p, or a
	// point off the curve): the ECIES ephemeral key R, the initiator's
	// static key in an auth message, or the recipient's ephemeral key in an
	// ack. Encrypt returns it for a nil key, and Handshake when asked to dial
	// without a remote key.
	ErrInvalidPublicKey = errors.New("rlpx: invalid public key")

	// ErrInvalidMAC reports an ECIES tag, frame header MAC or frame MAC
	// that does not verify. On a Conn it is sticky.
	ErrInvalidMAC = errors.New("rlpx: invalid MAC")

	// ErrShortCiphertext reports an ECIES message shorter than the 113
	// bytes of overhead (ephemeral key, IV and tag).
	ErrShortCiphertext = errors.New("rlpx: ECIES ciphertext too short")

	// ErrHandshakeSize reports an EIP-8 size prefix above the 2048-byte cap,
	// or one too small to hold an ECIES message.
	ErrHandshakeSize = errors.New("rlpx: invalid handshake message size")

	// ErrLegacyHandshake reports a pre-EIP-8 auth or ack message received
	// while Config.RejectLegacy is set.
	ErrLegacyHandshake = errors.New("rlpx: pre-EIP-8 handshake message rejected")

	// ErrInvalidHandshake reports an auth or ack message whose decrypted
	// body is malformed (bad RLP, wrong field sizes, bad signature).
	ErrInvalidHandshake = errors.New("rlpx: invalid handshake message")
	// ErrAuthRejected is returned by an initiator's Handshake when the
	// remote closed the connection after our auth without sending a byte of
	// its ack. The usual cause is a node key other than the one dialled:
	// the remote cannot decrypt an auth sealed to another key, and closes.
	ErrAuthRejected = errors.New("rlpx: remote closed the connection after our auth (does it hold the node key we dialled?)")

	// ErrHandshakeTimeout reports a handshake cut off by its deadline (the
	// context's, Config.HandshakeTimeout, or for a recipient still waiting
	// for the auth, Config.AuthTimeout) or by cancellation of its context;
	// the context's error is wrapped too.
	ErrHandshakeTimeout = errors.New("rlpx: handshake timed out")

	// ErrHandshakeNotDone is returned by ReadMsg and WriteMsg before a
	// successful Handshake.
	ErrHandshakeNotDone = errors.New("rlpx: handshake not done")

	// ErrMessageTooLarge reports a message whose payload (uncompressed) is
	// too large to send, or a received frame above Config.MaxMessageSize.
	ErrMessageTooLarge = errors.New("rlpx: message too large")

	// ErrInvalidFrame reports a received frame that is malformed after its
	// MACs verified: an empty frame or a bad message code. It is sticky.
	ErrInvalidFrame = errors.New("rlpx: invalid frame")

	// ErrSnappy reports a compressed payload that cannot be decompressed:
	// a declared length above the limit, a corrupt block, or a block whose
	// content does not match its declared length. It is sticky.
	ErrSnappy = errors.New("rlpx: invalid snappy payload")
)

// opError is the error of one operation of a Conn ("handshake", "read",
// "write"). Its text names the package once, even when the cause is itself
// an rlpx error whose text starts with "rlpx: ".
type opError struct {
	op  string
	err error
}

func (e *opError) Error() string {
	return "rlpx: " + e.op + ": " + strings.TrimPrefix(e.err.Error(), "rlpx: ")
}

func (e *opError) Unwrap() error { return e.err }

// keyError wraps err, the key parser's error for the public key called
// what, so that errors.Is finds ErrInvalidPublicKey.
func keyError(what string, err error) error {
	return fmt.Errorf("%w: %s: %w", ErrInvalidPublicKey, what, err)
}
