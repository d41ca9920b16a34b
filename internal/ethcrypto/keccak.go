package ethcrypto

import (
	"hash"

	"golang.org/x/crypto/sha3"
)

// NewKeccak256 returns a legacy Keccak-256 hash (Ethereum's "keccak256",
// which is not SHA3-256). Its Sum method does not reset the running state.
func NewKeccak256() hash.Hash { return sha3.NewLegacyKeccak256() }

// Keccak256 returns the legacy Keccak-256 digest of the concatenated inputs.
func Keccak256(data ...[]byte) [32]byte {
	h := sha3.NewLegacyKeccak256()
	for _, b := range data {
		h.Write(b)
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}
