package rlp

import (
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
)

// encFn appends the encoding of v to dst.
type encFn func(dst []byte, v reflect.Value) ([]byte, error)

// decFn decodes the next value of s into v, which is settable.
type decFn func(s *Stream, v reflect.Value) error

// tags holds the rlp struct tag options of a field. Only nilOK and nilKind
// influence the codec of the field's type; they are part of the cache key.
type tags struct {
	nilOK    bool // the field is a pointer that decodes empty values as nil
	nilKind  Kind // which empty value (String or List) means nil
	optional bool
	tail     bool
	ignored  bool
}

type typeKey struct {
	typ     reflect.Type
	nilOK   bool
	nilKind Kind
}

// typeInfo holds the codecs of one type. The functions are set once, before
// the typeInfo is published in the cache; recursive types refer to a typeInfo
// under construction and call through it only at run time.
type typeInfo struct {
	enc    encFn
	encErr error
	dec    decFn
	decErr error

	// sizeHint is the encoded size of the last value of this type given to
	// EncodeToBytes (when it changed notably), used to size its result.
	sizeHint atomic.Int64
}

var (
	// plainCache maps types (without field tags, keyed by typeID) to their
	// codecs. It is copied on write, so lookups on the hot path are a plain
	// map read.
	plainCache atomic.Pointer[map[unsafe.Pointer]*typeInfo]

	typeCacheMu sync.Mutex                // serialises building
	typeCache   = map[typeKey]*typeInfo{} // every built entry; guarded by typeCacheMu
)

// cachedTypeInfo returns the codecs for typ (without field tags).
func cachedTypeInfo(typ reflect.Type) *typeInfo {
	if m := plainCache.Load(); m != nil {
		if ti, ok := (*m)[typeID(typ)]; ok {
			return ti
		}
	}
	return buildTypeInfo(typ)
}

func buildTypeInfo(typ reflect.Type) *typeInfo {
	typeCacheMu.Lock()
	defer typeCacheMu.Unlock()
	b := &builder{building: make(map[typeKey]*typeInfo)}
	ti := b.info(typeKey{typ: typ})
	for k, v := range b.building {
		typeCache[k] = v
	}
	// Publish a new copy of the plain map with every tag-less entry.
	old := plainCache.Load()
	m := make(map[unsafe.Pointer]*typeInfo, len(b.building)+1)
	if old != nil {
		for k, v := range *old {
			m[k] = v
		}
	}
	for k, v := range b.building {
		if !k.nilOK {
			m[typeID(k.typ)] = v
		}
	}
	plainCache.Store(&m)
	return ti
}

// typeID returns the identity of a type: the *rtype pointer held in the
// reflect.Type interface. Hashing it is cheaper than hashing the interface.
func typeID(t reflect.Type) unsafe.Pointer {
	return (*[2]unsafe.Pointer)(unsafe.Pointer(&t))[1]
}

// builder builds the typeInfos of a type and of every type it refers to.
// It runs with typeCacheMu held.
type builder struct {
	building map[typeKey]*typeInfo
}

func (b *builder) info(key typeKey) *typeInfo {
	if ti, ok := typeCache[key]; ok {
		return ti
	}
	if ti, ok := b.building[key]; ok {
		return ti
	}
	ti := new(typeInfo)
	b.building[key] = ti
	t := tags{nilOK: key.nilOK, nilKind: key.nilKind}
	ti.enc, ti.encErr = b.makeEncoder(key.typ, t)
	ti.dec, ti.decErr = b.makeDecoder(key.typ, t)
	return ti
}

func (b *builder) infoFor(typ reflect.Type, t tags) *typeInfo {
	return b.info(typeKey{typ, t.nilOK, t.nilKind})
}

// field is one encoded field of a struct.
type field struct {
	index int
	name  string
	tags  tags
	info  *typeInfo
	elem  *typeInfo // element codecs of a tail field

	// Direct codecs for simple types (see fields.go), nil otherwise.
	offset uintptr
	encPtr encPtrFn
	decPtr decPtrFn
}

// structFields returns the encoded fields of a struct type and checks the use
// of rlp tags.
func (b *builder) structFields(typ reflect.Type) ([]field, error) {
	var fields []field
	lastPublic := -1
	for i := 0; i < typ.NumField(); i++ {
		if typ.Field(i).IsExported() {
			lastPublic = i
		}
	}
	firstOptional := ""
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		t, err := parseTags(f, i == lastPublic)
		if err != nil {
			return nil, &TypeError{Type: typ, Msg: err.Error()}
		}
		if t.ignored {
			continue
		}
		if t.optional || t.tail {
			if firstOptional == "" {
				firstOptional = f.Name
			}
		} else if firstOptional != "" {
			return nil, &TypeError{Type: typ, Msg: fmt.Sprintf(
				"has field %s without \"optional\" tag after optional field %s", f.Name, firstOptional)}
		}
		fields = append(fields, field{index: i, name: f.Name, tags: t})
	}
	for i := range fields {
		f := &fields[i]
		sf := typ.Field(f.index)
		f.info = b.infoFor(sf.Type, f.tags)
		if f.tags.tail {
			f.elem = b.infoFor(sf.Type.Elem(), tags{})
		} else {
			f.offset = sf.Offset
			f.encPtr, f.decPtr = makeFieldCodecs(sf.Type, f.tags)
		}
	}
	return fields, nil
}

// parseTags parses the rlp tag of f. last says whether f is the last exported
// field.
func parseTags(f reflect.StructField, last bool) (tags, error) {
	var t tags
	tag, ok := f.Tag.Lookup("rlp")
	if !ok || tag == "" {
		return t, nil
	}
	for _, opt := range strings.Split(tag, ",") {
		switch opt = strings.TrimSpace(opt); opt {
		case "":
		case "-":
			t.ignored = true
		case "nil", "nilString", "nilList":
			if f.Type.Kind() != reflect.Pointer {
				return t, fmt.Errorf("has rlp:%q tag on non-pointer field %s", opt, f.Name)
			}
			t.nilOK = true
			switch opt {
			case "nil":
				t.nilKind = defaultNilKind(f.Type.Elem())
			case "nilString":
				t.nilKind = String
			case "nilList":
				t.nilKind = List
			}
		case "optional":
			t.optional = true
			if t.tail {
				return t, fmt.Errorf("has both \"optional\" and \"tail\" tags on field %s", f.Name)
			}
		case "tail":
			t.tail = true
			if !last {
				return t, fmt.Errorf("has rlp:\"tail\" tag on field %s, which is not the last field", f.Name)
			}
			if t.optional {
				return t, fmt.Errorf("has both \"optional\" and \"tail\" tags on field %s", f.Name)
			}
			if f.Type.Kind() != reflect.Slice {
				return t, fmt.Errorf("has rlp:\"tail\" tag on field %s, which is not a slice", f.Name)
			}
		default:
			return t, fmt.Errorf("has unknown rlp tag option %q on field %s", opt, f.Name)
		}
	}
	if t.tail && t.nilOK {
		return t, fmt.Errorf("has both \"tail\" and nil tags on field %s", f.Name)
	}
	return t, nil
}

// defaultNilKind returns the kind of the empty value that a nil pointer to a
// value of type elem encodes to: the empty list for structs and non-byte
// sequences, the empty string for everything else.
func defaultNilKind(elem reflect.Type) Kind {
	switch elem.Kind() {
	case reflect.Struct:
		if elem == bigIntType {
			return String
		}
		return List
	case reflect.Slice, reflect.Array:
		if elem.Elem().Kind() == reflect.Uint8 {
			return String
		}
		return List
	case reflect.Interface:
		return List
	default:
		return String
	}
}
