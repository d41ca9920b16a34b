package rlp

import (
	"errors"
	"reflect"
	"strings"
)

// Sentinel errors. Decoding errors returned by this package wrap one of these,
// so callers can test for a class of failure with errors.Is whatever Go path
// the failure happened at.
var (
	// ErrEOL is returned by Stream methods when the current list has no
	// more elements. It is the normal loop terminator when walking a list.
	ErrEOL = errors.New("rlp: end of list")

	// ErrExpectedString is returned when a list was found where a string
	// (or single byte) was expected.
	ErrExpectedString = errors.New("rlp: expected string or byte")
	// ErrExpectedList is returned when a string was found where a list was
	// expected.
	ErrExpectedList = errors.New("rlp: expected list")
	// ErrCanonInt is returned for integers with leading zero bytes, including
	// the single byte 0x00 (zero is encoded as the empty string 0x80).
	ErrCanonInt = errors.New("rlp: non-canonical integer (leading zero bytes)")
	// ErrCanonSize is returned for non-canonical size information: a long
	// size prefix used for content shorter than 56 bytes, a size with
	// leading zero bytes, or a single byte below 0x80 wrapped as 0x81xx.
	ErrCanonSize = errors.New("rlp: non-canonical size information")
	// ErrElemTooLarge is returned when an element claims more bytes than
	// remain in its enclosing list.
	ErrElemTooLarge = errors.New("rlp: element is larger than containing list")
	// ErrValueTooLarge is returned when a value claims more bytes than remain
	// in the input (as bounded by the Stream's input limit).
	ErrValueTooLarge = errors.New("rlp: value size exceeds available input length")
	// ErrMoreThanOneValue is returned by DecodeBytes when bytes remain after
	// the first value.
	ErrMoreThanOneValue = errors.New("rlp: input contains more than one value")
	// ErrUintOverflow is returned when an integer does not fit the target
	// type, for example 256 decoded into a uint8.
	ErrUintOverflow = errors.New("rlp: integer overflows target type")
	// ErrNegativeBigInt is returned when encoding a negative *big.Int.
	ErrNegativeBigInt = errors.New("rlp: cannot encode negative big.Int")
	// ErrInvalidBool is returned for booleans other than 0x80 (false) and
	// 0x01 (true).
	ErrInvalidBool = errors.New("rlp: invalid boolean value")
	// ErrByteArrayLength is returned when a string's length does not match
	// the length of the [N]byte it is decoded into.
	ErrByteArrayLength = errors.New("rlp: string length does not match byte array length")
	// ErrTooFewElements is returned when a list has fewer elements than the
	// struct or array it is decoded into requires.
	ErrTooFewElements = errors.New("rlp: input list has too few elements")
	// ErrTooManyElements is returned when a list has more elements than the
	// struct or array it is decoded into can hold.
	ErrTooManyElements = errors.New("rlp: input list has too many elements")
	// ErrNotAtEOL is returned by Stream.ListEnd when the current list still
	// has unread elements.
	ErrNotAtEOL = errors.New("rlp: call of ListEnd not positioned at end of list")
	// ErrNotInList is returned by Stream.ListEnd when no list is open.
	ErrNotInList = errors.New("rlp: call of ListEnd outside of any list")
	// ErrTooDeep is returned when the input nests lists more than
	// MaxNesting levels deep.
	ErrTooDeep = errors.New("rlp: nesting too deep")
	// ErrNonPointer is returned when Decode is given something other than a
	// non-nil pointer.
	ErrNonPointer = errors.New("rlp: decode target must be a non-nil pointer")
	// ErrUnsupportedType is wrapped by TypeError for types that cannot be
	// encoded or decoded (signed integers, floats, maps, channels, funcs...)
	// and for misused struct tags.
	ErrUnsupportedType = errors.New("rlp: unsupported type")
)

// TypeError reports a Go type that this package cannot encode or decode, or a
// struct with misused rlp tags. It is produced when the per-type codec is
// built, before any byte is read or written, and wraps ErrUnsupportedType.
type TypeError struct {
	Type reflect.Type // the offending type
	Msg  string       // what is wrong with it
}

// Error returns "rlp: type T <what is wrong>".
func (e *TypeError) Error() string {
	return "rlp: type " + e.Type.String() + " " + e.Msg
}

// Unwrap returns ErrUnsupportedType.
func (e *TypeError) Unwrap() error { return ErrUnsupportedType }

// DecodeError is returned when decoding into a Go value fails. It wraps the
// underlying cause (one of the sentinel errors above, or an io error) and
// records the Go type being decoded and the path to it, for messages like
//
//	rlp: non-canonical integer (leading zero bytes) for uint64, decoding into (pkg.T).Field[3]
type DecodeError struct {
	Err  error        // the cause, usable with errors.Is
	Type reflect.Type // Go type being decoded when the error happened; may be nil
	path []string     // innermost first
}

// Error returns the cause followed by the Go type and path being decoded.
func (e *DecodeError) Error() string {
	var sb strings.Builder
	sb.WriteString("rlp: ")
	sb.WriteString(strings.TrimPrefix(e.Err.Error(), "rlp: "))
	if e.Type != nil {
		sb.WriteString(" for ")
		sb.WriteString(e.Type.String())
	}
	if len(e.path) > 0 {
		sb.WriteString(", decoding into ")
		sb.WriteString(e.Path())
	}
	return sb.String()
}

// Path returns the Go path of the value being decoded, such as
// "(pkg.T).Field[3]".
func (e *DecodeError) Path() string {
	var sb strings.Builder
	for i := len(e.path) - 1; i >= 0; i-- {
		sb.WriteString(e.path[i])
	}
	return sb.String()
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// wrapDecodeError attaches typ to a Stream error, unless it is already a
// DecodeError or a TypeError.
func wrapDecodeError(err error, typ reflect.Type) error {
	switch err.(type) {
	case *DecodeError, *TypeError:
		return err
	}
	return &DecodeError{Err: err, Type: typ}
}

// addErrorPath prepends a path element (".Field", "[3]", "(T)") to a
// DecodeError. Other errors are returned unchanged.
func addErrorPath(err error, elem string) error {
	if de, ok := err.(*DecodeError); ok {
		de.path = append(de.path, elem)
	}
	return err
}
