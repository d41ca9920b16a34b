package peer

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlp"
)

// Version is the p2p base protocol version this package sends in Hello.
// Version 5 turns on snappy compression (EIP-706).
const Version = 5

// Limits on the Hello message.
const (
	// maxHelloSize is the largest Hello payload accepted, as go-ethereum's
	// baseProtocolMaxMsgSize and reth's first-frame cap. It bounds every
	// base protocol message: the read limit never drops below it.
	maxHelloSize = 2 * 1024
	// snappyVersion is the lowest Hello version that enables snappy; both
	// Hellos must announce it (EIP-706).
	snappyVersion = 5
	// pubkeySize is the size of a node ID in Hello: X‖Y of the public key.
	pubkeySize = 64
)

// Base protocol message codes (rlpx.md, "p2p Capability").
const (
	helloMsg      = 0x00
	disconnectMsg = 0x01
	pingMsg       = 0x02
	pongMsg       = 0x03
)

// Hello is the first message each side sends after the RLPx handshake
// (rlpx.md, "Hello (0x00)").
type Hello struct {
	// Version is the p2p protocol version. Handshake sends Version (5)
	// when it is zero; a received Hello may carry any value.
	Version uint64
	// Name identifies the client software, e.g. "Geth/v1.17.10".
	Name string
	// Caps lists the capabilities the node offers.
	Caps []Cap
	// ListenPort is a legacy field; it is sent but ignored on receipt.
	ListenPort uint64
	// ID is the node's 64-byte public key X‖Y. It must equal the key the
	// RLPx handshake authenticated.
	ID []byte
	// Rest holds list elements after ID, which newer versions may add. Each
	// is one RLP value, kept as encoded.
	Rest []rlp.RawValue
}

// Errors a received Hello is rejected with. Handshake wraps them in a
// *DisconnectError carrying the reason sent to the peer.
var (
	// ErrHelloTooLarge means the Hello payload is over 2 KiB
	// (DiscProtocolError).
	ErrHelloTooLarge = errors.New("peer: hello too large")
	// ErrInvalidHello means the Hello is not valid RLP of the expected
	// shape (DiscProtocolError).
	ErrInvalidHello = errors.New("peer: malformed hello")
	// ErrInvalidIdentity means the node ID is missing, not 64 bytes or all
	// zero (DiscInvalidIdentity).
	ErrInvalidIdentity = errors.New("peer: invalid node id in hello")
)

// encodeHello returns h's RLP encoding, [version, name, [[cap-name,
// cap-version], ...], listen-port, node-id, rest...]. It fails if an element
// of Rest is not exactly one RLP value.
func encodeHello(h *Hello) ([]byte, error) {
	for i, v := range h.Rest {
		if _, _, tail, err := rlp.Split(v); err != nil || len(tail) != 0 {
			return nil, fmt.Errorf("peer: hello: Rest[%d] is not one RLP value", i)
		}
	}
	b, list := rlp.StartList(make([]byte, 0, 64+len(h.Name)+8*len(h.Caps)+len(h.ID)))
	b = rlp.AppendUint64(b, h.Version)
	b = rlp.AppendString(b, h.Name)
	b, caps := rlp.StartList(b)
	for _, c := range h.Caps {
		var item int
		b, item = rlp.StartList(b)
		b = rlp.AppendString(b, c.Name)
		b = rlp.AppendUint64(b, uint64(c.Version))
		b = rlp.EndList(b, item)
	}
	b = rlp.EndList(b, caps)
	b = rlp.AppendUint64(b, h.ListenPort)
	b = rlp.AppendBytes(b, h.ID)
	for _, v := range h.Rest {
		b = append(b, v...)
	}
	return rlp.EndList(b, list), nil
}

// decodeHello parses a Hello payload, the inverse of encodeHello. It
// accepts any version, keeps elements after the node ID in Rest and ignores
// bytes after the list and elements after a capability's version (EIP-8).
// Anything malformed yields ErrInvalidHello, a node ID that is missing, not
// 64 bytes or all zero ErrInvalidIdentity. It does not check the ID against
// the handshake key. The result does not alias b.
func decodeHello(b []byte) (*Hello, error) {
	if len(b) > maxHelloSize {
		return nil, fmt.Errorf("%w: %d bytes, limit %d", ErrHelloTooLarge, len(b), maxHelloSize)
	}
	var h Hello
	r, _ := rlp.NewListReader(b)
	h.Version = r.Uint64("Version")
	h.Name = string(r.Bytes("Name"))
	r.List("Caps")
	if n := r.Count(); n > maxCaps {
		return nil, fmt.Errorf("%w: %d capabilities, limit %d", ErrInvalidHello, n, maxCaps)
	} else if n > 0 {
		h.Caps = make([]Cap, 0, n)
	}
	for r.More() {
		r.List("")
		name := r.Bytes("Name")
		version := r.UintMax("Version", math.MaxUint)
		r.End()
		h.Caps = append(h.Caps, Cap{Name: string(name), Version: uint(version)})
	}
	r.End()
	h.ListenPort = r.Uint64("ListenPort")
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidHello, err)
	}
	id := r.Bytes("ID")
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidIdentity, err)
	}
	if len(id) != pubkeySize {
		return nil, fmt.Errorf("%w: %d bytes, want %d", ErrInvalidIdentity, len(id), pubkeySize)
	}
	if allZero(id) {
		return nil, fmt.Errorf("%w: all zero", ErrInvalidIdentity)
	}
	h.ID = bytes.Clone(id) // b may be the connection's read buffer
	h.Rest = r.Rest()
	if err := r.Err(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidHello, err)
	}
	return &h, nil
}

// maxCaps bounds the capabilities kept from one Hello; the 2 KiB size limit
// already allows no more than about 500.
const maxCaps = 512

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// String describes h for logs. The client name is quoted and cut at 64
// bytes, so hostile input cannot forge log lines.
func (h *Hello) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "hello{version: %d, name: %q, caps: [", h.Version, truncate(h.Name, 64))
	for i, c := range h.Caps {
		if i > 0 {
			b.WriteByte(' ')
		}
		if i == 16 {
			fmt.Fprintf(&b, "…%d more", len(h.Caps)-i)
			break
		}
		fmt.Fprintf(&b, "%q", truncate(c.String(), 32))
	}
	fmt.Fprintf(&b, "], port: %d, id: %x", h.ListenPort, h.ID[:min(len(h.ID), 8)])
	if len(h.Rest) > 0 {
		fmt.Fprintf(&b, ", extra: %d", len(h.Rest))
	}
	b.WriteByte('}')
	return b.String()
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// NewHello returns our Hello for the node with public key pub: version 5,
// the given client name and capabilities, listen port 0 (the field is
// legacy) and pub's 64-byte encoding as node ID.
func NewHello(pub *secp256k1.PublicKey, name string, caps ...Cap) *Hello {
	id := ethcrypto.MarshalPubkey(pub)
	return &Hello{Version: Version, Name: name, Caps: caps, ID: id[:]}
}
