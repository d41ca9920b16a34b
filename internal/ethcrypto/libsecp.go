//go:build libsecp256k1 && cgo

package ethcrypto

/*
#cgo pkg-config: libsecp256k1
// The wrappers below keep no pointer past the call and never call into Go,
// so the buffers passed to them may stay on the Go stack.
#cgo noescape ec_init
#cgo nocallback ec_init
#cgo noescape ec_ecdh
#cgo nocallback ec_ecdh
#cgo noescape ec_ecdh_compressed
#cgo nocallback ec_ecdh_compressed
#cgo noescape ec_pubkey
#cgo nocallback ec_pubkey
#cgo noescape ec_sign
#cgo nocallback ec_sign
#cgo noescape ec_recover
#cgo nocallback ec_recover
#cgo noescape ec_verify
#cgo nocallback ec_verify
#cgo noescape ec_parse
#cgo nocallback ec_parse
#include <string.h>
#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <secp256k1_recovery.h>

// One context for the process; after creation and randomisation it is only
// read, which libsecp256k1 allows from any number of threads.
static secp256k1_context *ec_ctx;

static int ec_init(const unsigned char *seed32) {
	ec_ctx = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
	if (ec_ctx == NULL) return 0;
	return secp256k1_context_randomize(ec_ctx, seed32);
}

// ec_hash_x is the ECDH hash callback: devp2p uses the raw x coordinate.
static int ec_hash_x(unsigned char *out, const unsigned char *x32, const unsigned char *y32, void *data) {
	(void)y32;
	(void)data;
	memcpy(out, x32, 32);
	return 1;
}

// ec_hash_compressed is the ECDH hash callback for discv5: the shared
// point in compressed form, 0x02 | (y & 1) then x.
static int ec_hash_compressed(unsigned char *out, const unsigned char *x32, const unsigned char *y32, void *data) {
	(void)data;
	out[0] = 0x02 | (y32[31] & 1);
	memcpy(out + 1, x32, 32);
	return 1;
}

// Each wrapper does its parsing and the operation in one cgo call.

static int ec_ecdh(unsigned char *out32, const unsigned char *pub65, const unsigned char *seckey) {
	secp256k1_pubkey pk;
	if (!secp256k1_ec_pubkey_parse(ec_ctx, &pk, pub65, 65)) return 0;
	return secp256k1_ecdh(ec_ctx, out32, &pk, seckey, ec_hash_x, NULL);
}

static int ec_ecdh_compressed(unsigned char *out33, const unsigned char *pub65, const unsigned char *seckey) {
	secp256k1_pubkey pk;
	if (!secp256k1_ec_pubkey_parse(ec_ctx, &pk, pub65, 65)) return 0;
	return secp256k1_ecdh(ec_ctx, out33, &pk, seckey, ec_hash_compressed, NULL);
}

static int ec_pubkey(unsigned char *pub65, const unsigned char *seckey) {
	secp256k1_pubkey pk;
	size_t len = 65;
	if (!secp256k1_ec_pubkey_create(ec_ctx, &pk, seckey)) return 0;
	return secp256k1_ec_pubkey_serialize(ec_ctx, pub65, &len, &pk, SECP256K1_EC_UNCOMPRESSED);
}

static int ec_sign(unsigned char *sig64, int *recid, const unsigned char *hash32, const unsigned char *seckey) {
	secp256k1_ecdsa_recoverable_signature sig;
	if (!secp256k1_ecdsa_sign_recoverable(ec_ctx, &sig, hash32, seckey, NULL, NULL)) return 0;
	return secp256k1_ecdsa_recoverable_signature_serialize_compact(ec_ctx, sig64, recid, &sig);
}

static int ec_recover(unsigned char *pub65, const unsigned char *sig64, int recid, const unsigned char *hash32) {
	secp256k1_ecdsa_recoverable_signature sig;
	secp256k1_pubkey pk;
	size_t len = 65;
	if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ec_ctx, &sig, sig64, recid)) return 0;
	if (!secp256k1_ecdsa_recover(ec_ctx, &pk, &sig, hash32)) return 0;
	return secp256k1_ec_pubkey_serialize(ec_ctx, pub65, &len, &pk, SECP256K1_EC_UNCOMPRESSED);
}

static int ec_verify(const unsigned char *pub65, const unsigned char *sig64, const unsigned char *hash32) {
	secp256k1_ecdsa_signature sig;
	secp256k1_pubkey pk;
	if (!secp256k1_ec_pubkey_parse(ec_ctx, &pk, pub65, 65)) return 0;
	if (!secp256k1_ecdsa_signature_parse_compact(ec_ctx, &sig, sig64)) return 0;
	return secp256k1_ecdsa_verify(ec_ctx, &sig, hash32, &pk);
}

static int ec_parse(unsigned char *pub65, const unsigned char *in, size_t inlen) {
	secp256k1_pubkey pk;
	size_t len = 65;
	if (!secp256k1_ec_pubkey_parse(ec_ctx, &pk, in, inlen)) return 0;
	return secp256k1_ec_pubkey_serialize(ec_ctx, pub65, &len, &pk, SECP256K1_EC_UNCOMPRESSED);
}
*/
import "C"

import (
	"crypto/rand"
	"fmt"
	"unsafe"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// errRecoverFailed is the libsecp256k1 backend's error for a signature
// from which no key recovers; the library does not say why.
var errRecoverFailed = fmt.Errorf("%w: no public key recovers from it", ErrInvalidSignature)

// The libsecp256k1 backend: every operation is one cgo call into the
// system library (Debian's libsecp256k1-dev, found with pkg-config).
// libsecp256k1's ECDH, key derivation and signing are constant-time, and
// its context is randomised at start-up for side-channel blinding.

func init() {
	var seed [32]byte
	if _, err := rand.Read(seed[:]); err != nil {
		panic("ethcrypto: no randomness for the libsecp256k1 context: " + err.Error())
	}
	if C.ec_init(cptr(seed[:])) != 1 {
		panic("ethcrypto: libsecp256k1 context creation failed")
	}
}

// cptr returns a C pointer to b's first byte; b holds no Go pointers and
// cgo pins it for the call.
func cptr(b []byte) *C.uchar { return (*C.uchar)(unsafe.Pointer(&b[0])) }

// pub65 encodes pub as 0x04‖X‖Y without allocating.
func pub65(pub *secp256k1.PublicKey) [65]byte {
	var j secp256k1.JacobianPoint
	pub.AsJacobian(&j)
	var out [65]byte
	out[0] = secp256k1.PubKeyFormatUncompressed
	j.X.PutBytesUnchecked(out[1:33])
	j.Y.PutBytesUnchecked(out[33:])
	return out
}

// pubFrom65 builds a decred key from libsecp256k1's serialisation.
func pubFrom65(b *[65]byte) *secp256k1.PublicKey { return pubFromBytes((*[PubkeySize]byte)(b[1:])) }

func ecdhC(priv *secp256k1.PrivateKey, pub *secp256k1.PublicKey) [32]byte {
	var out [32]byte
	p := pub65(pub)
	sk := priv.Key.Bytes()
	ok := C.ec_ecdh(cptr(out[:]), cptr(p[:]), cptr(sk[:]))
	clear(sk[:])
	if ok != 1 {
		return [32]byte{}
	}
	return out
}

func ecdhCompressedC(priv *secp256k1.PrivateKey, pub *secp256k1.PublicKey) [33]byte {
	var out [33]byte
	p := pub65(pub)
	sk := priv.Key.Bytes()
	ok := C.ec_ecdh_compressed(cptr(out[:]), cptr(p[:]), cptr(sk[:]))
	clear(sk[:])
	if ok != 1 {
		return [33]byte{}
	}
	return out
}

func pubkeyC(priv *secp256k1.PrivateKey) *secp256k1.PublicKey {
	var out [65]byte
	sk := priv.Key.Bytes()
	ok := C.ec_pubkey(cptr(out[:]), cptr(sk[:]))
	clear(sk[:])
	if ok != 1 {
		return pubkeyGo(priv) // only for a zero key: the same answer as in pure Go
	}
	return pubFrom65(&out)
}

func signC(priv *secp256k1.PrivateKey, hash []byte) ([64]byte, byte) {
	var sig [64]byte
	var recid C.int
	sk := priv.Key.Bytes()
	ok := C.ec_sign(cptr(sig[:]), &recid, cptr(hash), cptr(sk[:]))
	clear(sk[:])
	if ok != 1 || recid > 1 {
		// A zero key, or a nonce point with x ≥ n (probability ~2⁻¹²⁷):
		// the Go signer skips such nonces, so Ethereum's v stays 0 or 1.
		return signGo(priv, hash)
	}
	return sig, byte(recid)
}

func recoverC(hash, sig []byte) ([PubkeySize]byte, error) {
	var out [65]byte
	if C.ec_recover(cptr(out[:]), cptr(sig), C.int(sig[64]), cptr(hash)) != 1 {
		return [PubkeySize]byte{}, errRecoverFailed
	}
	return [PubkeySize]byte(out[1:]), nil
}

func verifyC(pub *secp256k1.PublicKey, hash, sig []byte) bool {
	p := pub65(pub)
	return C.ec_verify(cptr(p[:]), cptr(sig), cptr(hash)) == 1
}

// parseC parses a 33- or 65-byte encoding whose prefix the caller checked.
func parseC(b []byte) (*secp256k1.PublicKey, bool) {
	var out [65]byte
	if C.ec_parse(cptr(out[:]), cptr(b), C.size_t(len(b))) != 1 {
		return nil, false
	}
	return pubFrom65(&out), true
}
