package discover

import (
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"math/bits"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
)

// ID is a node's address in the discovery DHT: keccak256 of its 64-byte
// public key X‖Y (the "v4" identity scheme of EIP-778). Distances between
// nodes are measured on IDs, never on public keys.
type ID [32]byte

// ErrInvalidID is returned by ParseID for text that is not 32 hex bytes.
var ErrInvalidID = errors.New("discover: invalid node ID")

// PubkeyToID returns the ID of the node with public key pub.
func PubkeyToID(pub *secp256k1.PublicKey) ID {
	key := ethcrypto.MarshalPubkey(pub)
	return ID(ethcrypto.Keccak256(key[:]))
}

// ParseID parses a node ID written as 64 hex characters, with or without a
// "0x" prefix.
func ParseID(s string) (ID, error) {
	var id ID
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0x"), "0X")
	if len(s) != 2*len(id) {
		return id, fmt.Errorf("%w: %d hex characters, want %d", ErrInvalidID, len(s), 2*len(id))
	}
	if _, err := hex.Decode(id[:], []byte(s)); err != nil {
		return ID{}, fmt.Errorf("%w: %v", ErrInvalidID, err)
	}
	return id, nil
}

// String returns the ID as 64 lowercase hex characters.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// TerminalString returns the first 8 hex characters of the ID, for logs.
func (id ID) TerminalString() string { return hex.EncodeToString(id[:4]) }

// IsZero reports whether id is all zeros.
func (id ID) IsZero() bool { return id == ID{} }

// LogDist returns the logarithmic distance between a and b: the position of
// the highest set bit of a XOR b, counted from 1, so 0 means a == b and 256
// means they differ in the first bit. Kademlia buckets are indexed by it.
func LogDist(a, b ID) int {
	for i := 0; i < len(a); i += 8 {
		x := binary.BigEndian.Uint64(a[i:]) ^ binary.BigEndian.Uint64(b[i:])
		if x != 0 {
			return (len(a)-i)*8 - bits.LeadingZeros64(x)
		}
	}
	return 0
}

// DistCmp compares the XOR distances a^target and b^target. It returns -1 if
// a is closer to target, 1 if b is closer and 0 if a == b.
func DistCmp(target, a, b ID) int {
	for i := 0; i < len(target); i += 8 {
		t := binary.BigEndian.Uint64(target[i:])
		da, db := binary.BigEndian.Uint64(a[i:])^t, binary.BigEndian.Uint64(b[i:])^t
		switch {
		case da < db:
			return -1
		case da > db:
			return 1
		}
	}
	return 0
}
