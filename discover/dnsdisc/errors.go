package dnsdisc

import (
	"errors"
	"fmt"
)

// Errors returned by parsing, syncing and building trees. Errors about one
// DNS name are *EntryError values wrapping one of these, so test them with
// errors.Is.
var (
	// ErrInvalidConfig is wrapped by the errors of New for a Config it
	// cannot use.
	ErrInvalidConfig = errors.New("dnsdisc: invalid config")

	// ErrRecordTooLarge: a TXT record is longer than MaxRecordSize bytes.
	ErrRecordTooLarge = errors.New("dnsdisc: record exceeds 512 bytes")
	// ErrUnknownEntry: the text has none of the four entry prefixes.
	ErrUnknownEntry = errors.New("dnsdisc: unknown entry type")
	// ErrSyntax: a root entry does not have the form
	// "enrtree-root:v1 e=<hash> l=<hash> seq=<n> sig=<sig>".
	ErrSyntax = errors.New("dnsdisc: invalid root syntax")
	// ErrInvalidHash: a child or subtree hash is not 12–32 bytes of
	// upper-case base32 without padding.
	ErrInvalidHash = errors.New("dnsdisc: invalid hash")
	// ErrInvalidSig: the root signature is not 65 bytes of base64url or does
	// not verify against the tree's public key.
	ErrInvalidSig = errors.New("dnsdisc: invalid root signature")
	// ErrInvalidENR: an "enr:" entry is not a valid, signed "v4" record.
	ErrInvalidENR = errors.New("dnsdisc: invalid node record")
	// ErrInvalidLink: an "enrtree://" URL lacks its key or domain, or the
	// key is not a compressed secp256k1 public key.
	ErrInvalidLink = errors.New("dnsdisc: invalid enrtree link")

	// ErrNoRoot: no TXT record at the tree's domain is a root entry.
	ErrNoRoot = errors.New("dnsdisc: no root found")
	// ErrNoEntry: no TXT record at the name hashes to the name.
	ErrNoEntry = errors.New("dnsdisc: no entry found")
	// ErrHashMismatch: the TXT record at <hash>.<domain> does not hash to
	// <hash>.
	ErrHashMismatch = errors.New("dnsdisc: entry does not match its hash")
	// ErrStaleRoot: the published root has a lower sequence number than the
	// one already seen. The newer root stays in use (EIP-1459 requires the
	// sequence number to grow with every update).
	ErrStaleRoot = errors.New("dnsdisc: root sequence number went down")
	// ErrWrongSubtree: a link in the node subtree, or a node record in the
	// link subtree.
	ErrWrongSubtree = errors.New("dnsdisc: entry in the wrong subtree")
	// ErrTooManyEntries: a tree has more entries than Config.MaxTreeEntries.
	ErrTooManyEntries = errors.New("dnsdisc: tree too large")
	// ErrLinkDepth: a chain of links is deeper than Config.MaxLinkDepth; the
	// iterator logs it and does not follow the deeper links.
	ErrLinkDepth = errors.New("dnsdisc: links nested too deeply")
)

// EntryError describes a failure to fetch or accept the entry at one DNS
// name.
type EntryError struct {
	Name string // the DNS name queried, e.g. "<hash>.nodes.example.org"
	Err  error  // why: a lookup failure, or an entry that does not parse or verify
}

// Error implements error.
func (e *EntryError) Error() string { return fmt.Sprintf("dnsdisc: entry %s: %v", e.Name, e.Err) }

// Unwrap returns the cause.
func (e *EntryError) Unwrap() error { return e.Err }
