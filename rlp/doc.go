// Package rlp implements Recursive Length Prefix encoding, the serialisation
// of every devp2p message (Ethereum Yellow Paper, Appendix B;
// https://ethereum.org/developers/docs/data-structures-and-encoding/rlp).
//
// # Values
//
// RLP knows two kinds of values: byte strings and lists of values. A string
// of one byte below 0x80 is its own encoding (Kind Byte); other strings get a
// 0x80–0xBF size prefix (Kind String) and lists a 0xC0–0xFF prefix (Kind
// List). Sizes of 56 bytes or more use a big-endian length of the size.
//
// # Go types
//
// Encode, EncodeToBytes and AppendToBytes map Go values to RLP, and Decode,
// DecodeBytes and Stream.Decode map RLP back:
//
//   - bool: 0x80 (false) or 0x01 (true); nothing else decodes.
//   - unsigned integers (uint8…uint64, uint) and big.Int / *big.Int: big-endian
//     strings without leading zeros, zero being the empty string. Negative
//     big integers cannot be encoded. Signed integers and floats are not
//     supported.
//   - string, []byte and [N]byte: byte strings. [N]byte must decode from a
//     string of exactly N bytes.
//   - other slices and arrays: lists of their elements.
//   - structs: lists of their exported fields in declaration order.
//   - pointers: the value pointed to. A nil pointer encodes as the empty
//     string (0x80) or, when the element is a struct or non-byte slice or
//     array, the empty list (0xC0). Decoding allocates nil pointers and
//     reuses non-nil ones.
//   - interface{}: encodes its dynamic value (nil as 0xC0); decodes to
//     []byte for strings and []interface{} for lists.
//   - RawValue: pre-encoded bytes, written as-is and read as one complete
//     value.
//   - types implementing Encoder or Decoder take over their own encoding.
//
// Decoded slices are always freshly allocated and never alias the input.
//
// # Struct tags
//
// The "rlp" struct tag controls fields:
//
//   - rlp:"-" ignores the field.
//   - rlp:"tail" (last field, a slice) receives all remaining list elements,
//     which lets packets grow new fields without breaking old decoders.
//   - rlp:"optional" lets this field be absent from the input (it is then
//     zeroed). All following fields must be optional or tail too. When
//     encoding, trailing optional fields holding zero values are left out.
//   - rlp:"nil", rlp:"nilString", rlp:"nilList" on a pointer field decode the
//     empty value of the element's default kind, the empty string or the
//     empty list into a nil pointer.
//
// Tag misuse is reported as a *TypeError when the type is first used.
//
// # Strictness and limits
//
// Decoding accepts only canonical encodings: minimal size prefixes, integers
// without leading zeros, no single byte below 0x80 wrapped as 0x81xx, values
// that fit the target type, and sizes that fit their enclosing list and the
// input. Errors are *DecodeError values that wrap one of the Err sentinels
// (use errors.Is) and name the Go path being decoded.
//
// A Stream never allocates more than the input it has read (plus a bounded
// chunk) and rejects lists nested deeper than MaxNesting levels, so hostile
// input cannot exhaust memory or stack.
//
// # Performance
//
// Codecs are built once per type and cached; struct fields of simple types
// (integers, bools, strings, byte slices and arrays, *big.Int) are read and
// written through their offsets without reflection. AppendToBytes into a
// reused buffer does not allocate when given a pointer (a struct passed by
// value is first copied so its arrays can be read in bulk). EncodeToBytes
// sizes its result from the previous encoding of the same type and usually
// allocates once. DecodeBytes decodes in place; Decode and Stream.Decode
// read values of 128 bytes to 256 KiB from a reader in one piece and decode
// them in memory. Slices of [N]byte are encoded and decoded straight from
// and into memory.
//
// # Hand-written codecs
//
// Hot paths can skip reflection with the Append* helpers and StartList/EndList
// to encode, and ListReader (or, lower down, the Split* functions) to decode.
// A ListReader walks a list field by field without allocating, records the
// first failure with its field path, and keeps the elements a newer version
// appends as []RawValue.
package rlp
