package rlp

import "io"

// This file parses value headers: the kind and size of the next value.

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
