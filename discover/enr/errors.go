package enr

import "errors"

// Errors returned when decoding, verifying or editing records. Decode errors
// wrap one of these, so test them with errors.Is.
var (
	// ErrTooBig: the encoded record exceeds MaxSize bytes.
	ErrTooBig = errors.New("enr: record larger than 300 bytes")
	// ErrTooShort: the record list lacks the signature or the sequence number.
	ErrTooShort = errors.New("enr: record has fewer than 2 elements")
	// ErrOddItems: the key/value list has a key without a value.
	ErrOddItems = errors.New("enr: odd number of key/value items")
	// ErrNotSorted: the keys are not in ascending byte order.
	ErrNotSorted = errors.New("enr: keys not sorted")
	// ErrDuplicateKey: a key appears twice.
	ErrDuplicateKey = errors.New("enr: duplicate key")
	// ErrMissingID: the record has no "id" entry, so it cannot be verified.
	ErrMissingID = errors.New(`enr: missing "id" entry`)
	// ErrUnknownScheme: the "id" entry names a scheme other than "v4".
	ErrUnknownScheme = errors.New("enr: unknown identity scheme")
	// ErrMissingPubkey: a "v4" record has no valid "secp256k1" entry.
	ErrMissingPubkey = errors.New(`enr: missing or invalid "secp256k1" entry`)
	// ErrInvalidSig: the signature does not verify against the record's key.
	ErrInvalidSig = errors.New("enr: invalid signature")
	// ErrNotSigned: the record was never signed, or was changed since.
	ErrNotSigned = errors.New("enr: record is not signed")
	// ErrNotFound: the requested key is not in the record.
	ErrNotFound = errors.New("enr: key not found")
	// ErrInvalidText: the text form lacks the "enr:" prefix or is not base64url.
	ErrInvalidText = errors.New("enr: invalid text form")
	// ErrInvalidValue: a value passed to Set is not exactly one RLP item.
	ErrInvalidValue = errors.New("enr: value is not a single RLP item")
)

// KeyError reports a failure to read or decode the value of one key.
type KeyError struct {
	Key string // the record key, e.g. "secp256k1" or "udp"
	Err error  // why its value could not be read or decoded
}

// Error implements error.
func (e *KeyError) Error() string {
	return "enr: key " + quoteKey(e.Key) + ": " + e.Err.Error()
}

// Unwrap returns the underlying error.
func (e *KeyError) Unwrap() error { return e.Err }
