package enr

import (
	"bytes"
	"encoding/base64"
	"fmt"

	"github.com/devp2p-go/devp2p/rlp"
)

const textPrefix = "enr:"

// textEncoding is base64url without padding, as EIP-778 prescribes.
var textEncoding = base64.RawURLEncoding

// Decode parses and verifies an RLP-encoded record. b must hold exactly one
// record and nothing else. The returned record does not alias b.
//
// Decode rejects records over MaxSize bytes, with fewer than 2 elements,
// with an odd number of key/value items, with unsorted or duplicate keys,
// without a known identity scheme and with a bad signature; the error wraps
// the matching Err value.
func Decode(b []byte) (*Record, error) {
	r := new(Record)
	if err := r.decode(b); err != nil {
		return nil, err
	}
	return r, nil
}

// Parse decodes and verifies the text form "enr:<base64url>".
func Parse(text string) (*Record, error) {
	r := new(Record)
	if err := r.UnmarshalText([]byte(text)); err != nil {
		return nil, err
	}
	return r, nil
}

// DecodeRLP implements rlp.Decoder: it reads one record from s and verifies
// it. On error the receiver is left unchanged.
func (r *Record) DecodeRLP(s *rlp.Stream) error {
	raw, err := s.Raw()
	if err != nil {
		return fmt.Errorf("enr: %w", err)
	}
	var dec Record
	if err := dec.decode(raw); err != nil {
		return err
	}
	*r = dec
	return nil
}

// AppendRLP implements rlp.Encoder: it appends the signed record to dst. It
// returns ErrNotSigned for a record that is unsigned.
func (r *Record) AppendRLP(dst []byte) ([]byte, error) {
	if r.raw == nil {
		return dst, ErrNotSigned
	}
	return append(dst, r.raw...), nil
}

// MarshalText implements encoding.TextMarshaler with the "enr:" form. It
// returns ErrNotSigned for a record that is unsigned.
func (r *Record) MarshalText() ([]byte, error) {
	if r.raw == nil {
		return nil, ErrNotSigned
	}
	out := make([]byte, len(textPrefix)+textEncoding.EncodedLen(len(r.raw)))
	copy(out, textPrefix)
	textEncoding.Encode(out[len(textPrefix):], r.raw)
	return out, nil
}

// UnmarshalText implements encoding.TextUnmarshaler: it decodes and verifies
// the "enr:" form. On error the receiver is left unchanged.
func (r *Record) UnmarshalText(text []byte) error {
	rest, ok := bytes.CutPrefix(bytes.TrimSpace(text), []byte(textPrefix))
	if !ok {
		return fmt.Errorf("%w: missing %q prefix", ErrInvalidText, textPrefix)
	}
	// Refuse before decoding anything that cannot fit MaxSize bytes.
	if len(rest) > textEncoding.EncodedLen(MaxSize) {
		return ErrTooBig
	}
	var raw [MaxSize]byte
	n, err := textEncoding.Decode(raw[:], rest)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrInvalidText, err)
	}
	var dec Record
	if err := dec.decode(raw[:n]); err != nil {
		return err
	}
	*r = dec
	return nil
}

// decode fills the zero record r from b and verifies the signature.
func (r *Record) decode(b []byte) error {
	if len(b) > MaxSize {
		return ErrTooBig
	}
	content, rest, err := rlp.SplitList(b)
	if err != nil {
		return fmt.Errorf("enr: %w", err)
	}
	if len(rest) != 0 {
		return fmt.Errorf("enr: %d trailing bytes after record", len(rest))
	}
	raw := bytes.Clone(b)
	content = raw[len(raw)-len(content):]

	// [signature, seq, k1, v1, …]
	if len(content) == 0 {
		return ErrTooShort
	}
	sig, signed, err := rlp.SplitString(content)
	if err != nil {
		return fmt.Errorf("enr: signature: %w", err)
	}
	if len(signed) == 0 {
		return ErrTooShort
	}
	seq, kvs, err := rlp.SplitUint64(signed)
	if err != nil {
		return fmt.Errorf("enr: sequence number: %w", err)
	}
	pairs := make([]pair, 0, 8)
	for len(kvs) > 0 {
		k, afterKey, err := rlp.SplitString(kvs)
		if err != nil {
			return fmt.Errorf("enr: key %d: %w", len(pairs), err)
		}
		if len(afterKey) == 0 {
			return ErrOddItems
		}
		_, _, afterValue, err := rlp.Split(afterKey)
		if err != nil {
			return fmt.Errorf("enr: value of key %s: %w", quoteKey(string(k)), err)
		}
		if n := len(pairs); n > 0 {
			switch c := bytes.Compare(pairs[n-1].k, k); {
			case c == 0:
				return fmt.Errorf("%w: %s", ErrDuplicateKey, quoteKey(string(k)))
			case c > 0:
				return fmt.Errorf("%w: %s after %s", ErrNotSorted, quoteKey(string(k)), quoteKey(string(pairs[n-1].k)))
			}
		}
		v := afterKey[:len(afterKey)-len(afterValue)]
		// Full slice expressions: appending to a pair can never write into raw.
		pairs = append(pairs, pair{k: k[:len(k):len(k)], v: v[:len(v):len(v)]})
		kvs = afterValue
	}

	dec := Record{seq: seq, pairs: pairs}
	if err := dec.verify(sig, signed); err != nil {
		return err
	}
	dec.signature = sig[:len(sig):len(sig)]
	dec.raw = raw
	*r = dec
	return nil
}
