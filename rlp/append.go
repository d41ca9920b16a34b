package rlp

import (
	"math/big"
	"math/bits"
	"sync/atomic"
)

// This file holds the primitive append helpers. They are exported so that
// hand-written AppendRLP methods on hot paths can build encodings without
// reflection.

// AppendUint64 appends the canonical encoding of i to dst.
func AppendUint64(dst []byte, i uint64) []byte {
	switch {
	case i == 0:
		return append(dst, 0x80)
	case i < 0x80:
		return append(dst, byte(i))
	default:
		n := intLen(i)
		dst = append(dst, 0x80+byte(n))
		return appendBE(dst, i, n)
	}
}

// AppendBytes appends the encoding of the byte string b to dst.
func AppendBytes(dst []byte, b []byte) []byte {
	if len(b) == 1 && b[0] < 0x80 {
		return append(dst, b[0])
	}
	dst = appendHeader(dst, 0x80, uint64(len(b)))
	return append(dst, b...)
}

// AppendString appends the encoding of the string s to dst.
func AppendString(dst []byte, s string) []byte {
	if len(s) == 1 && s[0] < 0x80 {
		return append(dst, s[0])
	}
	dst = appendHeader(dst, 0x80, uint64(len(s)))
	return append(dst, s...)
}

// AppendBigInt appends the encoding of the non-negative integer i to dst. A
// nil i is encoded as zero. Negative values return ErrNegativeBigInt.
func AppendBigInt(dst []byte, i *big.Int) ([]byte, error) {
	if i == nil {
		return append(dst, 0x80), nil
	}
	if i.Sign() < 0 {
		return dst, ErrNegativeBigInt
	}
	bl := i.BitLen()
	if bl <= 64 {
		return AppendUint64(dst, i.Uint64()), nil
	}
	n := (bl + 7) / 8
	dst = appendHeader(dst, 0x80, uint64(n))
	dst = grow(dst, n)
	putBigWords(dst[len(dst)-n:], i.Bits())
	return dst, nil
}

// AppendListHeader appends the header of a list whose content is size bytes.
func AppendListHeader(dst []byte, size uint64) []byte {
	return appendHeader(dst, 0xC0, size)
}

// StartList begins a list whose content will be appended after it and returns
// the buffer and a mark to pass to EndList. Together they encode a list
// without computing the content size in advance:
//
//	dst, mark := rlp.StartList(dst)
//	dst = rlp.AppendUint64(dst, 1)
//	dst = rlp.EndList(dst, mark)
func StartList(dst []byte) ([]byte, int) {
	return append(dst, 0xC0), len(dst)
}

// EndList finishes the list started at mark by StartList, writing its header.
// Content of 56 bytes or more is moved to make room for the long header.
func EndList(dst []byte, mark int) []byte {
	size := len(dst) - mark - 1
	if size < 56 {
		dst[mark] = 0xC0 + byte(size)
		return dst
	}
	n := intLen(uint64(size))
	dst = grow(dst, n)
	copy(dst[mark+1+n:], dst[mark+1:mark+1+size])
	dst[mark] = 0xF7 + byte(n)
	putBE(dst[mark+1:mark+1+n], uint64(size))
	return dst
}

// putBigWords writes the little-endian words of a non-negative big.Int as
// big-endian bytes filling b exactly (b is as long as the value's byte length).
func putBigWords(b []byte, words []big.Word) {
	const wordBytes = bits.UintSize / 8
	end := len(b)
	for _, w := range words {
		for j := 0; j < wordBytes && end > 0; j++ {
			end--
			b[end] = byte(w)
			w >>= 8
		}
	}
}

// ListSize returns the encoded size of a list whose content is contentSize
// bytes.
func ListSize(contentSize uint64) uint64 {
	return headSize(contentSize) + contentSize
}

// IntSize returns the encoded size of the integer x.
func IntSize(x uint64) int {
	if x < 0x80 {
		return 1
	}
	return 1 + intLen(x)
}

// headSize returns the size of a string or list header for content of the
// given size.
func headSize(size uint64) uint64 {
	if size < 56 {
		return 1
	}
	return 1 + uint64(intLen(size))
}

// appendHeader appends a string (base 0x80) or list (base 0xC0) header.
func appendHeader(dst []byte, base byte, size uint64) []byte {
	if size < 56 {
		return append(dst, base+byte(size))
	}
	n := intLen(size)
	dst = append(dst, base+55+byte(n))
	return appendBE(dst, size, n)
}

// intLen returns the number of bytes needed for x in big-endian without
// leading zeros (0 for x == 0).
func intLen(x uint64) int {
	return (bits.Len64(x) + 7) / 8
}

func appendBE(dst []byte, x uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, byte(x>>(8*uint(i))))
	}
	return dst
}

func putBE(b []byte, x uint64) {
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = byte(x)
		x >>= 8
	}
}

// grow extends dst by n bytes (contents of the new bytes unspecified).
func grow(dst []byte, n int) []byte {
	if cap(dst)-len(dst) >= n {
		return dst[:len(dst)+n]
	}
	return append(dst, make([]byte, n)...)
}

// listHint predicts the header size of a list encoded by one reflection
// encoder, so its content can usually be written in place: values of one
// type tend to have headers of one size. It is safe for concurrent use.
type listHint struct{ n atomic.Uint32 }

// start reserves the predicted header size and returns the mark and the
// reservation to pass to end.
func (h *listHint) start(dst []byte) ([]byte, int, int) {
	r := int(h.n.Load())
	if r == 0 {
		r = 1
	}
	return grow(dst, r), len(dst), r
}

// end writes the header of the list whose content follows the r bytes
// reserved at mark, moving the content only if the prediction was wrong.
func (h *listHint) end(dst []byte, mark, r int) []byte {
	size := len(dst) - mark - r
	hl := int(headSize(uint64(size)))
	if hl != r {
		if hl > r {
			dst = grow(dst, hl-r)
		}
		copy(dst[mark+hl:], dst[mark+r:mark+r+size])
		dst = dst[:mark+hl+size]
		h.n.Store(uint32(hl))
	}
	if size < 56 {
		dst[mark] = 0xC0 + byte(size)
	} else {
		dst[mark] = 0xF7 + byte(hl-1)
		putBE(dst[mark+1:mark+hl], uint64(size))
	}
	return dst
}
