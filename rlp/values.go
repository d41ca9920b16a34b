package rlp

// This file holds the Stream methods that read strings and integers.

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
