package rlp

import (
	"bytes"
	"io"
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
// rejects any value that claims more bytes than remain in either, and lists
// nested deeper than MaxNesting. It never allocates more than the input it
// has actually seen (plus a bounded chunk), so untrusted input cannot make it
// allocate unboundedly.
//
// The value-reading methods return the package's sentinel errors (and io
// errors) unwrapped; Decode wraps them in *DecodeError. Slices returned by
// Bytes and Raw are new and never alias the input.
//
// A Stream is not safe for concurrent use.
type Stream struct {
	r  io.Reader     // nil when decoding from data
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
	if s.stack[n-1] != 0 || s.pending() {
		return ErrNotAtEOL
	}
	s.stack = s.stack[:n-1]
	s.peeked = false
	return nil
}

// pending reports whether a value has been peeked by Kind but not read. Its
// header is already charged to the list, so the list's remaining size alone
// can be zero while it still holds this value (an empty string or list).
func (s *Stream) pending() bool {
	return s.peeked && s.kinderr == nil
}

// MoreDataInList reports whether the current list has unread content. It is
// false outside any list.
func (s *Stream) MoreDataInList() bool {
	n := len(s.stack)
	return n > 0 && (s.stack[n-1] > 0 || s.pending())
}
