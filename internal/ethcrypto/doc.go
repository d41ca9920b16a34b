// Package ethcrypto holds the small secp256k1 and Keccak-256 helpers that the
// rlpx and discover packages share: Ethereum's 64-byte public key encoding,
// 65-byte recoverable signatures (r‖s‖v), 64-byte ENR signatures (r‖s),
// ECDH (x-only for RLPx, a compressed point for discv5), public key
// derivation and legacy Keccak-256.
//
// Every function that takes bytes from the network validates them before
// doing any curve arithmetic: public keys must use the uncompressed 0x04
// form (or no prefix at all, for the 64-byte wire form) or, in ENRs, the
// compressed 0x02/0x03 form, have coordinates below the field prime and lie
// on the curve.
//
// # Backends
//
// The API uses decred's key types, but the arithmetic comes from one of two
// backends, chosen when building:
//
//   - The default, pure Go with no C toolchain: a 4×64-bit field with the
//     secp256k1 reduction 2²⁵⁶ ≡ 2³² + 977 (field.go), Jacobian points
//     (point.go), and multiplications split with the GLV endomorphism
//     (glv.go). Recovery and verification (public inputs) use a
//     variable-time Strauss loop over width-5 NAF digits for the point and
//     width-8 digits from precomputed tables for G (mult.go,
//     base_wnaf.go).
//   - With the build tag libsecp256k1 (and cgo): the system's libsecp256k1,
//     found with pkg-config (Debian: libsecp256k1-dev), one cgo call per
//     operation (libsecp.go). Backend names the one in use.
//
// The backends are differentially tested and fuzzed against each other
// and against decred (backends_test.go, backends_fuzz_test.go), on random
// and edge inputs: recovery ids 2 and 3 with x = r + n, high S, r or s of
// 0 or n, signatures that recover or verify through the point at infinity,
// off-curve and out-of-range keys. Every case is accepted or rejected
// alike.
//
// # Side channels
//
// Everything done with a private key — ECDH in both forms (static and
// ephemeral, so also ECIES decryption and discv5 handshakes), signing (discv4 packets, ENRs, the handshake's
// ephemeral signature) and PubkeyOf — runs in constant time in both
// backends, because the remote side chooses the public key and can time
// our replies. In pure Go:
//
//   - k·P (mult_ct.go) writes both GLV halves as 33 odd signed base-16
//     digits (recode.go), so every window costs four doublings and two
//     additions, reads table entries by scanning the whole table, and
//     applies signs and the even-scalar correction with masks.
//   - k·G (base.go) adds one entry per odd base-16 digit from a 32 KiB
//     table of multiples of 16ⁱ·G, again read by full scans.
//   - The field operations use only math/bits carries and masks, and the
//     inversion is a fixed addition chain.
//   - Signing inverts the nonce blinded by a second RFC 6979 output
//     (scalar.go), since decred's inversion goes through math/big.
//
// BenchmarkTimingClasses measures the multiplications on random, 64-bit,
// sparse and n−1 scalars: the medians agree to within 0.1%, where decred's
// variable-time ScalarMultNonConst, which the package used before, ranged
// from 1 µs (n−1) to 76 µs (random).
package ethcrypto
