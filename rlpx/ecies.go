package rlpx

// ECIES as used by RLPx: devp2p rlpx.md "ECIES Encryption".
//
//	ciphertext = R(65) ‖ IV(16) ‖ AES-128-CTR(kE, IV, m) ‖ HMAC-SHA256(kM, IV ‖ c ‖ S2)(32)
//	kE ‖ k    = KDF(ECDH(r, K_B))          NIST SP 800-56 concat KDF, SHA-256
//	kM        = SHA-256(k)

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	cryptorand "crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
)

const (
	eciesPubLen   = 65                                     // 0x04 ‖ X ‖ Y
	eciesIVLen    = aes.BlockSize                          // AES-128-CTR IV
	eciesTagLen   = sha256.Size                            // HMAC-SHA256
	eciesOverhead = eciesPubLen + eciesIVLen + eciesTagLen // 113 bytes
)

// ECIESOverhead is the number of bytes Encrypt adds to a message: the
// 65-byte ephemeral public key, the 16-byte IV and the 32-byte HMAC tag.
const ECIESOverhead = 113

// The exported constant must equal its parts.
var _ [ECIESOverhead - eciesOverhead]struct{}
var _ [eciesOverhead - ECIESOverhead]struct{}

// eciesKeys derives the AES-128 key kE and the HMAC key kM from the ECDH
// shared secret z. One SHA-256 block of the concat KDF (counter 1, empty
// S1) gives both halves; kM is the hash of the second half.
func eciesKeys(z [32]byte) (kE [16]byte, kM [32]byte) {
	var in [4 + 32]byte
	binary.BigEndian.PutUint32(in[:4], 1)
	copy(in[4:], z[:])
	k := sha256.Sum256(in[:])
	copy(kE[:], k[:16])
	kM = sha256.Sum256(k[16:])
	return kE, kM
}

// eciesTag computes HMAC-SHA256(kM, iv ‖ c ‖ s2) and appends it to dst.
func eciesTag(dst []byte, kM []byte, ivAndCT, s2 []byte) []byte {
	m := hmac.New(sha256.New, kM)
	m.Write(ivAndCT)
	m.Write(s2)
	return m.Sum(dst)
}

// Encrypt encrypts msg to pub with ECIES, binding the shared data s2 (the
// EIP-8 size prefix in the handshake; may be empty) into the tag. The
// result is len(msg)+ECIESOverhead bytes. rand supplies the ephemeral key
// and the IV; nil means crypto/rand.Reader.
func Encrypt(rand io.Reader, pub *secp256k1.PublicKey, msg, s2 []byte) ([]byte, error) {
	if pub == nil {
		return nil, fmt.Errorf("%w: ecies: nil key", ErrInvalidPublicKey)
	}
	if rand == nil {
		rand = cryptorand.Reader
	}
	eph, err := secp256k1.GeneratePrivateKeyFromRand(rand)
	if err != nil {
		return nil, keyError("ecies: ephemeral key", err)
	}
	defer eph.Zero()
	return encryptWith(rand, eph, pub, msg, s2)
}

func encryptWith(rand io.Reader, eph *secp256k1.PrivateKey, pub *secp256k1.PublicKey, msg, s2 []byte) ([]byte, error) {
	out := make([]byte, eciesPubLen+eciesIVLen, len(msg)+eciesOverhead)
	out[0] = 0x04 // uncompressed point prefix
	pub65 := ethcrypto.MarshalPubkey(ethcrypto.PubkeyOf(eph))
	copy(out[1:], pub65[:])
	iv := out[eciesPubLen:]
	if _, err := io.ReadFull(rand, iv); err != nil {
		return nil, fmt.Errorf("rlpx: ecies: IV: %w", err)
	}
	kE, kM := eciesKeys(ethcrypto.ECDH(eph, pub))
	block, err := aes.NewCipher(kE[:])
	if err != nil {
		return nil, err
	}
	out = out[:eciesPubLen+eciesIVLen+len(msg)]
	cipher.NewCTR(block, iv).XORKeyStream(out[eciesPubLen+eciesIVLen:], msg)
	return eciesTag(out, kM[:], out[eciesPubLen:], s2), nil
}

// Decrypt decrypts an ECIES message made by Encrypt for priv's public key
// with the same shared data s2. The ephemeral key R is validated (0x04
// prefix, coordinates below p, on the curve) before any ECDH, and the tag
// is compared in constant time before anything is decrypted.
//
// Errors: ErrShortCiphertext for input under ECIESOverhead bytes,
// ErrInvalidPublicKey for a bad R, ErrInvalidMAC for a bad tag.
func Decrypt(priv *secp256k1.PrivateKey, ct, s2 []byte) ([]byte, error) {
	if len(ct) < eciesOverhead {
		return nil, fmt.Errorf("%w: %d bytes, need at least %d", ErrShortCiphertext, len(ct), eciesOverhead)
	}
	r, err := ethcrypto.ParseUncompressed(ct[:eciesPubLen])
	if err != nil {
		return nil, keyError("ecies: ephemeral key", err)
	}
	kE, kM := eciesKeys(ethcrypto.ECDH(priv, r))
	body := ct[eciesPubLen : len(ct)-eciesTagLen] // IV ‖ c
	var tagBuf [eciesTagLen]byte
	if !hmac.Equal(eciesTag(tagBuf[:0], kM[:], body, s2), ct[len(ct)-eciesTagLen:]) {
		return nil, fmt.Errorf("rlpx: ecies: %w", ErrInvalidMAC)
	}
	block, err := aes.NewCipher(kE[:])
	if err != nil {
		return nil, err
	}
	iv, c := body[:eciesIVLen], body[eciesIVLen:]
	out := make([]byte, len(c))
	cipher.NewCTR(block, iv).XORKeyStream(out, c)
	return out, nil
}
