package rlp

import "io"

// This file holds the Stream's low-level input: reading bytes from the
// slice or reader while accounting for the input limit and open lists.

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
