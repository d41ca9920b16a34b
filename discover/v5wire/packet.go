package v5wire

import (
	"crypto/aes"
	"crypto/cipher"
	"encoding/binary"
	"fmt"

	"github.com/devp2p-go/devp2p/nodeid"
)

// Packet layout sizes (discv5-wire.md, "Packet Encoding").
const (
	MaskingIVSize        = 16
	StaticHeaderSize     = 23
	NonceSize            = 12
	IDNonceSize          = 16
	WhoareyouAuthSize    = IDNonceSize + 8 // id-nonce ‖ enr-seq
	MessageAuthSize      = 32              // src-id
	handshakeAuthHead    = 32 + 1 + 1      // src-id ‖ sig-size ‖ eph-key-size
	SignatureSize        = 64
	EphemeralKeySize     = 33
	gcmTagSize           = 16
	staticPacketSize     = MaskingIVSize + StaticHeaderSize
	minMessageAfterHdr   = 48 // go-ethereum's minimum for flags 0 and 2
	randomMessageSize    = 20 // message bytes of a random (session-less) packet
	handshakeAuthSizeMin = handshakeAuthHead + SignatureSize + EphemeralKeySize

	// MaxPacketSize is the largest packet (discv5-wire.md).
	MaxPacketSize = 1280
	// MinPacketSize is the smallest packet: a WHOAREYOU (masking IV,
	// static header and its 24-byte authdata), 63 bytes.
	MinPacketSize = 63
	// MinMessagePacketSize is the smallest message or handshake packet
	// accepted: masking IV, static header and 48 more bytes, as
	// go-ethereum requires.
	MinMessagePacketSize = 87
)

// The two minimums follow from the layout; these fail to compile if the
// literals above drift from it.
var (
	_ = [1]struct{}{}[MinPacketSize-(staticPacketSize+WhoareyouAuthSize)]
	_ = [1]struct{}{}[MinMessagePacketSize-(staticPacketSize+minMessageAfterHdr)]
)

// Flags of the static header.
const (
	flagMessage   byte = 0
	flagWhoareyou byte = 1
	flagHandshake byte = 2
)

const protocolID = "discv5"

// Version is the protocol version we send; any version ≥ 1 is accepted.
const Version uint16 = 1

// Nonce is the 12-byte AES-GCM nonce of a packet, also the token a
// WHOAREYOU echoes.
type Nonce [NonceSize]byte

// header is the unmasked static header and authdata of a packet.
type header struct {
	IV       [MaskingIVSize]byte
	Flag     byte
	Nonce    Nonce
	AuthData []byte
}

// append appends iv ‖ static-header ‖ authdata, unmasked.
func (h *header) append(dst []byte) []byte {
	dst = append(dst, h.IV[:]...)
	dst = append(dst, protocolID...)
	dst = binary.BigEndian.AppendUint16(dst, Version)
	dst = append(dst, h.Flag)
	dst = append(dst, h.Nonce[:]...)
	dst = binary.BigEndian.AppendUint16(dst, uint16(len(h.AuthData)))
	return append(dst, h.AuthData...)
}

// mask applies AES-128-CTR keyed by dest[:16] with the IV at the start of
// b to the header bytes b[16:hdrEnd], in place. Masking and unmasking are
// the same operation.
func mask(dest nodeid.ID, b []byte) {
	block, err := aes.NewCipher(dest[:16])
	if err != nil {
		panic(err) // a 16-byte key is always valid
	}
	cipher.NewCTR(block, b[:MaskingIVSize]).XORKeyStream(b[MaskingIVSize:], b[MaskingIVSize:])
}

// unmaskHeader reads the header of packet, which is masked for self. It
// returns the header and the message bytes after it; the header's
// AuthData does not alias packet.
func unmaskHeader(self nodeid.ID, packet []byte) (*header, []byte, []byte, error) {
	return unmaskWith(newMaskCipher(self), packet)
}

// newMaskCipher returns the AES block cipher that masks headers for id.
func newMaskCipher(id nodeid.ID) cipher.Block {
	block, err := aes.NewCipher(id[:16])
	if err != nil {
		panic(err) // a 16-byte key is always valid
	}
	return block
}

// unmaskWith is unmaskHeader with the recipient's masking cipher.
func unmaskWith(block cipher.Block, packet []byte) (*header, []byte, []byte, error) {
	if len(packet) < MinPacketSize {
		return nil, nil, nil, fmt.Errorf("%w: %d bytes", ErrPacketTooSmall, len(packet))
	}
	if len(packet) > MaxPacketSize {
		return nil, nil, nil, fmt.Errorf("%w: %d bytes", ErrPacketTooBig, len(packet))
	}
	ctr := cipher.NewCTR(block, packet[:MaskingIVSize])
	var static [StaticHeaderSize]byte
	ctr.XORKeyStream(static[:], packet[MaskingIVSize:staticPacketSize])
	if string(static[:6]) != protocolID {
		return nil, nil, nil, fmt.Errorf("%w: protocol id", ErrInvalidHeader)
	}
	if v := binary.BigEndian.Uint16(static[6:8]); v < Version {
		return nil, nil, nil, fmt.Errorf("%w: version %d", ErrInvalidHeader, v)
	}
	h := &header{Flag: static[8]}
	copy(h.IV[:], packet[:MaskingIVSize])
	copy(h.Nonce[:], static[9:21])
	authSize := int(binary.BigEndian.Uint16(static[21:23]))
	if h.Flag != flagWhoareyou && len(packet) < MinMessagePacketSize {
		return nil, nil, nil, fmt.Errorf("%w: %d bytes for flag %d", ErrPacketTooSmall, len(packet), h.Flag)
	}
	if authSize > len(packet)-staticPacketSize {
		return nil, nil, nil, fmt.Errorf("%w: authdata size %d", ErrInvalidHeader, authSize)
	}
	h.AuthData = make([]byte, authSize)
	ctr.XORKeyStream(h.AuthData, packet[staticPacketSize:staticPacketSize+authSize])
	// The additional data is the header as received, version included.
	hdr := make([]byte, 0, staticPacketSize+authSize)
	hdr = append(hdr, h.IV[:]...)
	hdr = append(hdr, static[:]...)
	hdr = append(hdr, h.AuthData...)
	return h, hdr, packet[staticPacketSize+authSize:], nil
}
