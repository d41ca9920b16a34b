package rlpx

// EIP-706 snappy compression: raw block format (no framing), payload only.

import (
	"fmt"

	"github.com/golang/snappy"
)

// maxSnappyPlain is the smallest uncompressed payload WriteMsg refuses to
// compress (go-ethereum refuses len ≥ 2^24 too).
const maxSnappyPlain = 1 << 24

// disconnectCode is the p2p Disconnect message code. A Disconnect whose
// payload is not valid snappy is passed on uncompressed (see ReadMsg), as
// long as it is no longer than maxPlainDisconnect: a reason list takes at
// most 3 bytes, so anything much longer is not a Disconnect sent plain.
const (
	disconnectCode     = 0x01
	maxPlainDisconnect = 16
)

// decompress decodes a snappy block into c.dbuf. The declared length is
// read and checked against the limit before any allocation, so a 5-byte
// "bomb" cannot make us reserve gigabytes. Caller holds rmu.
func (c *Conn) decompress(src []byte) ([]byte, error) {
	n, err := snappy.DecodedLen(src)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSnappy, err)
	}
	if limit := c.msgLimit; n > limit {
		return nil, fmt.Errorf("%w: declared length %d exceeds limit %d", ErrSnappy, n, limit)
	}
	if cap(c.dbuf) < n {
		c.dbuf = make([]byte, n)
	}
	out, err := snappy.Decode(c.dbuf[:n], src)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrSnappy, err)
	}
	return out, nil
}
