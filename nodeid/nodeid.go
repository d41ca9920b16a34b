// Package nodeid defines the node identity every layer of devp2p shares: a
// node's ID is the Keccak-256 hash of its 64-byte secp256k1 public key X‖Y
// (the "v4" identity scheme of EIP-778). Discovery measures XOR distances on
// IDs, the server keys its peer set by them, and logs print them.
package nodeid

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

// ID is a node's identity: keccak256 of its 64-byte public key. The zero ID
// belongs to no node.
type ID [32]byte

// ErrInvalid is returned by Parse and UnmarshalText for text that is not 32
// hex bytes.
var ErrInvalid = errors.New("nodeid: invalid node ID")

// FromPubkey returns the ID of the node with public key pub.
func FromPubkey(pub *secp256k1.PublicKey) ID {
	key := ethcrypto.MarshalPubkey(pub)
	return ID(ethcrypto.Keccak256(key[:]))
}

// Parse parses an ID written as 64 hex characters, with or without a "0x"
// prefix.
func Parse(s string) (ID, error) {
	var id ID
	err := id.UnmarshalText([]byte(s))
	return id, err
}

// String returns the ID as 64 lowercase hex characters.
func (id ID) String() string { return hex.EncodeToString(id[:]) }

// TerminalString returns the first 8 hex characters of the ID, the short form
// used in logs.
func (id ID) TerminalString() string { return hex.EncodeToString(id[:4]) }

// IsZero reports whether id is all zeros.
func (id ID) IsZero() bool { return id == ID{} }

// MarshalText encodes the ID as 64 lowercase hex characters, so that JSON
// shows it as a string.
func (id ID) MarshalText() ([]byte, error) {
	return hex.AppendEncode(nil, id[:]), nil
}

// UnmarshalText decodes 64 hex characters, with or without a "0x" prefix.
func (id *ID) UnmarshalText(text []byte) error {
	s := strings.TrimPrefix(strings.TrimPrefix(string(text), "0x"), "0X")
	if len(s) != 2*len(id) {
		return fmt.Errorf("%w: %d hex characters, want %d", ErrInvalid, len(s), 2*len(id))
	}
	var v ID
	if _, err := hex.Decode(v[:], []byte(s)); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	*id = v
	return nil
}

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
