package peer

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/nodeid"
)

// baseProtocolLength is the number of message codes reserved for the p2p
// base protocol (rlpx.md: "IDs 0x00-0x0f are reserved"). Sub-protocols are
// numbered from here.
const baseProtocolLength = 0x10

// Cap is a capability: a sub-protocol name and version as announced in Hello.
type Cap struct {
	Name    string // the protocol name, e.g. "eth"; from a peer's Hello, remote input
	Version uint   // the protocol version, e.g. 68
}

// String returns the capability as "name/version", e.g. "eth/68".
func (c Cap) String() string {
	return c.Name + "/" + strconv.FormatUint(uint64(c.Version), 10)
}

// Protocol describes a sub-protocol the local node runs with peers that
// share its capability.
type Protocol struct {
	// Name and Version form the capability announced in Hello. Names are
	// case-sensitive and at most 8 ASCII characters by convention.
	Name string
	// Version is the protocol version (see Name).
	Version uint

	// Length is the number of message codes the protocol uses. Its codes
	// are 0..Length-1 as seen by Run; on the wire they are shifted by the
	// offset capability matching assigns.
	Length uint64

	// MaxMessageSize limits the decoded size of a message of this protocol
	// received from the peer. A larger message disconnects the peer with
	// DiscProtocolError. Zero means Config.MaxMessageSize. The largest
	// limit of the shared protocols is the connection's read limit, so a
	// frame above that one is refused before its body is read.
	MaxMessageSize uint32

	// Run is called in its own goroutine once the peer is running and the
	// capability is shared. It talks to the peer through rw, which sees
	// codes relative to the protocol's offset. Returning ends the whole
	// peer: a DiscReason (or an error wrapping one) is sent as that reason,
	// any other error as DiscSubprotocolError, nil as DiscQuitting. Run must
	// return soon after rw's methods start failing, which they do once the
	// peer is closing; Peer.Run waits for it. A nil Run reads and discards
	// the protocol's messages.
	Run func(p *Peer, rw MsgReadWriter) error

	// NodeInfo optionally returns protocol-specific information about the
	// local node, for an embedder's admin API.
	NodeInfo func() any

	// PeerInfo optionally returns protocol-specific information about a
	// connected peer.
	PeerInfo func(id nodeid.ID) any

	// DialCandidates optionally supplies nodes worth dialing for this
	// protocol, such as a DNS node list of its network. A server mixes it
	// fairly with its other discovery sources; it takes ownership and
	// closes it when it stops. nil adds nothing.
	DialCandidates discover.Iterator

	// ENR lists the entries this protocol contributes to the node record
	// (EIP-778), such as "eth" with the fork ID (EIP-2124). A server puts
	// them into its record at start; change them later through the
	// server's LocalNode, which bumps the record's sequence number so that
	// peers fetch the new version (EIP-868).
	ENR []ENREntry
}

// ENREntry is one node record entry: a key and its value, which must be
// exactly one RLP item.
type ENREntry struct {
	Key   string // the record key, e.g. "eth"
	Value []byte // the RLP-encoded value, exactly one item
}

// Cap returns the capability the protocol announces.
func (p Protocol) Cap() Cap { return Cap{Name: p.Name, Version: p.Version} }

// Match is a protocol shared with a peer and the code offset it got.
type Match struct {
	Protocol Protocol // our protocol
	Offset   uint64   // the wire code of its message 0
}

// MatchProtocols returns the protocols in ours that the peer also announced
// in theirs (rlpx.md, "Message Encoding"): a capability is shared when name
// and version are both equal; for each name only the highest shared version
// is kept; the survivors are sorted by name and given consecutive code
// ranges from 0x10, each as long as its Length. It returns nil when nothing
// is shared.
func MatchProtocols(ours []Protocol, theirs []Cap) []Match {
	offered := make(map[Cap]bool, len(theirs))
	for _, c := range theirs {
		offered[c] = true
	}
	best := make(map[string]int) // name -> index into ours
	for i, p := range ours {
		if !offered[p.Cap()] {
			continue
		}
		if j, ok := best[p.Name]; !ok || p.Version > ours[j].Version {
			best[p.Name] = i
		}
	}
	if len(best) == 0 {
		return nil
	}
	matched := make([]Match, 0, len(best))
	for _, i := range best {
		matched = append(matched, Match{Protocol: ours[i]})
	}
	slices.SortFunc(matched, func(a, b Match) int { return cmp.Compare(a.Protocol.Name, b.Protocol.Name) })
	offset := uint64(baseProtocolLength)
	for i := range matched {
		matched[i].Offset = offset
		offset += matched[i].Protocol.Length
	}
	return matched
}
