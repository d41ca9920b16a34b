// Package nodekey generates, reads and writes node keys in go-ethereum's
// nodekey file format: the 32-byte secp256k1 private key as 64 hex
// characters (go-ethereum writes no newline; surrounding whitespace is
// ignored on reading). A node's key is its identity: its public key is in
// its enode URL and node record, and nodeid.FromPubkey gives its node ID.
package nodekey

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// ErrInvalidKey is wrapped by the errors of Parse, Load and FromFlags for
// text that is not a valid node key.
var ErrInvalidKey = errors.New("nodekey: invalid node key")

// ErrBothGiven is returned by FromFlags when both a key and a key file are
// given.
var ErrBothGiven = errors.New("nodekey: a key and a key file are mutually exclusive")

// maxFileSize bounds what Load reads: a key file is 64 characters plus
// perhaps a newline and some spaces.
const maxFileSize = 1024

// Generate returns a new random node key.
func Generate() (*secp256k1.PrivateKey, error) { return secp256k1.GeneratePrivateKey() }

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

// Format returns key as 64 lowercase hex characters, the nodekey file form.
func Format(key *secp256k1.PrivateKey) string { return hex.EncodeToString(key.Serialize()) }

// Load reads the key stored in the file at path.
func Load(path string) (*secp256k1.PrivateKey, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("nodekey: %w", err)
	}
	defer f.Close()
	b := make([]byte, maxFileSize+1)
	n, err := f.Read(b)
	if err != nil && n == 0 {
		return nil, fmt.Errorf("nodekey: %s: %w", path, err)
	}
	if n > maxFileSize {
		return nil, fmt.Errorf("%w: %s is larger than %d bytes", ErrInvalidKey, path, maxFileSize)
	}
	key, err := Parse(string(b[:n]))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return key, nil
}

// Save writes key to the file at path, readable only by its owner. It writes
// a temporary file in the same directory and renames it, so a crash never
// leaves a truncated key behind.
func Save(path string, key *secp256k1.PrivateKey) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return fmt.Errorf("nodekey: %w", err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly after the rename
	if err := tmp.Chmod(0o600); err != nil {
		tmp.Close()
		return fmt.Errorf("nodekey: %w", err)
	}
	if _, err := tmp.WriteString(Format(key)); err != nil {
		tmp.Close()
		return fmt.Errorf("nodekey: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("nodekey: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("nodekey: %w", err)
	}
	return nil
}

// LoadOrCreate loads the key at path or, when there is no such file,
// generates one and saves it there: the usual start of a node that keeps its
// identity across restarts. A file that exists but holds no valid key is an
// error, never overwritten.
func LoadOrCreate(path string) (*secp256k1.PrivateKey, error) {
	key, err := Load(path)
	if !errors.Is(err, fs.ErrNotExist) {
		return key, err
	}
	if key, err = Generate(); err != nil {
		return nil, err
	}
	if err := Save(path, key); err != nil {
		return nil, err
	}
	return key, nil
}

// FromFlags returns the key given as hex text, or read from the file
// keyFile, or, when both are empty, a freshly generated one: the meaning of
// the -key and -keyfile flags of the example programs.
func FromFlags(keyHex, keyFile string) (*secp256k1.PrivateKey, error) {
	switch {
	case keyHex != "" && keyFile != "":
		return nil, ErrBothGiven
	case keyHex != "":
		return Parse(keyHex)
	case keyFile != "":
		return Load(keyFile)
	default:
		return Generate()
	}
}
