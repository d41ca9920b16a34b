package rlpx

// The frame MAC of rlpx.md "MAC": a running Keccak-256 state per direction,
// updated with AES-256-ECB(mac-secret, digest) ⊕ seed for every header and
// frame. "digest" reads the hash without resetting it.

import (
	"crypto/aes"
	"crypto/cipher"
	"hash"
)

// macSize is the size of a header or frame MAC on the wire.
const macSize = 16

// hashMAC is one direction's MAC state. Its scratch arrays keep every
// computation allocation-free.
type hashMAC struct {
	block cipher.Block // AES-256 keyed with mac-secret, used as ECB on one block
	hash  hash.Hash    // Keccak-256 seeded with (mac-secret ⊕ nonce) ‖ packet

	sum  [32]byte
	enc  [aes.BlockSize]byte
	seed [aes.BlockSize]byte
}

func newHashMAC(macSecret []byte, h hash.Hash) hashMAC {
	block, err := aes.NewCipher(macSecret)
	if err != nil {
		panic("rlpx: mac-secret is not an AES-256 key") // secrets are always 32 bytes
	}
	return hashMAC{block: block, hash: h}
}

// header updates the state with the header ciphertext and returns the
// header MAC. The result aliases m and is valid until the next call.
func (m *hashMAC) header(headerCT []byte) []byte {
	sum := m.hash.Sum(m.sum[:0])
	return m.update(sum, headerCT[:aes.BlockSize])
}

// frame updates the state with the frame ciphertext and returns the frame
// MAC. The result aliases m and is valid until the next call.
func (m *hashMAC) frame(frameCT []byte) []byte {
	m.hash.Write(frameCT)
	sum := m.hash.Sum(m.sum[:0])
	return m.update(sum, sum[:aes.BlockSize])
}

// update writes AES(mac-secret, sum[:16]) ⊕ seed into the hash and returns
// the first 16 bytes of the new digest.
func (m *hashMAC) update(sum, seed []byte) []byte {
	m.block.Encrypt(m.enc[:], sum[:aes.BlockSize])
	for i := range m.seed {
		m.seed[i] = m.enc[i] ^ seed[i]
	}
	m.hash.Write(m.seed[:])
	return m.hash.Sum(m.sum[:0])[:macSize]
}
