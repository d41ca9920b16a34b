package rlp

import (
	"bytes"
	"io"
	"math/big"
	"reflect"
	"sync"
	"unsafe"
)

// Encoder is implemented by types that encode themselves. AppendRLP appends
// exactly one complete RLP value to dst. It is called on a value or, when
// the value is addressable, on a pointer receiver.
type Encoder interface {
	AppendRLP(dst []byte) ([]byte, error)
}

var (
	encoderType  = reflect.TypeFor[Encoder]()
	decoderType  = reflect.TypeFor[Decoder]()
	bigIntType   = reflect.TypeFor[big.Int]()
	rawValueType = reflect.TypeFor[RawValue]()
)

// encBufPool holds buffers for Encode and EncodeToBytes.
var encBufPool = sync.Pool{New: func() any { return new([]byte) }}

// maxPooledBuf is the largest buffer returned to the pool, so one huge
// message does not pin its memory forever.
const maxPooledBuf = 64 << 10

// Encode writes the encoding of val to w in a single Write call.
func Encode(w io.Writer, val any) error {
	bp := encBufPool.Get().(*[]byte)
	b, err := AppendToBytes((*bp)[:0], val)
	if err == nil {
		_, err = w.Write(b)
	}
	if cap(b) <= maxPooledBuf {
		*bp = b
		encBufPool.Put(bp)
	}
	return err
}

// EncodeToBytes returns the encoding of val in a new slice.
func EncodeToBytes(val any) ([]byte, error) {
	switch v := val.(type) {
	case nil:
		return []byte{0xC0}, nil
	case []byte:
		return AppendBytes(make([]byte, 0, len(v)+9), v), nil
	case string:
		return AppendString(make([]byte, 0, len(v)+9), v), nil
	case uint64:
		return AppendUint64(make([]byte, 0, 9), v), nil
	case *big.Int:
		if v == nil {
			return []byte{0x80}, nil
		}
		return AppendBigInt(make([]byte, 0, v.BitLen()/8+10), v)
	case RawValue:
		return bytes.Clone(v), nil
	}
	rv := reflect.ValueOf(val)
	ti := cachedTypeInfo(rv.Type())
	if ti.encErr != nil {
		return nil, ti.encErr
	}
	// Values of one type tend to have similar sizes: encode straight into a
	// buffer of the last size seen, which usually fits, so the result costs
	// one allocation and no copy.
	hint := ti.sizeHint.Load()
	out, err := ti.enc(make([]byte, 0, max(hint, 16)), addressable(rv))
	if err != nil {
		return nil, err
	}
	if n := int64(len(out)); n > hint || n < hint/2 {
		ti.sizeHint.Store(n)
	}
	if cap(out) > 2*len(out)+64 {
		out = bytes.Clone(out) // do not hand out a mostly empty buffer
	}
	return out[:len(out):len(out)], nil
}

// AppendToBytes appends the encoding of val to dst and returns the extended
// buffer. Encoding a pointer to a struct of supported fields into a buffer
// with enough capacity does not allocate.
//
// On error the returned slice is dst with unspecified extra bytes appended
// (truncate it to len(dst) before reuse).
func AppendToBytes(dst []byte, val any) ([]byte, error) {
	if val == nil {
		return append(dst, 0xC0), nil
	}
	// Fast paths for common top-level types.
	switch v := val.(type) {
	case []byte:
		return AppendBytes(dst, v), nil
	case string:
		return AppendString(dst, v), nil
	case uint64:
		return AppendUint64(dst, v), nil
	case *big.Int:
		return AppendBigInt(dst, v)
	case RawValue:
		return append(dst, v...), nil
	}
	rv := reflect.ValueOf(val)
	ti := cachedTypeInfo(rv.Type())
	if ti.encErr != nil {
		return dst, ti.encErr
	}
	return ti.enc(dst, addressable(rv))
}

// addressable returns v itself or, for a struct or array held by value in
// an interface, an addressable copy, so that byte arrays inside can be read
// as slices instead of element by element. Pass pointers to avoid the copy.
func addressable(v reflect.Value) reflect.Value {
	if v.CanAddr() || (v.Kind() != reflect.Struct && v.Kind() != reflect.Array) {
		return v
	}
	p := reflect.New(v.Type())
	p.Elem().Set(v)
	return p.Elem()
}

func (b *builder) makeEncoder(typ reflect.Type, t tags) (encFn, error) {
	kind := typ.Kind()
	switch {
	case typ == rawValueType:
		return encodeRaw, nil
	case kind == reflect.Pointer && typ.Elem().Implements(encoderType):
		// The method has a value receiver: a nil pointer cannot call it
		// and encodes as the empty value instead.
		return makeNilSafeEncoder(typ.Elem()), nil
	case typ.Implements(encoderType):
		return encodeEncoder, nil
	case kind != reflect.Pointer && reflect.PointerTo(typ).Implements(encoderType):
		return encodeEncoderAddr, nil
	case kind == reflect.Pointer && typ.Elem() == bigIntType:
		return encodeBigIntPtr, nil
	case typ == bigIntType:
		return encodeBigInt, nil
	case isUint(kind):
		return encodeUint, nil
	case kind == reflect.Bool:
		return encodeBool, nil
	case kind == reflect.String:
		return encodeString, nil
	case kind == reflect.Slice && typ.Elem().Kind() == reflect.Uint8:
		return encodeByteSlice, nil
	case kind == reflect.Array && typ.Elem().Kind() == reflect.Uint8:
		return makeByteArrayEncoder(typ), nil
	case kind == reflect.Slice || kind == reflect.Array:
		return b.makeListEncoder(typ)
	case kind == reflect.Struct:
		return b.makeStructEncoder(typ)
	case kind == reflect.Pointer:
		return b.makePtrEncoder(typ, t)
	case kind == reflect.Interface:
		return encodeInterface, nil
	default:
		return nil, &TypeError{Type: typ, Msg: "is not RLP-serializable"}
	}
}

func isUint(k reflect.Kind) bool {
	return k >= reflect.Uint && k <= reflect.Uintptr
}

func encodeRaw(dst []byte, v reflect.Value) ([]byte, error) {
	return append(dst, v.Bytes()...), nil
}

func encodeEncoder(dst []byte, v reflect.Value) ([]byte, error) {
	return v.Interface().(Encoder).AppendRLP(dst)
}

func makeNilSafeEncoder(elem reflect.Type) encFn {
	nilEnc := byte(0x80)
	if defaultNilKind(elem) == List {
		nilEnc = 0xC0
	}
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		if v.IsNil() {
			return append(dst, nilEnc), nil
		}
		return v.Interface().(Encoder).AppendRLP(dst)
	}
}

func encodeEncoderAddr(dst []byte, v reflect.Value) ([]byte, error) {
	if !v.CanAddr() {
		// Copy into an addressable value to reach the pointer method.
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		v = p.Elem()
	}
	return v.Addr().Interface().(Encoder).AppendRLP(dst)
}

func encodeBigIntPtr(dst []byte, v reflect.Value) ([]byte, error) {
	return AppendBigInt(dst, (*big.Int)(v.UnsafePointer()))
}

func encodeBigInt(dst []byte, v reflect.Value) ([]byte, error) {
	if v.CanAddr() {
		return AppendBigInt(dst, (*big.Int)(v.Addr().UnsafePointer()))
	}
	i := v.Interface().(big.Int)
	return AppendBigInt(dst, &i)
}

func encodeUint(dst []byte, v reflect.Value) ([]byte, error) {
	return AppendUint64(dst, v.Uint()), nil
}

func encodeBool(dst []byte, v reflect.Value) ([]byte, error) {
	if v.Bool() {
		return append(dst, 0x01), nil
	}
	return append(dst, 0x80), nil
}

func encodeString(dst []byte, v reflect.Value) ([]byte, error) {
	return AppendString(dst, v.String()), nil
}

func encodeByteSlice(dst []byte, v reflect.Value) ([]byte, error) {
	return AppendBytes(dst, v.Bytes()), nil
}

func makeByteArrayEncoder(typ reflect.Type) encFn {
	n := typ.Len()
	switch {
	case n == 0:
		return func(dst []byte, _ reflect.Value) ([]byte, error) {
			return append(dst, 0x80), nil
		}
	case n == 1:
		return func(dst []byte, v reflect.Value) ([]byte, error) {
			b := byte(v.Index(0).Uint())
			if b < 0x80 {
				return append(dst, b), nil
			}
			return append(dst, 0x81, b), nil
		}
	}
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		dst = appendHeader(dst, 0x80, uint64(n))
		if v.CanAddr() {
			return append(dst, v.Bytes()...), nil
		}
		for i := 0; i < n; i++ {
			dst = append(dst, byte(v.Index(i).Uint()))
		}
		return dst, nil
	}
}

func (b *builder) makeListEncoder(typ reflect.Type) (encFn, error) {
	elem := b.infoFor(typ.Elem(), tags{})
	if typ.Kind() == reflect.Array && typ.Len() == 0 {
		return func(dst []byte, _ reflect.Value) ([]byte, error) {
			return append(dst, 0xC0), nil
		}, nil
	}
	if et := typ.Elem(); et.Kind() == reflect.Array && et.Elem().Kind() == reflect.Uint8 && et.Len() != 1 &&
		!reflect.PointerTo(et).Implements(encoderType) {
		return makeByteArrayListEncoder(typ), nil
	}
	hint := new(listHint)
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		if elem.encErr != nil {
			return dst, elem.encErr
		}
		n := v.Len()
		if n == 0 {
			return append(dst, 0xC0), nil
		}
		dst, mark, r := hint.start(dst)
		var err error
		for i := 0; i < n; i++ {
			if dst, err = elem.enc(dst, v.Index(i)); err != nil {
				return dst, err
			}
		}
		return hint.end(dst, mark, r), nil
	}, nil
}

func (b *builder) makeStructEncoder(typ reflect.Type) (encFn, error) {
	fields, err := b.structFields(typ)
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		if f.info.encErr != nil {
			return nil, f.info.encErr
		}
		if f.elem != nil && f.elem.encErr != nil {
			return nil, f.elem.encErr
		}
	}
	firstOptional := len(fields)
	for i, f := range fields {
		if f.tags.optional || f.tags.tail {
			firstOptional = i
			break
		}
	}
	hint := new(listHint)
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		// Trailing optional fields with zero values are left out.
		end := len(fields)
		for end > firstOptional {
			f := fields[end-1]
			fv := v.Field(f.index)
			if f.tags.tail && fv.Len() > 0 || !f.tags.tail && !fv.IsZero() {
				break
			}
			end--
		}
		var base unsafe.Pointer
		if v.CanAddr() {
			base = v.Addr().UnsafePointer()
		}
		dst, mark, r := hint.start(dst)
		var err error
		for _, f := range fields[:end] {
			if f.encPtr != nil && base != nil {
				if dst, err = f.encPtr(dst, unsafe.Add(base, f.offset)); err != nil {
					return dst, err
				}
				continue
			}
			fv := v.Field(f.index)
			if f.tags.tail {
				if f.elem.encErr != nil {
					return dst, f.elem.encErr // set late for recursive types
				}
				for j := 0; j < fv.Len(); j++ {
					if dst, err = f.elem.enc(dst, fv.Index(j)); err != nil {
						return dst, err
					}
				}
				continue
			}
			if f.info.encErr != nil {
				return dst, f.info.encErr // set late for recursive types
			}
			if dst, err = f.info.enc(dst, fv); err != nil {
				return dst, err
			}
		}
		return hint.end(dst, mark, r), nil
	}, nil
}

// makeByteArrayListEncoder encodes slices and arrays of [N]byte (N != 1),
// whose elements all have the same encoded size, straight from memory.
func makeByteArrayListEncoder(typ reflect.Type) encFn {
	n := typ.Elem().Len()
	elemHead := appendHeader(nil, 0x80, uint64(n))
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		count := v.Len()
		dst = AppendListHeader(dst, uint64(count)*uint64(len(elemHead)+n))
		if count == 0 {
			return dst, nil
		}
		if !v.CanAddr() && v.Kind() == reflect.Array {
			// Unaddressable array: take the slow path per element.
			for i := 0; i < count; i++ {
				dst = append(dst, elemHead...)
				e := v.Index(i)
				for j := 0; j < n; j++ {
					dst = append(dst, byte(e.Index(j).Uint()))
				}
			}
			return dst, nil
		}
		var p unsafe.Pointer
		if v.Kind() == reflect.Slice {
			p = v.UnsafePointer()
		} else {
			p = v.Addr().UnsafePointer()
		}
		// The elements are contiguous [N]byte values.
		mem := unsafe.Slice((*byte)(p), count*n)
		start := len(dst)
		dst = grow(dst, count*(len(elemHead)+n))
		out := dst[start:]
		for i := 0; i < count; i++ {
			k := copy(out, elemHead)
			k += copy(out[k:], mem[i*n:(i+1)*n])
			out = out[k:]
		}
		return dst, nil
	}
}

func (b *builder) makePtrEncoder(typ reflect.Type, t tags) (encFn, error) {
	elem := b.infoFor(typ.Elem(), tags{})
	nilKind := defaultNilKind(typ.Elem())
	if t.nilOK {
		nilKind = t.nilKind
	}
	nilEnc := byte(0x80)
	if nilKind == List {
		nilEnc = 0xC0
	}
	return func(dst []byte, v reflect.Value) ([]byte, error) {
		if v.IsNil() {
			return append(dst, nilEnc), nil
		}
		if elem.encErr != nil {
			return dst, elem.encErr
		}
		return elem.enc(dst, v.Elem())
	}, nil
}

func encodeInterface(dst []byte, v reflect.Value) ([]byte, error) {
	if v.IsNil() {
		return append(dst, 0xC0), nil
	}
	e := v.Elem()
	ti := cachedTypeInfo(e.Type())
	if ti.encErr != nil {
		return dst, ti.encErr
	}
	return ti.enc(dst, addressable(e))
}
