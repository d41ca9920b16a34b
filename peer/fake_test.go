package peer

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlpx"
)

// fakeConn is an in-memory transport over one end of a net.Pipe. A message
// travels as code (8 bytes BE) ‖ size (4 bytes BE) ‖ payload in a single
// Write, so net.Pipe's deadlines and close behave as on a real socket.
type fakeConn struct {
	net.Conn
	remote    *secp256k1.PublicKey
	initiator bool
	snappy    atomic.Bool
	limit     atomic.Int64 // SetReadLimit; 0 means DefaultMaxMessageSize
	rbuf      []byte
}

const fakeHeaderSize = 12

// fakeErrCode is a message code the fake turns into a read error: the one
// byte of payload indexes fakeReadErrors. It stands for the connection
// errors a real remote can cause, such as a frame that fails its MAC.
const fakeErrCode = 1<<64 - 1

var fakeReadErrors = []error{rlpx.ErrInvalidMAC, rlpx.ErrInvalidFrame, rlpx.ErrSnappy, rlpx.ErrMessageTooLarge}

func newFakePair(t testing.TB) (a, b *fakeConn, keyA, keyB *secp256k1.PrivateKey) {
	keyA, keyB = newKey(t), newKey(t)
	ca, cb := net.Pipe()
	a = &fakeConn{Conn: ca, remote: keyB.PubKey(), initiator: true}
	b = &fakeConn{Conn: cb, remote: keyA.PubKey()}
	t.Cleanup(func() { a.Close(); b.Close() })
	return a, b, keyA, keyB
}

func newKey(t testing.TB) *secp256k1.PrivateKey {
	k, err := secp256k1.GeneratePrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func (c *fakeConn) ReadMsg() (uint64, []byte, int, error) {
	var hdr [fakeHeaderSize]byte
	if _, err := io.ReadFull(c.Conn, hdr[:]); err != nil {
		return 0, nil, 0, err
	}
	code := binary.BigEndian.Uint64(hdr[:8])
	size := binary.BigEndian.Uint32(hdr[8:])
	limit := c.limit.Load()
	if limit == 0 {
		limit = DefaultMaxMessageSize
	}
	if int64(size) > limit {
		return 0, nil, 0, fmt.Errorf("fake: %w: %d bytes", rlpx.ErrMessageTooLarge, size)
	}
	if cap(c.rbuf) < int(size) {
		c.rbuf = make([]byte, size)
	}
	c.rbuf = c.rbuf[:size]
	if _, err := io.ReadFull(c.Conn, c.rbuf); err != nil {
		return 0, nil, 0, err
	}
	if code == fakeErrCode && size == 1 && int(c.rbuf[0]) < len(fakeReadErrors) {
		return 0, nil, 0, fmt.Errorf("fake: %w", fakeReadErrors[c.rbuf[0]])
	}
	return code, c.rbuf, fakeHeaderSize + int(size), nil
}

func (c *fakeConn) WriteMsg(code uint64, payload []byte) (int, error) {
	buf := make([]byte, fakeHeaderSize+len(payload))
	binary.BigEndian.PutUint64(buf, code)
	binary.BigEndian.PutUint32(buf[8:], uint32(len(payload)))
	copy(buf[fakeHeaderSize:], payload)
	return c.Conn.Write(buf)
}

// writeTruncated writes the header of a message of the given size and only
// half of its payload, as a connection cut mid-frame would.
func (c *fakeConn) writeTruncated(code uint64, size int) error {
	buf := make([]byte, fakeHeaderSize+size/2)
	binary.BigEndian.PutUint64(buf, code)
	binary.BigEndian.PutUint32(buf[8:], uint32(size))
	_, err := c.Conn.Write(buf)
	return err
}

func (c *fakeConn) SetSnappy(on bool)                  { c.snappy.Store(on) }
func (c *fakeConn) SetReadLimit(n int)                 { c.limit.Store(int64(max(n, 0))) }
func (c *fakeConn) RemotePubkey() *secp256k1.PublicKey { return c.remote }
func (c *fakeConn) Initiator() bool                    { return c.initiator }

// helloFor returns a Hello for key announcing caps.
func helloFor(key *secp256k1.PrivateKey, caps ...Cap) *Hello {
	id := ethcrypto.MarshalPubkey(key.PubKey())
	return &Hello{Version: Version, Name: "test/v1", Caps: caps, ListenPort: 30303, ID: id[:]}
}

// checkLeaks fails the test if goroutines outlive it. Call it first in a
// test, so that it runs after every other cleanup.
func checkLeaks(t *testing.T) {
	t.Cleanup(func() { goleak.VerifyNone(t) })
}

// recvTimeout bounds how long a test waits for something that must happen
// promptly; it only fires when the code under test is broken.
const recvTimeout = 10 * time.Second

func recv[T any](t testing.TB, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(recvTimeout):
		t.Fatalf("timed out waiting for %s", what)
		panic("unreachable")
	}
}

func recvOK[T any](t testing.TB, ch <-chan T) (T, bool) {
	t.Helper()
	select {
	case v, ok := <-ch:
		return v, ok
	case <-time.After(recvTimeout):
		t.Fatal("timed out waiting for a message")
		panic("unreachable")
	}
}
