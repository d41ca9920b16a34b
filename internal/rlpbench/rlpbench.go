// Package rlpbench holds the values the rlp benchmarks encode and decode,
// shared by package rlp's own benchmarks and the side-by-side ones against
// go-ethereum in interop, so both measure the same bytes.
package rlpbench

import "math/big"

// Header resembles an Ethereum block header: 15 fields plus an optional
// base fee.
type Header struct {
	ParentHash  [32]byte
	UncleHash   [32]byte
	Coinbase    [20]byte
	Root        [32]byte
	TxHash      [32]byte
	ReceiptHash [32]byte
	Bloom       [256]byte
	Difficulty  *big.Int
	Number      *big.Int
	GasLimit    uint64
	GasUsed     uint64
	Time        uint64
	Extra       []byte
	MixDigest   [32]byte
	Nonce       [8]byte
	BaseFee     *big.Int `rlp:"optional"`
}

// NewHeader returns a header with every field set, mainnet-like sizes.
func NewHeader() *Header {
	h := &Header{
		Difficulty: new(big.Int).SetUint64(131072 * 1000),
		Number:     big.NewInt(19_000_000),
		GasLimit:   30_000_000,
		GasUsed:    12_345_678,
		Time:       1_700_000_000,
		Extra:      []byte("devp2p benchmark extra data"),
		BaseFee:    big.NewInt(7_000_000_000),
	}
	for i := range h.ParentHash {
		h.ParentHash[i] = byte(i)
		h.Root[i] = byte(i * 3)
		h.TxHash[i] = byte(i * 5)
		h.MixDigest[i] = byte(i * 7)
	}
	for i := range h.Bloom {
		h.Bloom[i] = byte(i)
	}
	h.Coinbase[0], h.Nonce[7] = 0xAB, 0x42
	return h
}

// Hashes returns n distinct 32-byte hashes.
func Hashes(n int) [][32]byte {
	hs := make([][32]byte, n)
	for i := range hs {
		hs[i][0], hs[i][31] = byte(i), byte(i>>8)
	}
	return hs
}

// BigInts returns big integers from 0 to 2²⁵⁵−1, of 0 to 32 bytes.
func BigInts() []*big.Int {
	out := []*big.Int{big.NewInt(0), big.NewInt(127), big.NewInt(1 << 40)}
	for _, bits := range []uint{64, 128, 200, 255} {
		out = append(out, new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), bits), big.NewInt(1)))
	}
	return out
}
