package v5wire

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/nodeid"
)

// KeySize is the size of a session key (AES-128).
const KeySize = 16

const (
	keyAgreementInfo = "discovery v5 key agreement"
	idProofPrefix    = "discovery v5 identity proof"
)

// SessionKeys are the two keys of a session, named by handshake role: the
// initiator writes with InitiatorKey and reads with RecipientKey.
type SessionKeys struct {
	InitiatorKey [KeySize]byte // AES-128-GCM key of packets from the handshake's initiator
	RecipientKey [KeySize]byte // AES-128-GCM key of packets from the handshake's recipient
}

// ECDH returns priv·pub as a 33-byte compressed point, the shared secret of
// discv5 (discv5-theory.md, "Identity-Specific Cryptography"). pub must be
// a valid point (every parser in this module checks that). The
// multiplication is constant-time: priv is our static node key when we
// answer a handshake, and the remote chooses pub.
func ECDH(priv *secp256k1.PrivateKey, pub *secp256k1.PublicKey) []byte {
	s := ethcrypto.ECDHCompressed(priv, pub)
	return s[:]
}

// DeriveKeys computes the session keys from the shared secret, the two
// node IDs (initiator first) and the challenge data, with HKDF-SHA256.
func DeriveKeys(secret []byte, initiator, recipient nodeid.ID, challengeData []byte) SessionKeys {
	info := make([]byte, 0, len(keyAgreementInfo)+64)
	info = append(info, keyAgreementInfo...)
	info = append(info, initiator[:]...)
	info = append(info, recipient[:]...)
	out, err := hkdf.Key(sha256.New, secret, challengeData, string(info), 2*KeySize)
	if err != nil {
		panic(err) // 32 bytes is far below HKDF-SHA256's limit
	}
	var k SessionKeys
	copy(k.InitiatorKey[:], out[:KeySize])
	copy(k.RecipientKey[:], out[KeySize:])
	return k
}

// idProofHash is SHA-256("discovery v5 identity proof" ‖ challenge-data ‖
// ephemeral-pubkey ‖ recipient-id).
func idProofHash(challengeData, ephPubkey []byte, recipient nodeid.ID) [32]byte {
	h := sha256.New()
	h.Write([]byte(idProofPrefix))
	h.Write(challengeData)
	h.Write(ephPubkey)
	h.Write(recipient[:])
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// SignIDNonce makes the handshake's ID-nonce signature (64 bytes r‖s, low
// S) with the node key priv.
func SignIDNonce(priv *secp256k1.PrivateKey, challengeData, ephPubkey []byte, recipient nodeid.ID) ([]byte, error) {
	h := idProofHash(challengeData, ephPubkey, recipient)
	sig, err := ethcrypto.SignENR(priv, h[:])
	if err != nil {
		return nil, err
	}
	return sig[:], nil
}

// VerifyIDNonce checks an ID-nonce signature by pub. Signatures with S
// above half the group order are rejected, as go-ethereum does.
func VerifyIDNonce(pub *secp256k1.PublicKey, sig, challengeData, ephPubkey []byte, recipient nodeid.ID) error {
	if len(sig) != SignatureSize {
		return fmt.Errorf("%w: %d bytes", ErrInvalidSignature, len(sig))
	}
	h := idProofHash(challengeData, ephPubkey, recipient)
	if !ethcrypto.VerifyENR(pub, h[:], sig) {
		return ErrInvalidSignature
	}
	return nil
}

// encryptGCM appends AES-128-GCM(key, nonce, pt, ad) with its 16-byte tag
// to dst; aead is newGCM(key).
func encryptGCM(dst []byte, aead cipher.AEAD, nonce []byte, pt, ad []byte) []byte {
	return aead.Seal(dst, nonce, pt, ad)
}

// decryptGCM opens ct (ciphertext ‖ tag) into a new buffer.
func decryptGCM(aead cipher.AEAD, nonce []byte, ct, ad []byte) ([]byte, error) {
	if len(ct) < gcmTagSize {
		return nil, fmt.Errorf("%w: %d bytes", ErrDecrypt, len(ct))
	}
	pt, err := aead.Open(nil, nonce, ct, ad)
	if err != nil {
		return nil, errors.Join(ErrDecrypt, err)
	}
	return pt, nil
}

func newGCM(key []byte) cipher.AEAD {
	block, err := aes.NewCipher(key)
	if err != nil {
		panic(err) // keys are always KeySize bytes
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return aead
}
