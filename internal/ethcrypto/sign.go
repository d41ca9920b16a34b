package ethcrypto

import (
	"errors"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// SignatureSize is the size of a recoverable signature r‖s‖v, v ∈ {0,1}.
const SignatureSize = 65

// ENRSignatureSize is the size of an ENR "v4" signature r‖s.
const ENRSignatureSize = 64

// ErrInvalidSignature is returned for signatures that are malformed or do not
// verify.
var ErrInvalidSignature = errors.New("invalid signature")

// Sign creates a recoverable signature r‖s‖v over a 32-byte hash, with the
// RFC 6979 deterministic nonce and S in the lower half of the order (the
// form libsecp256k1, and so go-ethereum, produces). v is 0 or 1: the
// ~2⁻¹²⁷-probability nonces whose point has x ≥ n are skipped.
func Sign(priv *secp256k1.PrivateKey, hash []byte) ([SignatureSize]byte, error) {
	var out [SignatureSize]byte
	if len(hash) != 32 {
		return out, fmt.Errorf("ethcrypto: hash is %d bytes, want 32", len(hash))
	}
	sig, v := backendSign(priv, hash)
	copy(out[:64], sig[:])
	out[64] = v
	return out, nil
}

// SignENR creates a 64-byte r‖s signature (low S) over a 32-byte hash, the form
// used by the ENR "v4" identity scheme.
func SignENR(priv *secp256k1.PrivateKey, hash []byte) ([ENRSignatureSize]byte, error) {
	if len(hash) != 32 {
		return [ENRSignatureSize]byte{}, fmt.Errorf("ethcrypto: hash is %d bytes, want 32", len(hash))
	}
	sig, _ := backendSign(priv, hash)
	return sig, nil
}

// signGo is the pure-Go signer. Everything that touches the key or the
// nonce is constant-time: the nonce is HMAC-DRBG output (decred's
// NonceRFC6979), R = k·G goes through mulBaseCT, k⁻¹ through invNonce (blinded),
// and decred's ModNScalar arithmetic is constant-time. The branches are on
// values the signature reveals anyway (R's parity, whether S was high) or
// on events of probability ~2⁻¹²⁷.
func signGo(priv *secp256k1.PrivateKey, hash []byte) (sig [64]byte, v byte) {
	d := &priv.Key
	db := d.Bytes()
	defer clear(db[:])
	var e secp256k1.ModNScalar
	e.SetByteSlice(hash)
	for iter := uint32(0); ; iter++ {
		k := secp256k1.NonceRFC6979(db[:], hash, nil, nil, iter)
		rp := mulBaseCT(k)
		ra := rp.toAffine()
		rb := ra.x.bytes()
		var r secp256k1.ModNScalar
		if r.SetBytes(&rb) != 0 || r.IsZero() {
			k.Zero()
			continue
		}
		// s = k⁻¹·(e + r·d)
		kInv := invNonce(k, db[:], hash)
		k.Zero()
		var s secp256k1.ModNScalar
		s.Mul2(&r, d).Add(&e).Mul(&kInv)
		kInv.Zero()
		if s.IsZero() {
			continue
		}
		v = byte(boolBit(ra.y.isOdd()))
		if s.IsOverHalfOrder() {
			s.Negate()
			v ^= 1
		}
		r.PutBytesUnchecked(sig[:32])
		s.PutBytesUnchecked(sig[32:])
		return sig, v
	}
}
