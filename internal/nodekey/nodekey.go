// Package nodekey reads node keys in go-ethereum's nodekey format: the 32-byte
// secp256k1 private key as 64 hex characters, surrounding whitespace ignored.
// The example programs share it for their -key and -keyfile flags.
package nodekey

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// ErrInvalidKey is wrapped by the errors of Parse for text that is not a
// valid node key.
var ErrInvalidKey = errors.New("nodekey: invalid node key")

// ErrBothGiven is returned by Load when both a key and a key file are given.
var ErrBothGiven = errors.New("nodekey: -key and -keyfile are mutually exclusive")

// Parse parses a key written as 64 hex characters. The key must be a valid
// secp256k1 scalar: not zero and below the group order.
func Parse(s string) (*secp256k1.PrivateKey, error) {
	s = strings.TrimSpace(s)
	if len(s) != 64 {
		return nil, fmt.Errorf("%w: %d characters, want 64 hex characters", ErrInvalidKey, len(s))
	}
	b, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("%w: not hex", ErrInvalidKey)
	}
	var k secp256k1.ModNScalar
	if overflow := k.SetByteSlice(b); overflow || k.IsZero() {
		return nil, fmt.Errorf("%w: out of range for secp256k1", ErrInvalidKey)
	}
	return secp256k1.NewPrivateKey(&k), nil
}

// Load returns the key given as hex text, or read from the file keyFile,
// or, when both are empty, a freshly generated one.
func Load(keyHex, keyFile string) (*secp256k1.PrivateKey, error) {
	switch {
	case keyHex != "" && keyFile != "":
		return nil, ErrBothGiven
	case keyHex != "":
		return Parse(keyHex)
	case keyFile != "":
		b, err := os.ReadFile(keyFile)
		if err != nil {
			return nil, fmt.Errorf("nodekey: %w", err)
		}
		key, err := Parse(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", keyFile, err)
		}
		return key, nil
	default:
		return secp256k1.GeneratePrivateKey()
	}
}
