package rlp

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ListReader reads the elements of one RLP list in order, for hand-written
// decoders of wire messages.
//
// The first failure (a missing element, a value of the wrong kind, a
// non-canonical encoding, an integer out of range) is recorded with the
// path of the field it happened at, and turns every later read into a no-op
// returning a zero value. A decoder therefore reads its fields in order and
// checks Err once at the end:
//
//	r, _ := rlp.NewListReader(b)
//	version := r.Uint64("Version")
//	r.List("From") // [ip, udp-port, tcp-port, ...]
//	ip := r.Bytes("IP")
//	port := r.Uint16("UDP")
//	r.End()
//	rest := r.Rest()
//	if err := r.Err(); err != nil {
//		return err // e.g. "rlp: From.UDP: input list has too few elements"
//	}
//
// List enters a nested list and End leaves it; they pair up even after a
// failure. Elements left unread at the end of a list are ignored, which is
// the forward-compatibility rule of devp2p messages (EIP-8): newer versions
// may append elements that older readers skip, or keep with Rest.
//
// Bytes and Raw return slices of the input; Rest copies. The reads do not
// allocate except to report a failure, and a ListReader can live on the
// stack: it is one value, which refers only to the input, the field names
// and the recorded failure. Lists nest up to
// MaxListReaderDepth levels below the outermost one. The zero ListReader is
// an empty list.
type ListReader struct {
	listLevel                               // the list being read
	outer     [MaxListReaderDepth]listLevel // the lists it is nested in, outermost first
	depth     int                           // nesting level of the list being read, 0 for the outermost
	err       error                         // the first failure
}

// MaxListReaderDepth is how many lists a ListReader can enter below the one
// it was created for. Entering a deeper list is a failure wrapping
// ErrTooDeep.
const MaxListReaderDepth = 7

// listLevel is the reading position in one list.
type listLevel struct {
	b    []byte // unread content
	name string // the list's field name in the enclosing list
	n    int    // elements read so far
}

// ListError is the failure a ListReader records: the path of the element
// that could not be read and why.
type ListError struct {
	// Path names the element: field names given to the reads, joined by
	// dots, with "[i]" for elements read without a name, e.g. "From.IP" or
	// "Nodes[3].ID". It is empty when the input is not a list.
	Path string
	// Err is the cause. Decoding failures wrap one of the package's
	// sentinels; a missing element is ErrTooFewElements.
	Err error
}

// Error returns "rlp: <path>: <cause>".
func (e *ListError) Error() string {
	cause := strings.TrimPrefix(e.Err.Error(), "rlp: ")
	if e.Path == "" {
		return "rlp: " + cause
	}
	return "rlp: " + e.Path + ": " + cause
}

// Unwrap returns the cause.
func (e *ListError) Unwrap() error { return e.Err }

// NewListReader returns a reader of the list at the start of b, and the
// bytes after that list. If b does not start with a list, the failure is
// recorded in the reader and rest is b.
func NewListReader(b []byte) (r ListReader, rest []byte) {
	content, rest, err := SplitList(b)
	if err != nil {
		r.err = &ListError{Err: err}
		return r, b
	}
	r.b = content
	return r, rest
}

// Err returns the first failure, as a *ListError, or nil if every read
// succeeded.
func (r *ListReader) Err() error {
	return r.err
}

// More reports whether elements remain to be read in the current list and
// no read has failed.
func (r *ListReader) More() bool {
	return len(r.b) > 0 && r.err == nil
}

// Count returns the number of elements that remain to be read, without
// reading them. It records a failure if they are not complete values.
func (r *ListReader) Count() int {
	if r.err != nil {
		return 0
	}
	b, n := r.b, 0
	for len(b) > 0 {
		_, ts, cs, err := readHeader(b)
		if err != nil {
			r.failAt("", r.n+n, err)
			return 0
		}
		b = b[ts+cs:]
		n++
	}
	return n
}

// Uint64 reads a canonical integer of at most 8 bytes.
func (r *ListReader) Uint64(field string) uint64 {
	return r.UintMax(field, math.MaxUint64)
}

// UintMax reads a canonical integer no larger than max; a larger one is a
// failure wrapping ErrUintOverflow.
func (r *ListReader) UintMax(field string, max uint64) uint64 {
	if !r.next(field) {
		return 0
	}
	x, rest, err := SplitUint64(r.b)
	if err == nil && x > max {
		err = fmt.Errorf("%w: %d > %d", ErrUintOverflow, x, max)
	}
	if err != nil {
		r.fail(field, err)
		return 0
	}
	r.advance(rest)
	return x
}

// Uint16 reads a canonical integer that fits 16 bits, such as a port.
func (r *ListReader) Uint16(field string) uint16 {
	return uint16(r.UintMax(field, math.MaxUint16))
}

// TryUint64 reads the next element if it is a canonical integer of at most
// 8 bytes and reports whether it did. Anything else (no element, a list, a
// non-canonical or larger integer) is left unread and is not a failure:
// this reads an optional element that older senders leave out and that a
// newer version might redefine, such as the enr-seq of discv4 Ping and Pong
// (EIP-868).
func (r *ListReader) TryUint64() (uint64, bool) {
	if len(r.b) == 0 || r.err != nil {
		return 0, false
	}
	x, rest, err := SplitUint64(r.b)
	if err != nil {
		return 0, false
	}
	r.advance(rest)
	return x, true
}

// Bytes reads a byte string of any length. The result aliases the input.
func (r *ListReader) Bytes(field string) []byte {
	if !r.next(field) {
		return nil
	}
	s, rest, err := SplitString(r.b)
	if err != nil {
		r.fail(field, err)
		return nil
	}
	r.advance(rest)
	return s
}

// FixedBytes reads a byte string of exactly len(dst) bytes into dst. A
// string of another length is a failure wrapping ErrByteArrayLength, and
// dst is left unchanged.
func (r *ListReader) FixedBytes(field string, dst []byte) {
	if !r.next(field) {
		return
	}
	s, rest, err := SplitString(r.b)
	if err != nil {
		r.fail(field, err)
		return
	}
	if len(s) != len(dst) {
		r.fail(field, fmt.Errorf("%w: %d bytes, want %d", ErrByteArrayLength, len(s), len(dst)))
		return
	}
	copy(dst, s)
	r.advance(rest)
}

// Raw reads one value of any kind and returns its complete encoding,
// header included. The result aliases the input.
func (r *ListReader) Raw(field string) RawValue {
	if !r.next(field) {
		return nil
	}
	_, _, rest, err := Split(r.b)
	if err != nil {
		r.fail(field, err)
		return nil
	}
	v := r.b[: len(r.b)-len(rest) : len(r.b)-len(rest)]
	r.advance(rest)
	return v
}

// List reads a nested list and enters it: the following reads read its
// elements, until End. After a failure it enters an empty list.
func (r *ListReader) List(field string) {
	if r.depth == len(r.outer) {
		r.fail(field, ErrTooDeep)
	}
	var content []byte
	if r.next(field) {
		var rest []byte
		var err error
		if content, rest, err = SplitList(r.b); err != nil {
			r.fail(field, err)
		} else {
			r.advance(rest)
		}
	}
	if r.depth < len(r.outer) {
		r.outer[r.depth] = r.listLevel
	}
	r.depth++
	r.listLevel = listLevel{b: content, name: field}
	if r.err != nil {
		r.b = nil
	}
}

// End leaves the list entered by the last List, ignoring its unread
// elements, and continues with the list that holds it. Outside a nested
// list, End records a failure.
func (r *ListReader) End() {
	if r.depth == 0 {
		r.fail("", errEndOutsideList)
		return
	}
	r.depth--
	if r.depth < len(r.outer) {
		r.listLevel = r.outer[r.depth]
	}
}

var errEndOutsideList = errors.New("rlp: ListReader.End outside a nested list")

// Rest reads the remaining elements and returns copies of their
// encodings, or nil if none remain. This keeps the elements a newer
// version of a message appends, to forward or re-encode them.
func (r *ListReader) Rest() []RawValue {
	n := r.Count()
	if n == 0 {
		return nil
	}
	all := make([]byte, len(r.b))
	copy(all, r.b)
	out := make([]RawValue, 0, n)
	for len(all) > 0 {
		_, ts, cs, _ := readHeader(all) // checked by Count
		size := ts + cs
		out = append(out, RawValue(all[:size:size]))
		all = all[size:]
	}
	r.b = nil
	r.n += n
	return out
}

// next reports whether an element can be read: no failure is recorded and
// the list is not exhausted, which is recorded as field missing.
func (r *ListReader) next(field string) bool {
	if r.err != nil {
		return false
	}
	if len(r.b) == 0 {
		r.fail(field, ErrTooFewElements)
		return false
	}
	return true
}

func (r *ListReader) advance(rest []byte) {
	r.b = rest
	r.n++
}

// fail records err for the element field, the next one to be read, unless
// a failure is recorded already.
func (r *ListReader) fail(field string, err error) {
	r.failAt(field, r.n, err)
}

// failAt records err for the element at index i named field ("" for
// none), unless a failure is recorded already.
func (r *ListReader) failAt(field string, i int, err error) {
	if r.err == nil {
		r.err = &ListError{Path: string(r.appendPath(nil, field, i)), Err: err}
	}
}

// appendPath appends the path of the element at index i named field ("" for
// none) of the current list. It runs only when a failure is recorded.
func (r *ListReader) appendPath(dst []byte, field string, i int) []byte {
	for d := 1; d <= r.depth && d <= len(r.outer); d++ {
		// The list at depth d is an element of the list at depth d-1,
		// which has read it last.
		name, parent := r.level(d).name, r.level(d-1)
		dst = appendPathElem(dst, name, parent.n-1)
	}
	return appendPathElem(dst, field, i)
}

// appendPathElem appends ".name" (or "name" at the start), or "[i]" if name
// is empty.
func appendPathElem(dst []byte, name string, i int) []byte {
	if name == "" {
		dst = append(dst, '[')
		dst = strconv.AppendInt(dst, int64(i), 10)
		return append(dst, ']')
	}
	if len(dst) > 0 {
		dst = append(dst, '.')
	}
	return append(dst, name...)
}

// level returns the reading position at depth d <= r.depth.
func (r *ListReader) level(d int) listLevel {
	if d == r.depth {
		return r.listLevel
	}
	return r.outer[d]
}
