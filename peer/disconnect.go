package peer

import (
	"time"

	"github.com/golang/snappy"

	"github.com/devp2p-go/devp2p/rlp"
)

// maxDisconnectSize bounds the Disconnect payload we look at. The longest
// valid form is a list holding a 2-byte reason: 4 bytes, a few more when
// snappy-compressed.
const maxDisconnectSize = 64

// encodeDisconnect returns the payload of a Disconnect message: the list
// [reason] (rlpx.md, "Disconnect (0x01)").
func encodeDisconnect(r DiscReason) []byte {
	content := rlp.AppendUint64(make([]byte, 0, 2), uint64(r))
	return append(rlp.AppendListHeader(make([]byte, 0, 3), uint64(len(content))), content...)
}

// decodeDisconnect returns the reason carried by a Disconnect payload. It
// accepts every form seen on the wire: the list [reason],
// the bare reason (go-ethereum's legacy path), an empty list or payload
// (the reason is optional; that reads as DiscRequested), and any of those
// snappy-compressed when it arrives on a connection that is not
// decompressing. Anything else is DiscInvalid.
func decodeDisconnect(b []byte) DiscReason {
	if len(b) > maxDisconnectSize {
		return DiscInvalid
	}
	if r, ok := parseDisconnect(b); ok {
		return r
	}
	// A snappy block of such a small payload declares a length below 0x80,
	// so the check on DecodedLen keeps this from allocating much.
	if n, err := snappy.DecodedLen(b); err == nil && n <= maxDisconnectSize {
		var buf [maxDisconnectSize]byte
		if dec, err := snappy.Decode(buf[:], b); err == nil {
			if r, ok := parseDisconnect(dec); ok {
				return r
			}
		}
	}
	return DiscInvalid
}

// parseDisconnect decodes an uncompressed Disconnect payload, which must be
// exactly one RLP value.
func parseDisconnect(b []byte) (DiscReason, bool) {
	if len(b) == 0 {
		return DiscRequested, true
	}
	kind, content, rest, err := rlp.Split(b)
	if err != nil || len(rest) != 0 {
		return 0, false
	}
	if kind == rlp.List {
		// The reason is optional; elements after it are ignored, as for
		// any list that a later version may extend.
		if len(content) == 0 {
			return DiscRequested, true
		}
		_, _, rest, err := rlp.Split(content)
		if err != nil {
			return 0, false
		}
		return parseReason(content[:len(content)-len(rest)])
	}
	return parseReason(b)
}

func parseReason(b []byte) (DiscReason, bool) {
	if len(b) == 1 && b[0] < 0x80 {
		// A single byte, 0x00 included: RLP would want 0x80 for zero,
		// but reason 0 is sent as 0x00 in the wild (reth accepts it).
		return DiscReason(b[0]), true
	}
	v, rest, err := rlp.SplitUint64(b)
	if err != nil || len(rest) != 0 {
		return 0, false
	}
	if v >= uint64(DiscInvalid) {
		return DiscInvalid, true
	}
	return DiscReason(v), true
}

// reject sends Disconnect(r) on c, waits up to discWriteTimeout for it to
// leave and closes c.
func reject(c transport, r DiscReason) error {
	defer c.Close()
	c.SetWriteDeadline(time.Now().Add(discWriteTimeout))
	_, err := c.WriteMsg(disconnectMsg, encodeDisconnect(r))
	return err
}
