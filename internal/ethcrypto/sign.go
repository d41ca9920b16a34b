package ethcrypto

import (
	"errors"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// SignatureSize is the size of a recoverable signature r‖s‖v, v ∈ {0,1}.
const SignatureSize = 65

// ENRSignatureSize is the size of an ENR "v4" signature r‖s.
const ENRSignatureSize = 64

// ErrInvalidSignature is returned for signatures that are malformed or do not
// verify.
var ErrInvalidSignature = errors.New("invalid signature")

// compactMagic is the offset decred adds to the recovery code in its compact
// signature format.
const compactMagic = 27

// Sign creates a recoverable signature r‖s‖v over a 32-byte hash.
func Sign(priv *secp256k1.PrivateKey, hash []byte) ([SignatureSize]byte, error) {
	var out [SignatureSize]byte
	if len(hash) != 32 {
		return out, fmt.Errorf("ethcrypto: hash is %d bytes, want 32", len(hash))
	}
	compact := ecdsa.SignCompact(priv, hash, false)
	copy(out[:64], compact[1:])
	out[64] = compact[0] - compactMagic
	return out, nil
}

// SignENR creates a 64-byte r‖s signature (low S) over a 32-byte hash, the form
// used by the ENR "v4" identity scheme.
func SignENR(priv *secp256k1.PrivateKey, hash []byte) ([ENRSignatureSize]byte, error) {
	var out [ENRSignatureSize]byte
	if len(hash) != 32 {
		return out, fmt.Errorf("ethcrypto: hash is %d bytes, want 32", len(hash))
	}
	sig := ecdsa.Sign(priv, hash)
	r, s := sig.R(), sig.S()
	r.PutBytesUnchecked(out[:32])
	s.PutBytesUnchecked(out[32:])
	return out, nil
}
