package rlp

// RawValue is an encoded RLP value. It is written as-is when encoding and
// receives the complete encoding of one value (header included) when
// decoding, which allows decoding a message in stages or keeping unknown
// fields for forwarding.
type RawValue []byte

// Kind returns the kind of the raw value.
func (r RawValue) Kind() (Kind, error) {
	k, _, _, err := Split(r)
	return k, err
}
