package rlp

import (
	"io"
	"math/big"
	"reflect"
	"strconv"
	"sync"
	"unsafe"
)

// Decoder is implemented by types that decode themselves. DecodeRLP must read
// exactly one value from s.
type Decoder interface {
	DecodeRLP(s *Stream) error
}

// MaxNesting is the deepest level of nested lists a Stream accepts; deeper
// input fails with ErrTooDeep. It bounds the stack used by recursive decoding
// (of interface{} values and of recursive types) on hostile input.
const MaxNesting = 1024

var streamPool = sync.Pool{New: func() any { return new(Stream) }}

// Decode reads exactly one value from r and decodes it into val, which must
// be a non-nil pointer. If r is a *bytes.Reader, *bytes.Buffer or
// *strings.Reader its length bounds the input; otherwise it is read without
// a limit (see NewStream). Bytes after the value are left unread.
//
// Decoding rules mirror encoding: see the package documentation.
func Decode(r io.Reader, val any) error {
	s := streamPool.Get().(*Stream)
	s.Reset(r, 0)
	err := s.Decode(val)
	s.Reset(nil, 0)
	streamPool.Put(s)
	return err
}

// DecodeBytes decodes b, which must hold exactly one value, into val, which
// must be a non-nil pointer. Trailing bytes give ErrMoreThanOneValue. The
// decoded value does not alias b.
func DecodeBytes(b []byte, val any) error {
	s := streamPool.Get().(*Stream)
	s.resetBytes(b)
	err := s.Decode(val)
	if err == nil && s.pos < len(s.data) {
		err = ErrMoreThanOneValue
	}
	s.resetBytes(nil)
	streamPool.Put(s)
	return err
}

// Decode decodes the next value into val, which must be a non-nil pointer.
// At the end of the current list it returns ErrEOL, and at the end of the
// input io.EOF, both unwrapped; other failures are *DecodeError or
// *TypeError values.
func (s *Stream) Decode(val any) error {
	if val == nil {
		return &DecodeError{Err: ErrNonPointer}
	}
	rv := reflect.ValueOf(val)
	typ := rv.Type()
	if typ.Kind() != reflect.Pointer || rv.IsNil() {
		return &DecodeError{Err: ErrNonPointer, Type: typ}
	}
	ti := cachedTypeInfo(typ.Elem())
	if ti.decErr != nil {
		return ti.decErr
	}
	var err error
	if s.r != nil {
		err = s.decodeBuffered(ti, rv.Elem())
	} else {
		err = ti.dec(s, rv.Elem())
	}
	if de, ok := err.(*DecodeError); ok && len(de.path) > 0 {
		de.path = append(de.path, "("+typ.Elem().String()+")")
	}
	return err
}

// minBuffered is the smallest value decodeBuffered reads in one piece; for
// smaller ones the buffering costs more than it saves.
const minBuffered = 128

// maxBuffered is the largest value decodeBuffered reads in one piece. Larger
// values are streamed: buffering them would double their memory, and from a
// reader of unknown length their size is only a claim.
const maxBuffered = 256 << 10

// bufPool holds buffers for decodeBuffered.
var bufPool = sync.Pool{New: func() any { return new([]byte) }}

// decodeBuffered decodes the next value from a reader by reading it whole
// into a pooled buffer and decoding that in memory, which is much faster
// than pulling it through the reader piece by piece. It falls back to
// streaming for values too large to buffer. Decoders never keep references
// to their input, so the buffer is reused.
func (s *Stream) decodeBuffered(ti *typeInfo, v reflect.Value) error {
	k, size, err := s.Kind()
	if err != nil || size < minBuffered || size > maxBuffered {
		return ti.dec(s, v) // reports a Kind error with type context
	}
	bp := bufPool.Get().(*[]byte)
	buf := (*bp)[:0]
	switch k {
	case Byte:
		buf = append(buf, s.byteval)
	case String:
		buf = appendHeader(buf, 0x80, size)
	case List:
		buf = appendHeader(buf, 0xC0, size)
	}
	s.consumed()
	if k != Byte {
		hs := len(buf)
		buf = grow(buf, int(size))
		err = s.readFull(buf[hs:])
	}
	if err != nil {
		err = decError(err, v.Type())
	} else {
		mem := streamPool.Get().(*Stream)
		mem.resetBytes(buf)
		err = ti.dec(mem, v)
		mem.resetBytes(nil)
		streamPool.Put(mem)
	}
	if cap(buf) <= maxBuffered {
		*bp = buf
		bufPool.Put(bp)
	}
	return err
}

// decError wraps a Stream error for the type being decoded. io.EOF and
// ErrEOL stay unwrapped: they are loop terminators callers compare against.
func decError(err error, typ reflect.Type) error {
	if err == io.EOF || err == ErrEOL {
		return err
	}
	return wrapDecodeError(err, typ)
}

func (b *builder) makeDecoder(typ reflect.Type, t tags) (decFn, error) {
	kind := typ.Kind()
	switch {
	case typ == rawValueType:
		return decodeRaw, nil
	case reflect.PointerTo(typ).Implements(decoderType):
		return decodeDecoder, nil
	case typ == bigIntType:
		return decodeBigInt, nil
	case kind == reflect.Pointer && typ.Elem() == bigIntType && !t.nilOK:
		return decodeBigIntPtr, nil
	case isUint(kind):
		return makeUintDecoder(typ), nil
	case kind == reflect.Bool:
		return decodeBool, nil
	case kind == reflect.String:
		return decodeString, nil
	case kind == reflect.Slice && typ.Elem().Kind() == reflect.Uint8:
		return decodeByteSlice, nil
	case kind == reflect.Array && typ.Elem().Kind() == reflect.Uint8:
		return decodeByteArray, nil
	case kind == reflect.Slice:
		return b.makeSliceDecoder(typ), nil
	case kind == reflect.Array:
		return b.makeArrayDecoder(typ), nil
	case kind == reflect.Struct:
		return b.makeStructDecoder(typ)
	case kind == reflect.Pointer:
		return b.makePtrDecoder(typ, t), nil
	case kind == reflect.Interface && typ.NumMethod() == 0:
		return decodeInterface, nil
	default:
		return nil, &TypeError{Type: typ, Msg: "is not RLP-serializable"}
	}
}

func decodeRaw(s *Stream, v reflect.Value) error {
	r, err := s.Raw()
	if err != nil {
		return decError(err, v.Type())
	}
	v.SetBytes(r)
	return nil
}

func decodeDecoder(s *Stream, v reflect.Value) error {
	if err := v.Addr().Interface().(Decoder).DecodeRLP(s); err != nil {
		return decError(err, v.Type())
	}
	return nil
}

func decodeBigInt(s *Stream, v reflect.Value) error {
	if err := s.decodeBigInt((*big.Int)(v.Addr().UnsafePointer())); err != nil {
		return decError(err, v.Type())
	}
	return nil
}

func makeUintDecoder(typ reflect.Type) decFn {
	bits := typ.Bits()
	return func(s *Stream, v reflect.Value) error {
		x, err := s.uint(bits)
		if err != nil {
			return decError(err, typ)
		}
		v.SetUint(x)
		return nil
	}
}

func decodeBool(s *Stream, v reflect.Value) error {
	x, err := s.Bool()
	if err != nil {
		return decError(err, v.Type())
	}
	v.SetBool(x)
	return nil
}

func decodeString(s *Stream, v reflect.Value) error {
	b, err := s.stringContent()
	if err != nil {
		return decError(err, v.Type())
	}
	v.SetString(string(b))
	return nil
}

func decodeByteSlice(s *Stream, v reflect.Value) error {
	b, err := s.Bytes()
	if err != nil {
		return decError(err, v.Type())
	}
	v.SetBytes(b)
	return nil
}

func decodeByteArray(s *Stream, v reflect.Value) error {
	if err := s.ReadBytes(v.Bytes()); err != nil {
		return decError(err, v.Type())
	}
	return nil
}

func (b *builder) makeSliceDecoder(typ reflect.Type) decFn {
	if et := typ.Elem(); et.Kind() == reflect.Array && et.Elem().Kind() == reflect.Uint8 &&
		!reflect.PointerTo(et).Implements(decoderType) {
		return makeByteArraySliceDecoder(typ)
	}
	elem := b.infoFor(typ.Elem(), tags{})
	return func(s *Stream, v reflect.Value) error {
		if _, err := s.List(); err != nil {
			return decError(err, typ)
		}
		if elem.decErr != nil {
			return elem.decErr
		}
		if err := s.decodeElems(v, elem); err != nil {
			return err
		}
		if err := s.ListEnd(); err != nil {
			return decError(err, typ)
		}
		return nil
	}
}

// decodeElems decodes the remaining elements of the current list into v, a
// settable slice, which gets fresh backing memory.
func (s *Stream) decodeElems(v reflect.Value, elem *typeInfo) error {
	if elem.decErr != nil {
		return elem.decErr
	}
	if !s.MoreDataInList() {
		v.Set(reflect.MakeSlice(v.Type(), 0, 0))
		return nil
	}
	v.SetZero()
	v.Grow(s.listLenHint())
	for i := 0; s.MoreDataInList(); i++ {
		if i == v.Cap() {
			v.Grow(1) // amortised doubling
		}
		v.SetLen(i + 1)
		if err := elem.dec(s, v.Index(i)); err != nil {
			return addErrorPath(decError(err, v.Type().Elem()), "["+strconv.Itoa(i)+"]")
		}
	}
	return nil
}

// listLenHint estimates the number of elements left in the current list.
// When the list is in memory it counts them exactly, which makes slice
// decoding allocate once; malformed content is left for the decoder to
// diagnose.
func (s *Stream) listLenHint() int {
	if b, ok := s.inMemory(s.stack[len(s.stack)-1]); ok {
		if c, err := CountValues(b); err == nil {
			return c
		}
	}
	return 4
}

// makeByteArraySliceDecoder decodes lists of strings into a slice of [N]byte
// values, reading straight into the slice's memory.
func makeByteArraySliceDecoder(typ reflect.Type) decFn {
	n := typ.Elem().Len()
	etyp := typ.Elem()
	return func(s *Stream, v reflect.Value) error {
		if _, err := s.List(); err != nil {
			return decError(err, typ)
		}
		if !s.MoreDataInList() {
			v.Set(reflect.MakeSlice(typ, 0, 0))
			return s.ListEnd()
		}
		v.SetZero()
		v.Grow(s.listLenHint())
		for i := 0; s.MoreDataInList(); i++ {
			if i == v.Cap() {
				v.Grow(1) // amortised doubling
			}
			v.SetLen(i + 1)
			// Elements are contiguous [N]byte values.
			elem := unsafe.Slice((*byte)(unsafe.Add(v.UnsafePointer(), i*n)), n)
			if err := s.ReadBytes(elem); err != nil {
				return addErrorPath(decError(err, etyp), "["+strconv.Itoa(i)+"]")
			}
		}
		if err := s.ListEnd(); err != nil {
			return decError(err, typ)
		}
		return nil
	}
}

func (b *builder) makeArrayDecoder(typ reflect.Type) decFn {
	elem := b.infoFor(typ.Elem(), tags{})
	n := typ.Len()
	return func(s *Stream, v reflect.Value) error {
		if _, err := s.List(); err != nil {
			return decError(err, typ)
		}
		if elem.decErr != nil {
			return elem.decErr
		}
		for i := 0; i < n; i++ {
			if !s.MoreDataInList() {
				return &DecodeError{Err: ErrTooFewElements, Type: typ}
			}
			if err := elem.dec(s, v.Index(i)); err != nil {
				return addErrorPath(decError(err, typ.Elem()), "["+strconv.Itoa(i)+"]")
			}
		}
		if err := s.ListEnd(); err != nil {
			if err == ErrNotAtEOL {
				err = ErrTooManyElements
			}
			return decError(err, typ)
		}
		return nil
	}
}

func (b *builder) makeStructDecoder(typ reflect.Type) (decFn, error) {
	fields, err := b.structFields(typ)
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		if f.info.decErr != nil {
			return nil, f.info.decErr
		}
		if f.elem != nil && f.elem.decErr != nil {
			return nil, f.elem.decErr
		}
	}
	return func(s *Stream, v reflect.Value) error {
		if _, err := s.List(); err != nil {
			return decError(err, typ)
		}
		var base unsafe.Pointer
		if v.CanAddr() {
			base = v.Addr().UnsafePointer()
		}
		for i, f := range fields {
			if f.decPtr != nil && base != nil && (!f.tags.optional || s.MoreDataInList()) {
				if err := f.decPtr(s, unsafe.Add(base, f.offset)); err != nil {
					if err == ErrEOL {
						return &DecodeError{Err: ErrTooFewElements, Type: typ}
					}
					return addErrorPath(err, "."+f.name)
				}
				continue
			}
			fv := v.Field(f.index)
			if f.tags.tail {
				if err := s.decodeElems(fv, f.elem); err != nil {
					return addErrorPath(err, "."+f.name)
				}
				break
			}
			if f.tags.optional && !s.MoreDataInList() {
				for _, rest := range fields[i:] {
					v.Field(rest.index).SetZero()
				}
				break
			}
			if f.info.decErr != nil {
				return f.info.decErr // set late for recursive types
			}
			if err := f.info.dec(s, fv); err != nil {
				if err == ErrEOL {
					return &DecodeError{Err: ErrTooFewElements, Type: typ}
				}
				return addErrorPath(err, "."+f.name)
			}
		}
		if err := s.ListEnd(); err != nil {
			if err == ErrNotAtEOL {
				err = ErrTooManyElements
			}
			return decError(err, typ)
		}
		return nil
	}, nil
}

func (b *builder) makePtrDecoder(typ reflect.Type, t tags) decFn {
	etyp := typ.Elem()
	elem := b.infoFor(etyp, tags{})
	decodeElem := func(s *Stream, v reflect.Value) error {
		if elem.decErr != nil {
			return elem.decErr
		}
		if !v.IsNil() {
			return elem.dec(s, v.Elem())
		}
		nv := reflect.New(etyp)
		if err := elem.dec(s, nv.Elem()); err != nil {
			return err
		}
		v.Set(nv)
		return nil
	}
	if !t.nilOK {
		return decodeElem
	}
	nilKind := t.nilKind
	return func(s *Stream, v reflect.Value) error {
		k, size, err := s.Kind()
		if err != nil {
			return decError(err, typ)
		}
		if size == 0 && k == nilKind {
			// The empty value has no content, so consuming its header
			// is all there is to do, for lists too.
			s.consumed()
			v.SetZero()
			return nil
		}
		return decodeElem(s, v)
	}
}
