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

// decodeEIP8 decodes an EIP-8 auth body. Any version is accepted, extra
// list elements are kept in Rest, and bytes after the list (the padding)
// are ignored (EIP-8).
func (m *authMsg) decodeEIP8(b []byte) error {
	*m = authMsg{}
	r, _ := rlp.NewListReader(b)
	r.FixedBytes("Signature", m.Signature[:])
	r.FixedBytes("InitiatorPubkey", m.InitiatorPubkey[:])
	r.FixedBytes("Nonce", m.Nonce[:])
	m.Version = r.Uint64("Version")
	m.Rest = r.Rest()
	if err := r.Err(); err != nil {
		return fmt.Errorf("%w: auth: %w", ErrInvalidHandshake, err)
	}
	return nil
}

// decodeEIP8 decodes an EIP-8 ack body, like authMsg.decodeEIP8.
func (m *ackMsg) decodeEIP8(b []byte) error {
	*m = ackMsg{}
	r, _ := rlp.NewListReader(b)
	r.FixedBytes("EphemeralPubkey", m.EphemeralPubkey[:])
	r.FixedBytes("Nonce", m.Nonce[:])
	m.Version = r.Uint64("Version")
	m.Rest = r.Rest()
	if err := r.Err(); err != nil {
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
