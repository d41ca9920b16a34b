package peer

import (
	"net"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// transport is what this package needs from a connection: the methods of
// *rlpx.Conn it uses. The exported API takes *rlpx.Conn; tests also run the
// same code over an in-memory fake.
//
// ReadMsg's payload may alias a buffer that the next ReadMsg overwrites.
// One ReadMsg and one WriteMsg may run concurrently.
type transport interface {
	ReadMsg() (code uint64, payload []byte, wireSize int, err error)
	WriteMsg(code uint64, payload []byte) (wireSize int, err error)
	SetSnappy(on bool)
	// SetReadLimit bounds the payload of the next reads (0: the default); a
	// larger message fails with an error wrapping rlpx.ErrMessageTooLarge
	// before its body is read. Handshake reads Hello under maxHelloSize.
	SetReadLimit(n int)
	SetReadDeadline(t time.Time) error
	SetWriteDeadline(t time.Time) error
	Close() error
	LocalAddr() net.Addr
	RemoteAddr() net.Addr
	RemotePubkey() *secp256k1.PublicKey
	// Initiator reports whether we dialed the connection.
	Initiator() bool
}
