package enr

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/rlp"
)

// MaxSize is the largest encoded record EIP-778 allows, in bytes.
const MaxSize = 300

// Record is an Ethereum Node Record. The zero value is an empty, unsigned
// record with sequence number 0.
//
// Every setter that changes the record leaves it unsigned (setting a value
// it already holds changes nothing); call SignV4 to sign it again.
// Setters never bump the sequence number: that is the caller's job (see
// discover.LocalNode, which does it for our own record).
//
// A Record is not safe for concurrent use while it is being modified; a
// record that nobody modifies may be read from many goroutines.
type Record struct {
	seq   uint64
	pairs []pair // sorted by key, keys unique

	// Set by SignV4 or decoding, cleared by every change.
	signature []byte               // 64-byte r‖s
	raw       []byte               // the encoded record
	pub       *secp256k1.PublicKey // the verified signer
}

// pair is one entry. Neither slice is ever written after the pair is made,
// so records may share them (see Clone).
type pair struct {
	k []byte
	v []byte // exactly one RLP item
}

// Seq returns the sequence number.
func (r *Record) Seq() uint64 { return r.seq }

// SetSeq sets the sequence number. A new number leaves the record unsigned.
func (r *Record) SetSeq(seq uint64) {
	if seq != r.seq {
		r.seq = seq
		r.invalidate()
	}
}

// Signed reports whether the record carries a valid signature over its
// current content.
func (r *Record) Signed() bool { return r.raw != nil }

// Signature returns a copy of the 64-byte signature, or nil when the record
// is unsigned.
func (r *Record) Signature() []byte { return bytes.Clone(r.signature) }

// Len returns the number of key/value entries.
func (r *Record) Len() int { return len(r.pairs) }

// Keys returns the record's keys in order.
func (r *Record) Keys() []string {
	keys := make([]string, len(r.pairs))
	for i, p := range r.pairs {
		keys[i] = string(p.k)
	}
	return keys
}

// Has reports whether key is present.
func (r *Record) Has(key string) bool {
	_, ok := r.find(key)
	return ok
}

// Get returns the RLP-encoded value of key. The returned slice must not be
// modified.
func (r *Record) Get(key string) (value []byte, ok bool) {
	i, ok := r.find(key)
	if !ok {
		return nil, false
	}
	return r.pairs[i].v, true
}

// Load decodes the value of key into ptr with rlp.DecodeBytes. It returns a
// *KeyError wrapping ErrNotFound when the key is absent, or wrapping the rlp
// error when the value does not fit ptr.
func (r *Record) Load(key string, ptr any) error {
	v, ok := r.Get(key)
	if !ok {
		return &KeyError{Key: key, Err: ErrNotFound}
	}
	if err := rlp.DecodeBytes(v, ptr); err != nil {
		return &KeyError{Key: key, Err: err}
	}
	return nil
}

// Set stores value, which must be exactly one RLP item, under key. The
// record becomes unsigned. value is copied.
func (r *Record) Set(key string, value []byte) error {
	if _, _, rest, err := rlp.Split(value); err != nil || len(rest) != 0 {
		return &KeyError{Key: key, Err: ErrInvalidValue}
	}
	r.set(key, bytes.Clone(value))
	return nil
}

// SetValue RLP-encodes v and stores it under key. The record becomes
// unsigned.
func (r *Record) SetValue(key string, v any) error {
	enc, err := rlp.EncodeToBytes(v)
	if err != nil {
		return &KeyError{Key: key, Err: err}
	}
	r.set(key, enc)
	return nil
}

// Delete removes key and reports whether it was present. Removing a key
// leaves the record unsigned.
func (r *Record) Delete(key string) bool {
	i, ok := r.find(key)
	if !ok {
		return false
	}
	r.pairs = slices.Delete(slices.Clone(r.pairs), i, i+1)
	r.invalidate()
	return true
}

// Clone returns a deep copy of r that can be modified independently.
func (r *Record) Clone() *Record {
	c := *r
	c.pairs = slices.Clone(r.pairs)
	return &c
}

// set stores an already validated, already owned value.
func (r *Record) set(key string, value []byte) {
	i, ok := r.find(key)
	if ok && bytes.Equal(r.pairs[i].v, value) {
		return // unchanged: keep the signature
	}
	// Copy the slice so that clones sharing the old backing array are not
	// affected.
	pairs := slices.Clone(r.pairs)
	if ok {
		pairs[i].v = value
	} else {
		pairs = slices.Insert(pairs, i, pair{k: []byte(key), v: value})
	}
	r.pairs = pairs
	r.invalidate()
}

// find returns the index of key, or where it would be inserted.
func (r *Record) find(key string) (int, bool) {
	return slices.BinarySearchFunc(r.pairs, key, func(p pair, k string) int {
		return strings.Compare(string(p.k), k)
	})
}

func (r *Record) invalidate() {
	r.signature, r.raw, r.pub = nil, nil, nil
}

// String returns the text form "enr:<base64url>" of a signed record. An
// unsigned record prints as "enr:unsigned" followed by its sequence number
// and keys, which cannot be parsed back.
func (r *Record) String() string {
	if r.raw == nil {
		var b strings.Builder
		b.WriteString("enr:unsigned{seq=")
		b.WriteString(strconv.FormatUint(r.seq, 10))
		for _, p := range r.pairs {
			b.WriteByte(' ')
			b.WriteString(quoteKey(string(p.k)))
		}
		b.WriteByte('}')
		return b.String()
	}
	return textPrefix + textEncoding.EncodeToString(r.raw)
}

// quoteKey renders a key for messages: plain when printable ASCII, quoted
// otherwise, so hostile keys cannot garble logs.
func quoteKey(k string) string {
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return fmt.Sprintf("%q", k)
		}
	}
	return k
}
