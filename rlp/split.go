package rlp

import "io"

// Split reads the header of the first value in b and returns its kind, its
// content and the bytes after it. It applies the same canonical-encoding rules
// as the decoder: size prefixes must be minimal and a single byte below 0x80
// must not be wrapped as 0x81xx. For a Byte, content is b[:1].
func Split(b []byte) (k Kind, content, rest []byte, err error) {
	k, ts, cs, err := readHeader(b)
	if err != nil {
		return 0, nil, b, err
	}
	return k, b[ts : ts+cs], b[ts+cs:], nil
}

// SplitString is like Split but requires a string or byte.
func SplitString(b []byte) (content, rest []byte, err error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return nil, b, err
	}
	if k == List {
		return nil, b, ErrExpectedString
	}
	return content, rest, nil
}

// SplitList is like Split but requires a list.
func SplitList(b []byte) (content, rest []byte, err error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return nil, b, err
	}
	if k != List {
		return nil, b, ErrExpectedList
	}
	return content, rest, nil
}

// SplitUint64 decodes a canonical integer of at most 8 bytes from the start of
// b and returns it with the remaining bytes.
func SplitUint64(b []byte) (x uint64, rest []byte, err error) {
	content, rest, err := SplitString(b)
	if err != nil {
		return 0, b, err
	}
	switch n := len(content); {
	case n == 0:
		return 0, rest, nil
	case n > 8:
		return 0, b, ErrUintOverflow
	case content[0] == 0:
		return 0, b, ErrCanonInt
	default:
		for _, c := range content {
			x = x<<8 | uint64(c)
		}
		return x, rest, nil
	}
}

// CountValues returns the number of values in b, which must be a
// concatenation of complete, canonically encoded values (list contents, for
// example). It does not look inside nested lists.
func CountValues(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		_, ts, cs, err := readHeader(b)
		if err != nil {
			return 0, err
		}
		b = b[ts+cs:]
		n++
	}
	return n, nil
}

// readHeader parses the header at the start of b and returns the kind, the
// header size and the content size. It guarantees ts+cs <= len(b).
func readHeader(b []byte) (k Kind, ts, cs uint64, err error) {
	if len(b) == 0 {
		return 0, 0, 0, io.ErrUnexpectedEOF
	}
	p := b[0]
	switch {
	case p < 0x80:
		return Byte, 0, 1, nil
	case p < 0xB8:
		k, ts, cs = String, 1, uint64(p-0x80)
		if cs == 1 && len(b) > 1 && b[1] < 0x80 {
			return 0, 0, 0, ErrCanonSize
		}
	case p < 0xC0:
		k, ts = String, 1+uint64(p-0xB7)
		cs, err = readLongSize(b[1:], int(p-0xB7))
	case p < 0xF8:
		k, ts, cs = List, 1, uint64(p-0xC0)
	default:
		k, ts = List, 1+uint64(p-0xF7)
		cs, err = readLongSize(b[1:], int(p-0xF7))
	}
	if err != nil {
		return 0, 0, 0, err
	}
	if cs > uint64(len(b))-ts {
		return 0, 0, 0, ErrValueTooLarge
	}
	return k, ts, cs, nil
}

// readLongSize decodes the n-byte big-endian size of a long string or list
// and checks that it is canonical.
func readLongSize(b []byte, n int) (uint64, error) {
	if len(b) < n {
		return 0, io.ErrUnexpectedEOF
	}
	if b[0] == 0 {
		return 0, ErrCanonSize
	}
	var s uint64
	for _, c := range b[:n] {
		s = s<<8 | uint64(c)
	}
	if s < 56 {
		return 0, ErrCanonSize
	}
	return s, nil
}

// validateValues checks that b is a sequence of canonical values, looking
// into nested lists. depth is the nesting level of b itself.
func validateValues(b []byte, depth int) error {
	if depth > MaxNesting {
		return ErrTooDeep
	}
	for len(b) > 0 {
		k, ts, cs, err := readHeader(b)
		if err != nil {
			if err == ErrValueTooLarge {
				err = ErrElemTooLarge
			}
			return err
		}
		if k == List {
			if err := validateValues(b[ts:ts+cs], depth+1); err != nil {
				return err
			}
		}
		b = b[ts+cs:]
	}
	return nil
}
