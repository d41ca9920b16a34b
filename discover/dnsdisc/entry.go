package dnsdisc

import (
	"bytes"
	"encoding/base32"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
)

// MaxRecordSize is the longest TXT record text we accept or publish, in
// bytes: the classic size of a DNS message over UDP (RFC 1035 §4.2.1).
// A 300-byte ENR, the longest there is, makes a 404-byte entry.
const MaxRecordSize = 512

// The entry prefixes of EIP-1459.
const (
	rootPrefix   = "enrtree-root:v1"
	linkPrefix   = "enrtree://"
	branchPrefix = "enrtree-branch:"
	enrPrefix    = "enr:"
)

// Hash sizes. A name's label is base32 of the first bytes of the keccak256
// of the entry text: we publish 16 bytes (26 characters) and, like
// go-ethereum, accept 12 to 32.
const (
	hashBytes    = 16
	minHashBytes = 12
	maxHashBytes = 32
	maxDomainLen = 253 // RFC 1035 §2.3.4, without the final dot
)

var (
	// b32 is RFC 4648 base32, upper case, without padding. Hash labels may
	// have unused trailing bits set (a label cut to its first 20 characters
	// does); keys go through b32decode, which rejects that.
	b32 = base32.StdEncoding.WithPadding(base32.NoPadding)
	// b64 is RFC 4648 base64url without padding.
	b64 = base64.RawURLEncoding
)

// entry is one parsed TXT record of a tree. String returns its exact text,
// the input of the hash that names it.
type entry interface {
	String() string
}

type (
	// rootEntry is "enrtree-root:v1 e=<enr-root> l=<link-root> seq=<n> sig=<sig>".
	rootEntry struct {
		eroot, lroot string
		seq          uint64
		sig          [ethcrypto.SignatureSize]byte // r‖s‖v
	}
	// branchEntry is "enrtree-branch:<h>,<h>,…".
	branchEntry struct {
		children []string
	}
	// enrEntry is "enr:<base64url record>".
	enrEntry struct {
		node *discover.Node
		text string
	}
	// linkEntry is "enrtree://<key>@<domain>".
	linkEntry struct {
		link *Link
	}
)

// signedText is the text the root signature covers: the entry without its
// " sig=" field, always in this canonical form.
func (e *rootEntry) signedText() string {
	return rootPrefix + " e=" + e.eroot + " l=" + e.lroot + " seq=" + strconv.FormatUint(e.seq, 10)
}

func (e *rootEntry) sigHash() [32]byte { return ethcrypto.Keccak256([]byte(e.signedText())) }

// String implements entry.
func (e *rootEntry) String() string { return e.signedText() + " sig=" + b64.EncodeToString(e.sig[:]) }

// verify checks the r‖s part of the signature against pub. The recovery
// byte v is ignored, as go-ethereum does; S must be in the lower half.
func (e *rootEntry) verify(pub *secp256k1.PublicKey) bool {
	h := e.sigHash()
	return ethcrypto.VerifyENR(pub, h[:], e.sig[:ethcrypto.ENRSignatureSize])
}

// String implements entry.
func (e *branchEntry) String() string { return branchPrefix + strings.Join(e.children, ",") }

// String implements entry.
func (e *enrEntry) String() string { return e.text }

// String implements entry.
func (e *linkEntry) String() string { return e.link.String() }

// Link is a parsed "enrtree://<key>@<domain>" URL: the domain a tree is
// published under and the public key its root must be signed with.
type Link struct {
	Domain string               // the root's DNS name
	Pubkey *secp256k1.PublicKey // the key that signs the root
}

// ParseURL parses "enrtree://<key>@<domain>", where key is the unpadded
// base32 of the 33-byte compressed public key (EIP-1459).
func ParseURL(url string) (*Link, error) {
	if len(url) > MaxRecordSize {
		return nil, fmt.Errorf("%w: %w", ErrInvalidLink, ErrRecordTooLarge)
	}
	rest, ok := strings.CutPrefix(url, linkPrefix)
	if !ok {
		return nil, fmt.Errorf("%w: missing %q prefix", ErrInvalidLink, linkPrefix)
	}
	key, domain, ok := strings.Cut(rest, "@")
	if !ok || key == "" {
		return nil, fmt.Errorf("%w: no public key", ErrInvalidLink)
	}
	if err := checkDomain(domain); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidLink, err)
	}
	if b32.DecodedLen(len(key)) != 33 {
		return nil, fmt.Errorf("%w: public key is not 33 bytes", ErrInvalidLink)
	}
	kb, err := b32decode(key)
	if err != nil {
		return nil, fmt.Errorf("%w: public key: %v", ErrInvalidLink, err)
	}
	pub, err := ethcrypto.ParseCompressed(kb)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidLink, err)
	}
	return &Link{Domain: domain, Pubkey: pub}, nil
}

// NewLink returns the link to a tree at domain signed by pub.
func NewLink(domain string, pub *secp256k1.PublicKey) *Link {
	return &Link{Domain: domain, Pubkey: pub}
}

// String returns the URL form, "enrtree://<key>@<domain>".
func (l *Link) String() string {
	return linkPrefix + b32.EncodeToString(l.Pubkey.SerializeCompressed()) + "@" + l.Domain
}

// checkDomain accepts a DNS name of 1–253 bytes with labels of 1–63
// letters, digits, '-' and '_'.
func checkDomain(d string) error {
	if d == "" || len(d) > maxDomainLen {
		return fmt.Errorf("domain length %d not in 1..%d", len(d), maxDomainLen)
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 {
			return fmt.Errorf("domain %q: bad label length", d)
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
				return fmt.Errorf("domain %q: character %q", d, c)
			}
		}
	}
	return nil
}

// parseEntry parses a branch, ENR or link entry. Roots are parsed by
// parseRoot, since they are only valid at a tree's domain.
func parseEntry(text string) (entry, error) {
	if len(text) > MaxRecordSize {
		return nil, ErrRecordTooLarge
	}
	switch {
	case strings.HasPrefix(text, branchPrefix):
		return parseBranch(text[len(branchPrefix):])
	case strings.HasPrefix(text, enrPrefix):
		return parseENR(text)
	case strings.HasPrefix(text, linkPrefix):
		l, err := ParseURL(text)
		if err != nil {
			return nil, err
		}
		return &linkEntry{l}, nil
	}
	return nil, ErrUnknownEntry
}

func parseBranch(list string) (entry, error) {
	if list == "" {
		return &branchEntry{}, nil
	}
	children := strings.Split(list, ",")
	for _, c := range children {
		if _, err := decodeHash(c); err != nil {
			return nil, err
		}
	}
	return &branchEntry{children: children}, nil
}

func parseENR(text string) (entry, error) {
	rec, err := enr.Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidENR, err)
	}
	if err := checkPorts(rec); err != nil {
		return nil, err
	}
	n, err := discover.NewNode(rec)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidENR, err)
	}
	return &enrEntry{node: n, text: text}, nil
}

// checkPorts rejects a record whose port entries do not decode as 16-bit
// numbers (go-ethereum refuses to publish those, too).
func checkPorts(rec *enr.Record) error {
	for _, p := range []struct {
		key string
		get func() (uint16, bool)
	}{{enr.KeyTCP, rec.TCP}, {enr.KeyUDP, rec.UDP}, {enr.KeyTCP6, rec.TCP6}, {enr.KeyUDP6, rec.UDP6}} {
		if rec.Has(p.key) {
			if _, ok := p.get(); !ok {
				return fmt.Errorf("%w: %q is not a port number", ErrInvalidENR, p.key)
			}
		}
	}
	return nil
}

// parseRoot parses a root entry. It accepts only the canonical form, the
// one the signature covers: single spaces, fields in order, seq in decimal
// without leading zeros, the signature as canonical base64url (unused
// trailing bits clear). It does not verify the signature.
func parseRoot(text string) (*rootEntry, error) {
	if len(text) > MaxRecordSize {
		return nil, ErrRecordTooLarge
	}
	f := strings.Split(text, " ")
	if len(f) != 5 || f[0] != rootPrefix {
		return nil, ErrSyntax
	}
	var e rootEntry
	var seq, sig string
	var ok [4]bool
	e.eroot, ok[0] = strings.CutPrefix(f[1], "e=")
	e.lroot, ok[1] = strings.CutPrefix(f[2], "l=")
	seq, ok[2] = strings.CutPrefix(f[3], "seq=")
	sig, ok[3] = strings.CutPrefix(f[4], "sig=")
	if ok != [4]bool{true, true, true, true} {
		return nil, ErrSyntax
	}
	var err error
	if e.seq, err = strconv.ParseUint(seq, 10, 64); err != nil || strconv.FormatUint(e.seq, 10) != seq {
		return nil, ErrSyntax
	}
	if _, err := decodeHash(e.eroot); err != nil {
		return nil, err
	}
	if _, err := decodeHash(e.lroot); err != nil {
		return nil, err
	}
	if b64.DecodedLen(len(sig)) != len(e.sig) {
		return nil, fmt.Errorf("%w: not %d bytes", ErrInvalidSig, len(e.sig))
	}
	if _, err := b64.Strict().Decode(e.sig[:], []byte(sig)); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidSig, err)
	}
	return &e, nil
}

// decodeHash decodes a hash label: 12 to 32 bytes of base32.
func decodeHash(h string) ([]byte, error) {
	n := b32.DecodedLen(len(h))
	if n < minHashBytes || n > maxHashBytes {
		return nil, fmt.Errorf("%w: %q has %d bytes", ErrInvalidHash, h, n)
	}
	b, err := b32.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrInvalidHash, h, err)
	}
	return b, nil
}

// hashOf returns the name label of an entry text: base32 of the first 16
// bytes of its keccak256.
func hashOf(text string) string {
	h := ethcrypto.Keccak256([]byte(text))
	return b32.EncodeToString(h[:hashBytes])
}

// checkHash reports whether text hashes to the label h.
func checkHash(h, text string) error {
	want, err := decodeHash(h)
	if err != nil {
		return err
	}
	got := ethcrypto.Keccak256([]byte(text))
	if !bytes.Equal(got[:len(want)], want) {
		return ErrHashMismatch
	}
	return nil
}

// b32decode decodes canonical base32: the encoding of the result must be s.
func b32decode(s string) ([]byte, error) {
	b, err := b32.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if b32.EncodeToString(b) != s {
		return nil, fmt.Errorf("non-canonical base32 %q", s)
	}
	return b, nil
}
