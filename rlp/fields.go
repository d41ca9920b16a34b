package rlp

import (
	"math/big"
	"reflect"
	"unsafe"
)

// This file holds direct codecs for struct fields of simple types (unsigned
// integers, bools, strings, byte slices and arrays, *big.Int). They work on
// the field's address, computed from the struct's address and the field
// offset, which skips the reflection calls that dominate the cost of small
// fields. Fields of other types go through their reflection codecs.

// encPtrFn appends the encoding of the value at p.
type encPtrFn func(dst []byte, p unsafe.Pointer) ([]byte, error)

// decPtrFn decodes the next value into the value at p.
type decPtrFn func(s *Stream, p unsafe.Pointer) error

// makeFieldCodecs returns direct codecs for a field of type typ, or nils when
// the type needs its reflection codecs (custom Encoder/Decoder, RawValue,
// composite types, nil tags).
func makeFieldCodecs(typ reflect.Type, t tags) (encPtrFn, decPtrFn) {
	pt := reflect.PointerTo(typ)
	if t.nilOK || typ == rawValueType || typ.Implements(encoderType) ||
		pt.Implements(encoderType) || pt.Implements(decoderType) {
		return nil, nil
	}
	switch k := typ.Kind(); {
	case isUint(k):
		return makeUintFieldCodecs(typ)
	case k == reflect.Bool:
		return encodeBoolField, func(s *Stream, p unsafe.Pointer) error {
			x, err := s.Bool()
			if err != nil {
				return decError(err, typ)
			}
			*(*bool)(p) = x
			return nil
		}
	case k == reflect.String:
		return encodeStringField, func(s *Stream, p unsafe.Pointer) error {
			b, err := s.stringContent()
			if err != nil {
				return decError(err, typ)
			}
			*(*string)(p) = string(b)
			return nil
		}
	case k == reflect.Slice && typ.Elem().Kind() == reflect.Uint8:
		return encodeBytesField, func(s *Stream, p unsafe.Pointer) error {
			b, err := s.Bytes()
			if err != nil {
				return decError(err, typ)
			}
			*(*[]byte)(p) = b
			return nil
		}
	case k == reflect.Array && typ.Elem().Kind() == reflect.Uint8:
		n := typ.Len()
		enc := func(dst []byte, p unsafe.Pointer) ([]byte, error) {
			return AppendBytes(dst, unsafe.Slice((*byte)(p), n)), nil
		}
		dec := func(s *Stream, p unsafe.Pointer) error {
			if err := s.ReadBytes(unsafe.Slice((*byte)(p), n)); err != nil {
				return decError(err, typ)
			}
			return nil
		}
		return enc, dec
	case k == reflect.Pointer && typ.Elem() == bigIntType:
		return encodeBigIntField, func(s *Stream, p unsafe.Pointer) error {
			ip := (**big.Int)(p)
			if *ip != nil {
				if err := s.decodeBigInt(*ip); err != nil {
					return decError(err, typ)
				}
				return nil
			}
			b, err := s.bigIntContent()
			if err != nil {
				return decError(err, typ)
			}
			*ip = newBigInt(b)
			return nil
		}
	}
	return nil, nil
}

func makeUintFieldCodecs(typ reflect.Type) (encPtrFn, decPtrFn) {
	bits := typ.Bits()
	load := func(p unsafe.Pointer) uint64 {
		switch bits {
		case 8:
			return uint64(*(*uint8)(p))
		case 16:
			return uint64(*(*uint16)(p))
		case 32:
			return uint64(*(*uint32)(p))
		default:
			return *(*uint64)(p)
		}
	}
	store := func(p unsafe.Pointer, x uint64) {
		switch bits {
		case 8:
			*(*uint8)(p) = uint8(x)
		case 16:
			*(*uint16)(p) = uint16(x)
		case 32:
			*(*uint32)(p) = uint32(x)
		default:
			*(*uint64)(p) = x
		}
	}
	enc := func(dst []byte, p unsafe.Pointer) ([]byte, error) {
		return AppendUint64(dst, load(p)), nil
	}
	dec := func(s *Stream, p unsafe.Pointer) error {
		x, err := s.uint(bits)
		if err != nil {
			return decError(err, typ)
		}
		store(p, x)
		return nil
	}
	return enc, dec
}

func encodeBoolField(dst []byte, p unsafe.Pointer) ([]byte, error) {
	if *(*bool)(p) {
		return append(dst, 0x01), nil
	}
	return append(dst, 0x80), nil
}

func encodeStringField(dst []byte, p unsafe.Pointer) ([]byte, error) {
	return AppendString(dst, *(*string)(p)), nil
}

func encodeBytesField(dst []byte, p unsafe.Pointer) ([]byte, error) {
	return AppendBytes(dst, *(*[]byte)(p)), nil
}

func encodeBigIntField(dst []byte, p unsafe.Pointer) ([]byte, error) {
	return AppendBigInt(dst, *(**big.Int)(p))
}
