package rlpx

// Session secrets, rlpx.md "Secrets":
//
//	ephemeral-key = ecdh(eph-privkey, remote-eph-pubk)
//	shared-secret = keccak256(ephemeral-key ‖ keccak256(recipient-nonce ‖ initiator-nonce))
//	aes-secret    = keccak256(ephemeral-key ‖ shared-secret)
//	mac-secret    = keccak256(ephemeral-key ‖ aes-secret)
//
// and the MAC states, seeded with the exact on-wire auth and ack packets:
//
//	initiator egress = keccak((mac-secret ⊕ recipient-nonce) ‖ auth)
//	initiator ingress = keccak((mac-secret ⊕ initiator-nonce) ‖ ack)
//
// The recipient has the mirror image.

import (
	"crypto/aes"
	"crypto/cipher"
	"hash"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
)

// secrets are the keys of one session, from one side's point of view.
type secrets struct {
	aes, mac        [32]byte
	egress, ingress hash.Hash // Keccak-256 states, already seeded
}

// deriveSecrets computes the session secrets. ecdhe is the x coordinate of
// the ephemeral ECDH; auth and ack are the packets as sent on the wire
// (with the EIP-8 size prefix, if any).
func deriveSecrets(initiator bool, ecdhe, initNonce, respNonce [32]byte, auth, ack []byte) *secrets {
	nonceHash := ethcrypto.Keccak256(respNonce[:], initNonce[:])
	shared := ethcrypto.Keccak256(ecdhe[:], nonceHash[:])
	s := &secrets{}
	s.aes = ethcrypto.Keccak256(ecdhe[:], shared[:])
	s.mac = ethcrypto.Keccak256(ecdhe[:], s.aes[:])

	// The MAC that covers what the initiator sends is keyed with the
	// recipient's nonce and seeded with the auth packet, and vice versa.
	initMAC := seededMAC(s.mac, respNonce, auth)
	respMAC := seededMAC(s.mac, initNonce, ack)
	if initiator {
		s.egress, s.ingress = initMAC, respMAC
	} else {
		s.egress, s.ingress = respMAC, initMAC
	}
	return s
}

func seededMAC(macSecret, nonce [32]byte, packet []byte) hash.Hash {
	var x [32]byte
	for i := range x {
		x[i] = macSecret[i] ^ nonce[i]
	}
	h := ethcrypto.NewKeccak256()
	h.Write(x[:])
	h.Write(packet)
	return h
}

// newSession builds the two frame directions from the secrets. Both use
// AES-256-CTR with aes-secret and a zero IV (rlpx.md; the keystream reuse
// across directions is a known weakness of the protocol).
func newSession(s *secrets, maxFrame int) (*frameReader, *frameWriter) {
	block, err := aes.NewCipher(s.aes[:])
	if err != nil {
		panic("rlpx: aes-secret is not an AES-256 key") // always 32 bytes
	}
	var iv [aes.BlockSize]byte
	rd := &frameReader{
		stream:  cipher.NewCTR(block, iv[:]),
		mac:     newHashMAC(s.mac[:], s.ingress),
		maxSize: maxFrame,
	}
	wr := &frameWriter{
		stream: cipher.NewCTR(block, iv[:]),
		mac:    newHashMAC(s.mac[:], s.egress),
	}
	return rd, wr
}
