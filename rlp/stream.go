package rlp

import (
	"bytes"
	"io"
	"math/big"
	"strings"
)

// readChunk bounds a single allocation while reading a large string from a
// reader whose length is unknown, so a header claiming gigabytes cannot make
// the Stream allocate more than it actually receives (plus one chunk).
const readChunk = 64 << 10

// Stream is a pull decoder of RLP values. It reads values piece by piece: use
// Kind to peek at the next value, Bytes/Uint64/BigInt/... to read strings, and
// List/ListEnd to walk into and out of lists.
//
// A Stream tracks the input limit and the size of every open list, and
// rejects any value that claims more bytes than remain in either. It never
// allocates more than the input it has actually seen (plus a bounded chunk),
// so untrusted input cannot make it allocate unboundedly.
//
// A Stream is not safe for concurrent use.
type Stream struct {
	r  io.Reader     // nil when decoding from buf
	br io.ByteReader // r as a ByteReader, if it is one
	// data is the input when decoding from a byte slice (r == nil), and pos
	// the read position in it. An index rather than a shrinking slice keeps
	// pointer writes (and GC write barriers) out of the read path.
	data []byte
	pos  int

	limited   bool   // whether remaining applies (always true for data)
	exact     bool   // remaining is the true input length, not just a cap
	remaining uint64 // bytes left before the input limit

	stack []uint64 // remaining content bytes of each open list, innermost last

	// The peeked header of the next value, valid when peeked is true.
	peeked  bool
	kind    Kind
	size    uint64
	byteval byte // the value of a Byte
	kinderr error

	scratch [32]byte
}

// NewStream returns a Stream reading from r. inputLimit bounds the total
// number of bytes the Stream will read. A zero inputLimit is replaced by the
// remaining length when r is a *bytes.Reader, *bytes.Buffer or
// *strings.Reader, and means "no limit" otherwise. Declared sizes are always
// checked against enclosing lists and the limit, and unless the input length
// is known exactly, large strings are read in chunks, so memory stays
// proportional to the bytes actually received, whatever a header claims.
func NewStream(r io.Reader, inputLimit uint64) *Stream {
	s := new(Stream)
	s.Reset(r, inputLimit)
	return s
}

// Reset discards all state and makes s read from r, as NewStream does.
// It keeps the memory of the list stack.
func (s *Stream) Reset(r io.Reader, inputLimit uint64) {
	*s = Stream{stack: s.stack[:0]}
	s.r = r
	switch {
	case inputLimit > 0:
		s.limited, s.remaining = true, inputLimit
	default:
		switch rr := r.(type) {
		case *bytes.Reader:
			s.limited, s.exact, s.remaining = true, true, uint64(rr.Len())
		case *bytes.Buffer:
			s.limited, s.exact, s.remaining = true, true, uint64(rr.Len())
		case *strings.Reader:
			s.limited, s.exact, s.remaining = true, true, uint64(rr.Len())
		}
	}
	s.br, _ = r.(io.ByteReader)
}

// inMemory returns the next n input bytes without consuming them, if the
// input is a byte slice holding them.
func (s *Stream) inMemory(n uint64) ([]byte, bool) {
	if s.r != nil || n > uint64(len(s.data)-s.pos) {
		return nil, false
	}
	return s.data[s.pos : s.pos+int(n)], true
}

// resetBytes makes s decode from b directly, without an io.Reader.
func (s *Stream) resetBytes(b []byte) {
	*s = Stream{stack: s.stack[:0]}
	s.data = b
	s.limited, s.exact, s.remaining = true, true, uint64(len(b))
}

// Kind returns the kind and content size of the next value without consuming
// it. For a Byte the size is 0. At the end of the current list it returns
// ErrEOL; at the end of the input outside any list it returns io.EOF.
func (s *Stream) Kind() (Kind, uint64, error) {
	if s.peeked {
		return s.kind, s.size, s.kinderr
	}
	if s.r == nil {
		return s.sliceKind()
	}
	if n := len(s.stack); n > 0 && s.stack[n-1] == 0 {
		return 0, 0, ErrEOL
	}
	k, size, err := s.readKind()
	if err == nil {
		if n := len(s.stack); n > 0 && size > s.stack[n-1] {
			err = ErrElemTooLarge
		} else if s.limited && size > s.remaining {
			err = ErrValueTooLarge
		}
	}
	s.peeked, s.kind, s.size = true, k, size
	if err != nil || s.kinderr != nil {
		s.kinderr = err // written only when needed: it is a pointer
	}
	return k, size, err
}

// sliceKind is Kind for byte-slice input: the header is parsed in place.
// Its checks and errors match the reader path (readKind and the size checks
// in Kind); in slice mode s.remaining always equals len(s.data)-s.pos.
func (s *Stream) sliceKind() (Kind, uint64, error) {
	depth := len(s.stack)
	var top uint64
	if depth > 0 {
		if top = s.stack[depth-1]; top == 0 {
			return 0, 0, ErrEOL
		}
	}
	k, size, err := s.sliceHeader(depth, top)
	s.peeked, s.kind, s.size = true, k, size
	if err != nil || s.kinderr != nil {
		s.kinderr = err // written only when needed: it is a pointer
	}
	return k, size, err
}

func (s *Stream) sliceHeader(depth int, top uint64) (Kind, uint64, error) {
	buf := s.data[s.pos:]
	if len(buf) == 0 {
		if depth == 0 {
			return 0, 0, io.EOF
		}
		return 0, 0, ErrValueTooLarge
	}
	b := buf[0]
	var (
		k    Kind
		hs   uint64 = 1
		size uint64
	)
	switch {
	case b < 0x80:
		k = Byte
		s.byteval = b
	case b < 0xB8:
		k, size = String, uint64(b-0x80)
	case b >= 0xC0 && b < 0xF8:
		k, size = List, uint64(b-0xC0)
	default:
		n := uint64(b - 0xB7)
		k = String
		if b >= 0xF8 {
			n, k = uint64(b-0xF7), List
		}
		hs = 1 + n
		if depth > 0 && hs > top {
			return 0, 0, ErrElemTooLarge
		}
		if hs > uint64(len(buf)) {
			return 0, 0, ErrValueTooLarge
		}
		if buf[1] == 0 {
			return 0, 0, ErrCanonSize
		}
		for _, c := range buf[1:hs] {
			size = size<<8 | uint64(c)
		}
		if size < 56 {
			return 0, 0, ErrCanonSize
		}
	}
	s.pos += int(hs)
	s.remaining -= hs
	if depth > 0 {
		top -= hs
		s.stack[depth-1] = top
		if size > top {
			return 0, 0, ErrElemTooLarge
		}
	}
	if size > s.remaining {
		return 0, 0, ErrValueTooLarge
	}
	return k, size, nil
}

// readKind reads a header.
func (s *Stream) readKind() (Kind, uint64, error) {
	b, err := s.readByte()
	if err != nil {
		if len(s.stack) == 0 && (err == io.ErrUnexpectedEOF || err == ErrValueTooLarge) {
			err = io.EOF
		}
		return 0, 0, err
	}
	switch {
	case b < 0x80:
		s.byteval = b
		return Byte, 0, nil
	case b < 0xB8:
		return String, uint64(b - 0x80), nil
	case b < 0xC0:
		size, err := s.readSize(b - 0xB7)
		return String, size, err
	case b < 0xF8:
		return List, uint64(b - 0xC0), nil
	default:
		size, err := s.readSize(b - 0xF7)
		return List, size, err
	}
}

// readSize reads the n-byte size of a long string or list.
func (s *Stream) readSize(n byte) (uint64, error) {
	b := s.scratch[:n]
	if err := s.readFull(b); err != nil {
		return 0, err
	}
	if b[0] == 0 {
		return 0, ErrCanonSize
	}
	var size uint64
	for _, c := range b {
		size = size<<8 | uint64(c)
	}
	if size < 56 {
		return 0, ErrCanonSize
	}
	return size, nil
}

// willRead accounts for n bytes about to be read.
func (s *Stream) willRead(n uint64) error {
	if k := len(s.stack); k > 0 {
		if n > s.stack[k-1] {
			return ErrElemTooLarge
		}
		s.stack[k-1] -= n
	}
	if s.limited {
		if n > s.remaining {
			return ErrValueTooLarge
		}
		s.remaining -= n
	}
	return nil
}

func (s *Stream) readByte() (byte, error) {
	if err := s.willRead(1); err != nil {
		return 0, err
	}
	if s.r == nil {
		if s.pos >= len(s.data) {
			return 0, io.ErrUnexpectedEOF
		}
		b := s.data[s.pos]
		s.pos++
		return b, nil
	}
	if s.br != nil {
		b, err := s.br.ReadByte()
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return b, err
	}
	if _, err := io.ReadFull(s.r, s.scratch[:1]); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return 0, err
	}
	return s.scratch[0], nil
}

// readFull fills b from the input.
func (s *Stream) readFull(b []byte) error {
	if err := s.willRead(uint64(len(b))); err != nil {
		return err
	}
	if s.r == nil {
		if len(s.data)-s.pos < len(b) {
			return io.ErrUnexpectedEOF
		}
		s.pos += copy(b, s.data[s.pos:])
		return nil
	}
	if _, err := io.ReadFull(s.r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	return nil
}

// readView returns the next n bytes. When decoding from a byte slice the
// result aliases the input; otherwise it is either s.scratch (n <= 32) or a
// fresh slice. Callers must not keep it.
func (s *Stream) readView(n uint64) ([]byte, error) {
	if s.r == nil {
		if err := s.willRead(n); err != nil {
			return nil, err
		}
		if uint64(len(s.data)-s.pos) < n {
			return nil, io.ErrUnexpectedEOF
		}
		end := s.pos + int(n)
		b := s.data[s.pos:end:end]
		s.pos = end
		return b, nil
	}
	if n <= uint64(len(s.scratch)) {
		b := s.scratch[:n]
		return b, s.readFull(b)
	}
	return s.readNew(n)
}

// readNew reads n bytes into a new slice. Unless the input length is known
// exactly, it grows the slice in chunks, so memory follows the bytes actually
// received rather than the size a header claims.
func (s *Stream) readNew(n uint64) ([]byte, error) {
	if s.exact || n <= readChunk {
		b := make([]byte, n)
		return b, s.readFull(b)
	}
	var b []byte
	for uint64(len(b)) < n {
		c := min(n-uint64(len(b)), readChunk)
		start := len(b)
		b = append(b, make([]byte, c)...)
		if err := s.readFull(b[start:]); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// consumed marks the peeked value as read.
func (s *Stream) consumed() { s.peeked = false }

// stringContent reads the content of the next string (or the byte of a Byte)
// as a view (see readView), applying the single-byte canonical rule.
func (s *Stream) stringContent() ([]byte, error) {
	k, size, err := s.Kind()
	if err != nil {
		return nil, err
	}
	switch k {
	case Byte:
		s.consumed()
		s.scratch[0] = s.byteval
		return s.scratch[:1], nil
	case String:
		s.consumed()
		b, err := s.readView(size)
		if err != nil {
			return nil, err
		}
		if size == 1 && b[0] < 0x80 {
			return nil, ErrCanonSize
		}
		return b, nil
	default:
		return nil, ErrExpectedString
	}
}

// Bytes reads the next value, which must be a string or byte, and returns its
// content in a new slice.
func (s *Stream) Bytes() ([]byte, error) {
	k, size, err := s.Kind()
	if err != nil {
		return nil, err
	}
	switch k {
	case Byte:
		s.consumed()
		return []byte{s.byteval}, nil
	case String:
		s.consumed()
		b, err := s.readNew(size)
		if err != nil {
			return nil, err
		}
		if size == 1 && b[0] < 0x80 {
			return nil, ErrCanonSize
		}
		return b, nil
	default:
		return nil, ErrExpectedString
	}
}

// ReadBytes reads the next value, which must be a string of exactly len(dst)
// bytes (or a single byte when len(dst) == 1), into dst.
func (s *Stream) ReadBytes(dst []byte) error {
	k, size, err := s.Kind()
	if err != nil {
		return err
	}
	switch k {
	case Byte:
		if len(dst) != 1 {
			return ErrByteArrayLength
		}
		s.consumed()
		dst[0] = s.byteval
		return nil
	case String:
		if size != uint64(len(dst)) {
			return ErrByteArrayLength
		}
		s.consumed()
		if err := s.readFull(dst); err != nil {
			return err
		}
		if size == 1 && dst[0] < 0x80 {
			return ErrCanonSize
		}
		return nil
	default:
		return ErrExpectedString
	}
}

// uint reads an unsigned integer of at most maxbits bits.
func (s *Stream) uint(maxbits int) (uint64, error) {
	k, size, err := s.Kind()
	if err != nil {
		return 0, err
	}
	switch k {
	case Byte:
		s.consumed()
		if s.byteval == 0 {
			return 0, ErrCanonInt
		}
		return uint64(s.byteval), nil
	case String:
		if size > uint64(maxbits+7)/8 {
			return 0, ErrUintOverflow
		}
		s.consumed()
		b, err := s.readView(size)
		if err != nil {
			return 0, err
		}
		if size == 0 {
			return 0, nil
		}
		if b[0] == 0 {
			return 0, ErrCanonInt
		}
		if size == 1 && b[0] < 0x80 {
			return 0, ErrCanonSize
		}
		var x uint64
		for _, c := range b {
			x = x<<8 | uint64(c)
		}
		if maxbits < 64 && x>>uint(maxbits) != 0 {
			return 0, ErrUintOverflow
		}
		return x, nil
	default:
		return 0, ErrExpectedString
	}
}

// Uint64 reads a canonical unsigned integer of at most 64 bits.
func (s *Stream) Uint64() (uint64, error) { return s.uint(64) }

// Uint32 reads a canonical unsigned integer of at most 32 bits.
func (s *Stream) Uint32() (uint32, error) {
	x, err := s.uint(32)
	return uint32(x), err
}

// Uint16 reads a canonical unsigned integer of at most 16 bits.
func (s *Stream) Uint16() (uint16, error) {
	x, err := s.uint(16)
	return uint16(x), err
}

// Uint8 reads a canonical unsigned integer of at most 8 bits.
func (s *Stream) Uint8() (uint8, error) {
	x, err := s.uint(8)
	return uint8(x), err
}

// Bool reads a boolean: 0x80 is false and 0x01 is true. Anything else is an
// error.
func (s *Stream) Bool() (bool, error) {
	x, err := s.uint(8)
	if err != nil {
		return false, err
	}
	switch x {
	case 0:
		return false, nil
	case 1:
		return true, nil
	default:
		return false, ErrInvalidBool
	}
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

// List starts reading a list and returns the size of its content. Read the
// elements with the other methods until they return ErrEOL, then call
// ListEnd.
func (s *Stream) List() (size uint64, err error) {
	k, size, err := s.Kind()
	if err != nil {
		return 0, err
	}
	if k != List {
		return 0, ErrExpectedList
	}
	if len(s.stack) >= MaxNesting {
		return 0, ErrTooDeep
	}
	s.consumed()
	// The content is charged to the parent list now; reads inside the new
	// list are charged to it alone.
	if n := len(s.stack); n > 0 {
		s.stack[n-1] -= size
	}
	s.stack = append(s.stack, size)
	return size, nil
}

// ListEnd finishes the current list. It returns ErrNotAtEOL if the list still
// has unread content.
func (s *Stream) ListEnd() error {
	n := len(s.stack)
	if n == 0 {
		return ErrNotInList
	}
	if s.stack[n-1] != 0 {
		return ErrNotAtEOL
	}
	s.stack = s.stack[:n-1]
	s.peeked = false
	return nil
}

// MoreDataInList reports whether the current list has unread content. It is
// false outside any list.
func (s *Stream) MoreDataInList() bool {
	n := len(s.stack)
	return n > 0 && s.stack[n-1] > 0
}

// Raw reads the next value and returns its complete encoding (header and
// content) in a new slice. The value is checked to be canonical all the way
// down, as if it had been decoded into interface{}, so a RawValue never holds
// an encoding that the rest of the package would reject.
func (s *Stream) Raw() ([]byte, error) {
	k, size, err := s.Kind()
	if err != nil {
		return nil, err
	}
	s.consumed()
	if k == Byte {
		return []byte{s.byteval}, nil
	}
	base := byte(0x80)
	if k == List {
		base = 0xC0
	}
	hs := headSize(size)
	// The header has already been read; rebuild it in front of the content.
	var b []byte
	if s.exact || size <= readChunk {
		b = make([]byte, hs+size)
		appendHeader(b[:0], base, size)
		if err := s.readFull(b[hs:]); err != nil {
			return nil, err
		}
	} else {
		content, err := s.readNew(size)
		if err != nil {
			return nil, err
		}
		b = append(appendHeader(make([]byte, 0, hs+size), base, size), content...)
	}
	if k == String && size == 1 && b[1] < 0x80 {
		return nil, ErrCanonSize
	}
	if k == List {
		if err := validateValues(b[hs:], len(s.stack)+1); err != nil {
			return nil, err
		}
	}
	return b, nil
}
