package rlp

import (
	"math/big"
	"math/bits"
	"reflect"
)

// bigBoxWords is the number of words stored inline with a decoded big.Int:
// enough for 256-bit values, which covers nearly every integer in Ethereum
// messages.
const bigBoxWords = 256 / bits.UintSize

// bigBox holds a big.Int together with the storage for its words, so that
// decoding into a nil *big.Int costs one allocation instead of two.
type bigBox struct {
	i big.Int
	w [bigBoxWords]big.Word
}

// newBigInt returns a new big.Int holding the big-endian integer b (no
// leading zeros).
func newBigInt(b []byte) *big.Int {
	if len(b) == 0 || len(b) > bigBoxWords*bits.UintSize/8 {
		return new(big.Int).SetBytes(b)
	}
	box := new(bigBox)
	n := 0
	for end := len(b); end > 0; end -= bits.UintSize / 8 {
		start := max(end-bits.UintSize/8, 0)
		var w big.Word
		for _, c := range b[start:end] {
			w = w<<8 | big.Word(c)
		}
		box.w[n] = w
		n++
	}
	return box.i.SetBits(box.w[:n])
}

// decodeBigIntPtr decodes into a *big.Int, reusing a non-nil one.
func decodeBigIntPtr(s *Stream, v reflect.Value) error {
	if !v.IsNil() {
		return decodeBigInt(s, v.Elem())
	}
	b, err := s.bigIntContent()
	if err != nil {
		return decError(err, v.Type())
	}
	v.Set(reflect.ValueOf(newBigInt(b)))
	return nil
}

// BigInt reads a canonical non-negative integer of any size (bounded by the
// input) into a new big.Int.
func (s *Stream) BigInt() (*big.Int, error) {
	i := new(big.Int)
	if err := s.decodeBigInt(i); err != nil {
		return nil, err
	}
	return i, nil
}

// bigIntContent reads a canonical integer's big-endian content (a view, see
// readView).
func (s *Stream) bigIntContent() ([]byte, error) {
	k, size, err := s.Kind()
	if err != nil {
		return nil, err
	}
	switch k {
	case Byte:
		s.consumed()
		if s.byteval == 0 {
			return nil, ErrCanonInt
		}
		s.scratch[0] = s.byteval
		return s.scratch[:1], nil
	case String:
		s.consumed()
		b, err := s.readView(size)
		if err != nil {
			return nil, err
		}
		switch {
		case size == 0:
			return b, nil
		case b[0] == 0:
			return nil, ErrCanonInt
		case size == 1 && b[0] < 0x80:
			return nil, ErrCanonSize
		}
		return b, nil
	default:
		return nil, ErrExpectedString
	}
}

// decodeBigInt reads a canonical integer into dst.
func (s *Stream) decodeBigInt(dst *big.Int) error {
	b, err := s.bigIntContent()
	if err != nil {
		return err
	}
	if len(b) <= 8 {
		var x uint64
		for _, c := range b {
			x = x<<8 | uint64(c)
		}
		dst.SetUint64(x)
	} else {
		dst.SetBytes(b)
	}
	return nil
}
