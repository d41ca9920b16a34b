package rlp

import "strconv"

// Kind is the kind of an RLP value as seen on the wire.
type Kind int

const (
	// Byte is a single byte below 0x80, which is its own encoding.
	Byte Kind = iota
	// String is a byte string with a size prefix (0x80–0xBF).
	String
	// List is a list of values with a size prefix (0xC0–0xFF).
	List
)

// String returns "Byte", "String" or "List".
func (k Kind) String() string {
	switch k {
	case Byte:
		return "Byte"
	case String:
		return "String"
	case List:
		return "List"
	default:
		return "Kind(" + strconv.Itoa(int(k)) + ")"
	}
}
