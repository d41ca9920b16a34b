package ethcrypto

import (
	"errors"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// PubkeySize is the size of a public key on the devp2p wire: X‖Y, 32 bytes
// each, without the 0x04 prefix.
const PubkeySize = 64

// ErrInvalidPubkey is returned for public key bytes that are not a valid
// secp256k1 point in the expected encoding.
var ErrInvalidPubkey = errors.New("invalid secp256k1 public key")

// MarshalPubkey returns the 64-byte X‖Y encoding of pub.
func MarshalPubkey(pub *secp256k1.PublicKey) [PubkeySize]byte {
	// AsJacobian copies the normalised coordinates; unlike
	// SerializeUncompressed it does not allocate.
	var j secp256k1.JacobianPoint
	pub.AsJacobian(&j)
	var out [PubkeySize]byte
	j.X.PutBytesUnchecked(out[:32])
	j.Y.PutBytesUnchecked(out[32:])
	return out
}

// UnmarshalPubkey parses a 64-byte X‖Y public key as sent in the handshake,
// Hello and discv4 packets. It rejects coordinates ≥ p and points off the curve.
func UnmarshalPubkey(b []byte) (*secp256k1.PublicKey, error) {
	if len(b) != PubkeySize {
		return nil, fmt.Errorf("%w: length %d, want %d", ErrInvalidPubkey, len(b), PubkeySize)
	}
	var buf [1 + PubkeySize]byte
	buf[0] = secp256k1.PubKeyFormatUncompressed
	copy(buf[1:], b)
	return ParseUncompressed(buf[:])
}

// ParseUncompressed parses a 65-byte public key that must start with 0x04.
// Hybrid (0x06/0x07) and any other prefix are rejected, as are coordinates
// ≥ p and points off the curve.
func ParseUncompressed(b []byte) (*secp256k1.PublicKey, error) {
	if len(b) != 1+PubkeySize {
		return nil, fmt.Errorf("%w: length %d, want %d", ErrInvalidPubkey, len(b), 1+PubkeySize)
	}
	if b[0] != secp256k1.PubKeyFormatUncompressed {
		return nil, fmt.Errorf("%w: prefix %#02x", ErrInvalidPubkey, b[0])
	}
	pub, ok := backendParse(b)
	if !ok {
		return nil, fmt.Errorf("%w: not a point on the curve", ErrInvalidPubkey)
	}
	return pub, nil
}

// ParseCompressed parses a 33-byte compressed public key (0x02/0x03 prefix),
// as stored in an ENR's "secp256k1" entry.
func ParseCompressed(b []byte) (*secp256k1.PublicKey, error) {
	if len(b) != secp256k1.PubKeyBytesLenCompressed {
		return nil, fmt.Errorf("%w: length %d, want %d", ErrInvalidPubkey, len(b), secp256k1.PubKeyBytesLenCompressed)
	}
	if b[0] != secp256k1.PubKeyFormatCompressedEven && b[0] != secp256k1.PubKeyFormatCompressedOdd {
		return nil, fmt.Errorf("%w: prefix %#02x", ErrInvalidPubkey, b[0])
	}
	pub, ok := backendParse(b)
	if !ok {
		return nil, fmt.Errorf("%w: x is not the coordinate of a curve point", ErrInvalidPubkey)
	}
	return pub, nil
}

// parseGo parses a 65-byte 0x04 or 33-byte 0x02/0x03 encoding whose length
// and prefix the caller checked: coordinates must be below p and the point
// on the curve.
func parseGo(b []byte) (*secp256k1.PublicKey, bool) {
	var a affine
	xb := [32]byte(b[1:33])
	if !a.x.setBytes(&xb) {
		return nil, false
	}
	if len(b) == 1+PubkeySize {
		yb := [32]byte(b[33:])
		if !a.y.setBytes(&yb) || !a.onCurve() {
			return nil, false
		}
		return affineToPub(&a), true
	}
	var y2 fe
	y2.sqr(&a.x)
	y2.mul(&y2, &a.x)
	y2.add(&y2, &feB)
	if !a.y.sqrt(&y2) {
		return nil, false
	}
	if a.y.isOdd() != (b[0] == secp256k1.PubKeyFormatCompressedOdd) {
		a.y.neg(&a.y)
	}
	a.y.normalize()
	return affineToPub(&a), true
}
