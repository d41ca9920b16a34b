package enr

import (
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlp"
)

// SignV4 signs the record with the "v4" identity scheme: it sets "id" to
// "v4" and "secp256k1" to the compressed public key of priv, then signs
// keccak256(rlp([seq, k1, v1, …])). It does not change the sequence number.
//
// SignV4 returns ErrTooBig, leaving the record unsigned, when the signed
// record would exceed MaxSize bytes.
func (r *Record) SignV4(priv *secp256k1.PrivateKey) error {
	pub := ethcrypto.PubkeyOf(priv) // constant-time, unlike decred's PubKey
	r.set(KeyID, rlp.AppendString(nil, SchemeV4))
	r.set(KeySecp256k1, rlp.AppendBytes(nil, pub.SerializeCompressed()))
	if r.raw != nil {
		return nil // unchanged since the last signature by this key
	}

	content := r.appendContent(make([]byte, 0, MaxSize))
	hash := contentHash(content)
	sig, err := ethcrypto.SignENR(priv, hash[:])
	if err != nil {
		return fmt.Errorf("enr: %w", err)
	}
	// Record = list(string(sig) ‖ content); the signature string has a
	// 2-byte header.
	inner := uint64(2 + len(sig) + len(content))
	if rlp.ListSize(inner) > MaxSize {
		return ErrTooBig
	}
	raw := make([]byte, 0, rlp.ListSize(inner))
	raw = rlp.AppendListHeader(raw, inner)
	raw = rlp.AppendBytes(raw, sig[:])
	raw = append(raw, content...)

	r.raw = raw
	r.signature = raw[len(raw)-len(content)-len(sig) : len(raw)-len(content) : len(raw)-len(content)]
	r.pub = pub
	return nil
}

// verify checks sig over signed, the encoded [seq, k1, v1, …] items, against
// the record's identity scheme. On success it caches the signer in r.pub.
func (r *Record) verify(sig, signed []byte) error {
	scheme, ok := r.bytesValue(KeyID)
	if !ok {
		return ErrMissingID
	}
	if string(scheme) != SchemeV4 {
		return fmt.Errorf("%w: %s", ErrUnknownScheme, quoteKey(string(scheme)))
	}
	pub, err := r.Pubkey()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrMissingPubkey, err)
	}
	hash := contentHash(signed)
	if !ethcrypto.VerifyENR(pub, hash[:], sig) {
		return ErrInvalidSig
	}
	r.pub = pub
	return nil
}

// appendContent appends the encoded items seq, k1, v1, … (without a list
// header).
func (r *Record) appendContent(dst []byte) []byte {
	dst = rlp.AppendUint64(dst, r.seq)
	for _, p := range r.pairs {
		dst = rlp.AppendBytes(dst, p.k)
		dst = append(dst, p.v...)
	}
	return dst
}

// contentHash returns keccak256(rlp([seq, k1, v1, …])) given the encoded
// items.
func contentHash(items []byte) [32]byte {
	var hdr [9]byte
	h := ethcrypto.NewKeccak256()
	h.Write(rlp.AppendListHeader(hdr[:0], uint64(len(items))))
	h.Write(items)
	var out [32]byte
	h.Sum(out[:0])
	return out
}
