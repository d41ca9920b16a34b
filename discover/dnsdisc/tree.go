package dnsdisc

import (
	"bufio"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
)

// maxChildren is the number of hashes a branch holds when we build a tree.
// 13 hashes make a 365-byte branch record, which leaves room in a 512-byte
// DNS answer for the question name and the resource record headers; it is
// also what go-ethereum uses, so both build the same tree from the same
// records.
const maxChildren = 13

// Tree is a node list as published in DNS: a signed root, and the branch,
// node and link entries under it, each named by its hash. A Tree is built
// with MakeTree and Sign, or fetched with Client.SyncTree. Its methods do
// not modify it, except Sign.
type Tree struct {
	root    *rootEntry
	entries map[string]entry // by hash label
}

// MakeTree builds an unsigned tree of sequence number seq holding nodes
// and links (enrtree:// URLs). Every node needs a signed record whose port
// entries are valid 16-bit numbers; nodes with the same ID are kept once,
// the one with the highest record sequence number. Nodes are ordered by ID
// and packed 13 to a branch, recursively.
func MakeTree(seq uint64, nodes []*discover.Node, links []string) (*Tree, error) {
	recs := make([]*discover.Node, 0, len(nodes))
	for _, n := range nodes {
		if n.Record() == nil {
			return nil, fmt.Errorf("%w: node %v has no record", ErrInvalidENR, n.ID())
		}
		if err := checkPorts(n.Record()); err != nil {
			return nil, fmt.Errorf("node %v: %w", n.ID(), err)
		}
		recs = append(recs, n)
	}
	slices.SortStableFunc(recs, func(a, b *discover.Node) int {
		if c := cmpID(a, b); c != 0 {
			return c
		}
		return -cmp.Compare(a.Seq(), b.Seq())
	})
	recs = slices.CompactFunc(recs, func(a, b *discover.Node) bool { return a.ID() == b.ID() })

	var enrs, lks []entry
	for _, n := range recs {
		enrs = append(enrs, &enrEntry{node: n, text: n.String()})
	}
	for _, l := range links {
		link, err := ParseURL(l)
		if err != nil {
			return nil, err
		}
		lks = append(lks, &linkEntry{link})
	}
	t := &Tree{entries: make(map[string]entry)}
	eroot := t.build(enrs)
	lroot := t.build(lks)
	t.root = &rootEntry{eroot: t.add(eroot), lroot: t.add(lroot), seq: seq}
	for _, e := range t.entries {
		if len(e.String()) > MaxRecordSize {
			return nil, fmt.Errorf("%w: %.40q…", ErrRecordTooLarge, e.String())
		}
	}
	return t, nil
}

// add stores e under its hash and returns the hash.
func (t *Tree) add(e entry) string {
	h := hashOf(e.String())
	t.entries[h] = e
	return h
}

// build returns the subtree root over entries: the entry itself when there
// is one, a branch of them when they fit one, otherwise a branch over
// subtrees of maxChildren entries each.
func (t *Tree) build(entries []entry) entry {
	if len(entries) == 1 {
		return entries[0]
	}
	if len(entries) <= maxChildren {
		b := &branchEntry{children: make([]string, len(entries))}
		for i, e := range entries {
			b.children[i] = t.add(e)
		}
		return b
	}
	var subs []entry
	for chunk := range slices.Chunk(entries, maxChildren) {
		sub := t.build(chunk)
		t.add(sub)
		subs = append(subs, sub)
	}
	return t.build(subs)
}

// Sign signs the root with key and returns the tree's URL at domain.
func (t *Tree) Sign(key *secp256k1.PrivateKey, domain string) (string, error) {
	if err := checkDomain(domain); err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidLink, err)
	}
	root := *t.root
	h := root.sigHash()
	sig, err := ethcrypto.Sign(key, h[:])
	if err != nil {
		return "", err
	}
	root.sig = sig
	t.root = &root
	return NewLink(domain, ethcrypto.PubkeyOf(key)).String(), nil
}

// Seq returns the root's sequence number.
func (t *Tree) Seq() uint64 { return t.root.seq }

// Nodes returns the tree's nodes, ordered by ID.
func (t *Tree) Nodes() []*discover.Node {
	var out []*discover.Node
	for _, e := range t.entries {
		if e, ok := e.(*enrEntry); ok {
			out = append(out, e.node)
		}
	}
	slices.SortFunc(out, func(a, b *discover.Node) int { return cmpID(a, b) })
	return out
}

// Links returns the URLs of the trees this one links to, sorted.
func (t *Tree) Links() []string {
	var out []string
	for _, e := range t.entries {
		if e, ok := e.(*linkEntry); ok {
			out = append(out, e.String())
		}
	}
	slices.Sort(out)
	return out
}

// TXT returns the tree's TXT records by DNS name: the root at domain and
// every other entry at <hash>.<domain>. With an empty domain the names are
// "" for the root and the bare hashes.
func (t *Tree) TXT(domain string) map[string]string {
	recs := map[string]string{domain: t.root.String()}
	for h, e := range t.entries {
		name := h
		if domain != "" {
			name += "." + domain
		}
		recs[name] = e.String()
	}
	return recs
}

// WriteJSON writes TXT(domain) as one indented JSON object.
func (t *Tree) WriteJSON(w io.Writer, domain string) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(t.TXT(domain))
}

// WriteZone writes the tree as RFC 1035 zone-file lines under
// "$ORIGIN <domain>.": the root at "@" with rootTTL, then every entry
// sorted by hash with entryTTL. Texts longer than 255 bytes are split into
// several character-strings of one TXT record; resolvers join them.
func (t *Tree) WriteZone(w io.Writer, domain string, rootTTL, entryTTL uint32) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "$ORIGIN %s.\n", domain)
	fmt.Fprintf(bw, "@ %d IN TXT %s\n", rootTTL, zoneStrings(t.root.String()))
	for _, h := range slices.Sorted(maps.Keys(t.entries)) {
		fmt.Fprintf(bw, "%s %d IN TXT %s\n", h, entryTTL, zoneStrings(t.entries[h].String()))
	}
	return bw.Flush()
}

// zoneStrings quotes text as character-strings of at most 255 bytes. Entry
// texts hold only base32, base64url, digits, letters and ":=,-@./ ", so no
// escaping is needed.
func zoneStrings(text string) string {
	var parts []string
	for len(text) > 255 {
		parts = append(parts, `"`+text[:255]+`"`)
		text = text[255:]
	}
	parts = append(parts, `"`+text+`"`)
	return strings.Join(parts, " ")
}

// cmpID orders nodes by ID.
func cmpID(a, b *discover.Node) int {
	x, y := a.ID(), b.ID()
	return bytes.Compare(x[:], y[:])
}
