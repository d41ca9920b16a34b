// Package ethcrypto holds the small secp256k1 and Keccak-256 helpers that the
// rlpx and discover packages share: Ethereum's 64-byte public key encoding,
// 65-byte recoverable signatures (r‖s‖v), 64-byte ENR signatures (r‖s),
// x-only ECDH and legacy Keccak-256.
//
// Every function that takes bytes from the network validates them before
// doing any curve arithmetic: public keys must use the uncompressed 0x04
// form (or no prefix at all, for the 64-byte wire form), have coordinates
// below the field prime and lie on the curve.
//
// Recover and VerifyENR share one multiplication, a·G + b·P (mult.go): a·G
// from decred's precomputed tables, b·P split with the secp256k1
// endomorphism (glv.go) into two 128-bit halves that run through a single
// width-5 wNAF double-and-add loop. It is differentially tested and fuzzed
// against decred's RecoverCompact and Signature.Verify.
package ethcrypto
