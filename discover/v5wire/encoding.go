package v5wire

import (
	"crypto/cipher"
	"encoding/binary"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Whoareyou is a WHOAREYOU packet: the challenge a node sends in reply to
// a packet it cannot decrypt.
type Whoareyou struct {
	// Nonce is the nonce of the packet this one answers.
	Nonce Nonce
	// IDNonce is the random challenge the handshake signature covers.
	IDNonce [IDNonceSize]byte
	// RecordSeq is the sequence number of the recipient's record the
	// sender knows, 0 if none. The handshake includes the initiator's
	// record when its own sequence number is higher.
	RecordSeq uint64
	// ChallengeData is the unmasked packet, masking-iv ‖ static-header ‖
	// authdata (63 bytes); both sides derive the session keys from it.
	ChallengeData []byte
}

// Unknown is a message packet that could not be decrypted: we hold no
// session with its sender, or a different one. The answer is a WHOAREYOU
// echoing Nonce.
type Unknown struct {
	Nonce Nonce // the nonce from the packet's header, as received
}

// Kind implements Packet.
func (*Whoareyou) Kind() byte { return WhoareyouPacket }

// Name implements Packet.
func (*Whoareyou) Name() string { return "WHOAREYOU" }

// Kind implements Packet.
func (*Unknown) Kind() byte { return UnknownPacket }

// Name implements Packet.
func (*Unknown) Name() string { return "UNKNOWN" }

// seal assembles a packet: the header masked for dest, then pt encrypted
// with aead under the unmasked header as additional data. With aead nil,
// pt is appended as is (the random packet that starts a handshake).
func seal(dest nodeid.ID, h *header, aead cipher.AEAD, pt []byte) ([]byte, error) {
	size := staticPacketSize + len(h.AuthData) + len(pt)
	if aead != nil {
		size += gcmTagSize
	}
	if size > MaxPacketSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrPacketTooBig, size)
	}
	out := h.append(make([]byte, 0, size))
	hdrLen := len(out)
	if aead != nil {
		out = encryptGCM(out, aead, h.Nonce[:], pt, out[:hdrLen:hdrLen])
	} else {
		out = append(out, pt...)
	}
	mask(dest, out[:hdrLen])
	return out, nil
}

// EncodeMessagePacket builds a message packet (flag 0) from src to dest
// carrying the plaintext pt (see AppendMessage) encrypted with writeKey.
// iv and nonce must be fresh random values; they are parameters so that
// published test vectors can be reproduced.
func EncodeMessagePacket(dest, src nodeid.ID, iv [MaskingIVSize]byte, nonce Nonce, writeKey []byte, pt []byte) ([]byte, error) {
	return encodeMessagePacket(dest, src, iv, nonce, newGCM(writeKey), pt)
}

func encodeMessagePacket(dest, src nodeid.ID, iv [MaskingIVSize]byte, nonce Nonce, write cipher.AEAD, pt []byte) ([]byte, error) {
	h := &header{IV: iv, Flag: flagMessage, Nonce: nonce, AuthData: src[:]}
	return seal(dest, h, write, pt)
}

// encodeRandomPacket builds a message packet with random content: the
// first packet to a node we hold no session with, which it answers with a
// WHOAREYOU.
func encodeRandomPacket(dest, src nodeid.ID, iv [MaskingIVSize]byte, nonce Nonce, random []byte) ([]byte, error) {
	h := &header{IV: iv, Flag: flagMessage, Nonce: nonce, AuthData: src[:]}
	return seal(dest, h, nil, random)
}

// EncodeWhoareyou builds the WHOAREYOU packet w for dest and sets
// w.ChallengeData.
func EncodeWhoareyou(dest nodeid.ID, iv [MaskingIVSize]byte, w *Whoareyou) ([]byte, error) {
	auth := make([]byte, 0, WhoareyouAuthSize)
	auth = append(auth, w.IDNonce[:]...)
	auth = binary.BigEndian.AppendUint64(auth, w.RecordSeq)
	h := &header{IV: iv, Flag: flagWhoareyou, Nonce: w.Nonce, AuthData: auth}
	w.ChallengeData = h.append(make([]byte, 0, MinPacketSize))
	return seal(dest, h, nil, nil)
}

// HandshakeParams are the inputs of a handshake packet besides the header
// randomness.
type HandshakeParams struct {
	// Key is our node key; Ephemeral a fresh key for this handshake.
	Key, Ephemeral *secp256k1.PrivateKey
	// RemoteID and RemoteKey identify the recipient; the ECDH with the
	// ephemeral key uses RemoteKey, so it must be the key of RemoteID's record.
	RemoteID nodeid.ID
	// RemoteKey is the recipient's static public key (see RemoteID).
	RemoteKey *secp256k1.PublicKey
	// ChallengeData is the recipient's WHOAREYOU (Whoareyou.ChallengeData).
	ChallengeData []byte
	// Record is our encoded record, or nil when the recipient knows it.
	Record []byte
}

// EncodeHandshakePacket builds a handshake packet (flag 2) answering a
// WHOAREYOU, carrying the plaintext pt. It returns the packet and the new
// session's keys.
func EncodeHandshakePacket(iv [MaskingIVSize]byte, nonce Nonce, hp HandshakeParams, pt []byte) ([]byte, SessionKeys, error) {
	return encodeHandshakePacket(nodeid.FromPubkey(ethcrypto.PubkeyOf(hp.Key)), iv, nonce, hp, pt)
}

// encodeHandshakePacket is EncodeHandshakePacket with our node ID given,
// saving a scalar multiplication per handshake.
func encodeHandshakePacket(self nodeid.ID, iv [MaskingIVSize]byte, nonce Nonce, hp HandshakeParams, pt []byte) ([]byte, SessionKeys, error) {
	// Both keys are secret: the ephemeral one yields the session keys.
	// PubkeyOf and ECDH are constant-time, decred's PubKey is not.
	ephPub := ethcrypto.PubkeyOf(hp.Ephemeral).SerializeCompressed()
	sig, err := SignIDNonce(hp.Key, hp.ChallengeData, ephPub, hp.RemoteID)
	if err != nil {
		return nil, SessionKeys{}, err
	}
	keys := DeriveKeys(ECDH(hp.Ephemeral, hp.RemoteKey), self, hp.RemoteID, hp.ChallengeData)
	auth := make([]byte, 0, handshakeAuthSizeMin+len(hp.Record))
	auth = append(auth, self[:]...)
	auth = append(auth, SignatureSize, EphemeralKeySize)
	auth = append(auth, sig...)
	auth = append(auth, ephPub...)
	auth = append(auth, hp.Record...)
	h := &header{IV: iv, Flag: flagHandshake, Nonce: nonce, AuthData: auth}
	packet, err := seal(hp.RemoteID, h, newGCM(keys.InitiatorKey[:]), pt)
	return packet, keys, err
}

// HandshakeAuth is the authdata of a handshake packet.
type HandshakeAuth struct {
	SrcID     nodeid.ID // the sender's claimed node ID, unverified until the signature is checked
	Signature []byte    // ID-nonce signature, 64 bytes
	PubKey    []byte    // ephemeral public key, 33 bytes compressed
	Record    []byte    // the sender's encoded record, or empty
}

// DecodeHandshakeAuth splits the authdata of a handshake packet. It checks
// sizes only: the signature, key and record are validated by the caller.
// The result does not alias auth.
func DecodeHandshakeAuth(auth []byte) (*HandshakeAuth, error) {
	if len(auth) < handshakeAuthSizeMin {
		return nil, fmt.Errorf("%w: handshake authdata of %d bytes", ErrInvalidAuthData, len(auth))
	}
	sigSize, keySize := int(auth[32]), int(auth[33])
	if sigSize != SignatureSize || keySize != EphemeralKeySize {
		return nil, fmt.Errorf("%w: sig-size %d, eph-key-size %d", ErrInvalidAuthData, sigSize, keySize)
	}
	a := &HandshakeAuth{SrcID: nodeid.ID(auth[:32])}
	rest := auth[handshakeAuthHead:]
	a.Signature = append([]byte(nil), rest[:SignatureSize]...)
	a.PubKey = append([]byte(nil), rest[SignatureSize:SignatureSize+EphemeralKeySize]...)
	if r := rest[SignatureSize+EphemeralKeySize:]; len(r) > 0 {
		a.Record = append([]byte(nil), r...)
	}
	return a, nil
}

// decodeWhoareyou reads a WHOAREYOU from its unmasked header; hdr is the
// unmasked packet, which becomes the challenge data.
func decodeWhoareyou(h *header, hdr []byte) (*Whoareyou, error) {
	if len(h.AuthData) != WhoareyouAuthSize {
		return nil, fmt.Errorf("%w: WHOAREYOU authdata of %d bytes", ErrInvalidAuthData, len(h.AuthData))
	}
	w := &Whoareyou{Nonce: h.Nonce, RecordSeq: binary.BigEndian.Uint64(h.AuthData[IDNonceSize:])}
	copy(w.IDNonce[:], h.AuthData[:IDNonceSize])
	w.ChallengeData = hdr
	return w, nil
}

// parseEphemeral parses a handshake's ephemeral key.
func parseEphemeral(b []byte) (*secp256k1.PublicKey, error) {
	pub, err := ethcrypto.ParseCompressed(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidEphemeralKey, err)
	}
	return pub, nil
}
