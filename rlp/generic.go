package rlp

import (
	"bytes"
	"reflect"
)

// This file decodes into interface{}: strings become []byte and lists
// []interface{}.

func decodeInterface(s *Stream, v reflect.Value) error {
	x, err := s.decodeGeneric()
	if err != nil {
		return decError(err, v.Type())
	}
	v.Set(reflect.ValueOf(x))
	return nil
}

// decodeGeneric decodes the next value as []byte or []any.
func (s *Stream) decodeGeneric() (any, error) {
	k, size, err := s.Kind()
	if err != nil {
		return nil, err
	}
	if k != List {
		return s.Bytes()
	}
	if content, ok := s.inMemory(size); ok {
		return s.decodeGenericList(content)
	}
	if _, err := s.List(); err != nil {
		return nil, err
	}
	var items []any
	for s.MoreDataInList() {
		x, err := s.decodeGeneric()
		if err != nil {
			return nil, err
		}
		items = append(items, x)
	}
	if items == nil {
		items = []any{}
	}
	return items, s.ListEnd()
}

// decodeGenericList decodes the in-memory content of the list whose header
// was just read. The content is validated and copied once; the byte strings
// of the result are slices of that copy (with capacity capped, so appending
// to one cannot overwrite another).
func (s *Stream) decodeGenericList(content []byte) (any, error) {
	if len(s.stack) >= MaxNesting {
		return nil, ErrTooDeep
	}
	if err := validateValues(content, len(s.stack)+1); err != nil {
		return nil, err
	}
	s.consumed()
	if _, err := s.readView(uint64(len(content))); err != nil {
		return nil, err
	}
	return genericList(bytes.Clone(content)), nil
}

// genericList builds the []any tree of validated list content b.
func genericList(b []byte) []any {
	n, _ := CountValues(b)
	items := make([]any, 0, n)
	for len(b) > 0 {
		k, content, rest, _ := Split(b)
		if k == List {
			items = append(items, genericList(content))
		} else {
			items = append(items, content[:len(content):len(content)])
		}
		b = rest
	}
	return items
}
