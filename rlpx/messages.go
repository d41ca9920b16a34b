package rlpx

// The auth and ack messages, in the EIP-8 format (an RLP list with room for
// more elements) and the pre-EIP-8 fixed layout. rlpx.md "Initial
// Handshake", EIP-8 "Changes to the RLPx Handshake".
//
//	auth-body = [sig, initiator-pubk, initiator-nonce, auth-vsn, ...]
//	ack-body  = [recipient-ephemeral-pubk, recipient-nonce, ack-vsn, ...]
//	legacy auth = sig(65) ‖ keccak256(eph-pubk)(32) ‖ pubk(64) ‖ nonce(32) ‖ 0x00
//	legacy ack  = eph-pubk(64) ‖ nonce(32) ‖ 0x00

import (
	"fmt"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlp"
)

const (
	handshakeVersion = 4 // auth-vsn and ack-vsn we send

	legacyAuthPlainLen = 65 + 32 + 64 + 32 + 1              // 194
	legacyAckPlainLen  = 64 + 32 + 1                        // 97
	legacyAuthLen      = legacyAuthPlainLen + eciesOverhead // 307
	legacyAckLen       = legacyAckPlainLen + eciesOverhead  // 210
)

// authMsg is the initiator's first message.
type authMsg struct {
	Signature       [ethcrypto.SignatureSize]byte // Sign(eph, static-shared-secret ⊕ nonce)
	InitiatorPubkey [ethcrypto.PubkeySize]byte
	Nonce           [32]byte
	Version         uint64
	Rest            []rlp.RawValue // extra list elements, ignored

	EphemeralHash [32]byte // legacy only: keccak256 of the ephemeral public key
}

// ackMsg is the recipient's answer.
type ackMsg struct {
	EphemeralPubkey [ethcrypto.PubkeySize]byte
	Nonce           [32]byte
	Version         uint64
	Rest            []rlp.RawValue // extra list elements, ignored
}

func (m *authMsg) appendEIP8(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst = rlp.AppendBytes(dst, m.Signature[:])
	dst = rlp.AppendBytes(dst, m.InitiatorPubkey[:])
	dst = rlp.AppendBytes(dst, m.Nonce[:])
	dst = rlp.AppendUint64(dst, m.Version)
	for _, r := range m.Rest {
		dst = append(dst, r...)
	}
	return rlp.EndList(dst, mark)
}

func (m *ackMsg) appendEIP8(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst = rlp.AppendBytes(dst, m.EphemeralPubkey[:])
	dst = rlp.AppendBytes(dst, m.Nonce[:])
	dst = rlp.AppendUint64(dst, m.Version)
	for _, r := range m.Rest {
		dst = append(dst, r...)
	}
	return rlp.EndList(dst, mark)
}

// appendLegacy appends the pre-EIP-8 ack body: the fixed layout a
// recipient answers a pre-EIP-8 auth with.
func (m *ackMsg) appendLegacy(dst []byte) []byte {
	dst = append(dst, m.EphemeralPubkey[:]...)
	dst = append(dst, m.Nonce[:]...)
	return append(dst, 0x00) // known-peer flag, always 0
}

// decodeEIP8 decodes an EIP-8 auth body. Extra list elements are kept in
// Rest; bytes after the list (the padding) are ignored.
func (m *authMsg) decodeEIP8(b []byte) error {
	*m = authMsg{}
	content, _, err := rlp.SplitList(b)
	if err != nil {
		return fmt.Errorf("%w: auth: %w", ErrInvalidHandshake, err)
	}
	if content, err = splitFixed(m.Signature[:], content, "signature"); err != nil {
		return fmt.Errorf("%w: auth: %w", ErrInvalidHandshake, err)
	}
	if content, err = splitFixed(m.InitiatorPubkey[:], content, "public key"); err != nil {
		return fmt.Errorf("%w: auth: %w", ErrInvalidHandshake, err)
	}
	if content, err = splitFixed(m.Nonce[:], content, "nonce"); err != nil {
		return fmt.Errorf("%w: auth: %w", ErrInvalidHandshake, err)
	}
	if m.Version, m.Rest, err = splitVersionRest(content); err != nil {
		return fmt.Errorf("%w: auth: %w", ErrInvalidHandshake, err)
	}
	return nil
}

// decodeEIP8 decodes an EIP-8 ack body, like authMsg.decodeEIP8.
func (m *ackMsg) decodeEIP8(b []byte) error {
	*m = ackMsg{}
	content, _, err := rlp.SplitList(b)
	if err != nil {
		return fmt.Errorf("%w: ack: %w", ErrInvalidHandshake, err)
	}
	if content, err = splitFixed(m.EphemeralPubkey[:], content, "ephemeral key"); err != nil {
		return fmt.Errorf("%w: ack: %w", ErrInvalidHandshake, err)
	}
	if content, err = splitFixed(m.Nonce[:], content, "nonce"); err != nil {
		return fmt.Errorf("%w: ack: %w", ErrInvalidHandshake, err)
	}
	if m.Version, m.Rest, err = splitVersionRest(content); err != nil {
		return fmt.Errorf("%w: ack: %w", ErrInvalidHandshake, err)
	}
	return nil
}

// decodeLegacy decodes a pre-EIP-8 auth body.
func (m *authMsg) decodeLegacy(b []byte) error {
	*m = authMsg{}
	if len(b) != legacyAuthPlainLen {
		return fmt.Errorf("%w: legacy auth of %d bytes, want %d", ErrInvalidHandshake, len(b), legacyAuthPlainLen)
	}
	b = b[copy(m.Signature[:], b):]
	b = b[copy(m.EphemeralHash[:], b):]
	b = b[copy(m.InitiatorPubkey[:], b):]
	copy(m.Nonce[:], b)
	m.Version = handshakeVersion
	return nil
}

// decodeLegacy decodes a pre-EIP-8 ack body.
func (m *ackMsg) decodeLegacy(b []byte) error {
	*m = ackMsg{}
	if len(b) != legacyAckPlainLen {
		return fmt.Errorf("%w: legacy ack of %d bytes, want %d", ErrInvalidHandshake, len(b), legacyAckPlainLen)
	}
	b = b[copy(m.EphemeralPubkey[:], b):]
	copy(m.Nonce[:], b)
	m.Version = handshakeVersion
	return nil
}

// splitFixed decodes an RLP string of exactly len(dst) bytes into dst.
func splitFixed(dst, b []byte, what string) (rest []byte, err error) {
	content, rest, err := rlp.SplitString(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if len(content) != len(dst) {
		return nil, fmt.Errorf("%s is %d bytes, want %d", what, len(content), len(dst))
	}
	copy(dst, content)
	return rest, nil
}

// splitVersionRest decodes the version and keeps the remaining list
// elements as raw values. Any version is accepted (EIP-8).
func splitVersionRest(b []byte) (uint64, []rlp.RawValue, error) {
	if len(b) == 0 {
		return 0, nil, fmt.Errorf("missing version")
	}
	vsn, b, err := rlp.SplitUint64(b)
	if err != nil {
		return 0, nil, fmt.Errorf("version: %w", err)
	}
	var rest []rlp.RawValue
	for len(b) > 0 {
		_, _, tail, err := rlp.Split(b)
		if err != nil {
			return 0, nil, fmt.Errorf("extra element: %w", err)
		}
		rest = append(rest, rlp.RawValue(b[:len(b)-len(tail)]))
		b = tail
	}
	return vsn, rest, nil
}
