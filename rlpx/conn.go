package rlpx

import (
	"errors"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/golang/snappy"
)

// Conn is an RLPx connection: it runs the handshake on a net.Conn and then
// reads and writes framed, encrypted messages.
//
// Concurrency: Handshake must complete before ReadMsg and WriteMsg are
// used. After it, one goroutine may call ReadMsg while another calls
// WriteMsg: each direction has its own mutex, so concurrent calls in the
// same direction are serialised, not interleaved. SetSnappy, the deadline
// methods, Close, RemotePubkey and the address methods may be called at any
// time from any goroutine. Conn starts no goroutines.
//
// Errors are sticky. A failed read (a network error or timeout, a MAC
// failure, a malformed or oversized frame) breaks the read direction: every
// later ReadMsg returns that error, while WriteMsg keeps working, so that a
// Disconnect with the reason can still be sent before closing. A failed
// write or handshake breaks both directions. Rejected arguments (a payload
// too large to send) are not sticky.
type Conn struct {
	// Immutable after construction.
	conn      net.Conn
	cfg       Config
	priv      *secp256k1.PrivateKey
	initiator bool

	remote atomic.Pointer[secp256k1.PublicKey] // dial target, or learned in the handshake
	snappy atomic.Bool
	closed atomic.Bool // set by Close
	authed atomic.Bool // set once a recipient has read the complete auth

	hsMu   sync.Mutex // serialises Handshake
	hsDone bool       // protected by hsMu
	hsErr  error      // protected by hsMu

	errMu sync.Mutex // protects err
	err   error      // the first fatal error, returned by every later call

	rmu      sync.Mutex   // protects rd, rerr, dbuf and msgLimit: the read direction
	rd       *frameReader // nil until the handshake succeeds
	rerr     error        // the first read failure, returned by every later ReadMsg
	dbuf     []byte       // snappy decode buffer
	msgLimit int          // largest payload ReadMsg accepts now (SetReadLimit)

	wmu  sync.Mutex   // protects wr and sbuf: the write direction
	wr   *frameWriter // nil until the handshake succeeds
	sbuf []byte       // snappy encode buffer
}

// Client returns a Conn that initiates the RLPx handshake, with our static
// key priv, to the node whose static public key is remote. Call Handshake
// before anything else. The Conn keeps a copy of cfg; its zero value is the
// default.
func Client(conn net.Conn, priv *secp256k1.PrivateKey, remote *secp256k1.PublicKey, cfg Config) *Conn {
	c := &Conn{conn: conn, cfg: cfg, priv: priv, initiator: true}
	c.remote.Store(remote)
	return c
}

// Server returns a Conn that answers the RLPx handshake of an inbound
// connection with our static key priv. RemotePubkey reports the initiator
// once Handshake succeeds. The Conn keeps a copy of cfg; its zero value is
// the default.
func Server(conn net.Conn, priv *secp256k1.PrivateKey, cfg Config) *Conn {
	return &Conn{conn: conn, cfg: cfg, priv: priv}
}

// Initiator reports whether this side dialed the connection: true for a
// Conn made by Client, false for one made by Server.
func (c *Conn) Initiator() bool { return c.initiator }

// RemotePubkey returns the remote node's static public key: the dial target
// for a client, the authenticated initiator for a server after a
// successful Handshake (nil before).
func (c *Conn) RemotePubkey() *secp256k1.PublicKey { return c.remote.Load() }

// AuthReceived reports whether the initiator's auth message, the first
// message of the handshake, has been read in full. It is only ever true for
// a Conn made by Server: from the moment the last byte of the auth is read
// (before it is decrypted and checked), whether or not the handshake then
// succeeds. A server can use it to tell a connection whose remote is still
// silent or trickling its first message from one that has sent it. It is
// safe to call concurrently with Handshake and every other method.
func (c *Conn) AuthReceived() bool { return c.authed.Load() }

// SetSnappy turns EIP-706 snappy compression of payloads on or off for both
// directions, from the next message on. The p2p layer enables it when the
// Hellos of both sides announce version 5 or later.
func (c *Conn) SetSnappy(on bool) { c.snappy.Store(on) }

// SetReadDeadline sets the deadline of the underlying connection's reads.
// A read that times out breaks the read direction (the error is sticky for
// ReadMsg), like any other read error; WriteMsg still works.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

// SetWriteDeadline sets the deadline of the underlying connection's writes.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }

// SetDeadline sets both deadlines of the underlying connection.
func (c *Conn) SetDeadline(t time.Time) error { return c.conn.SetDeadline(t) }

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr returns the remote network address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// Close closes the underlying connection, unblocking any ReadMsg, WriteMsg
// or Handshake in progress; they and all later calls return an error
// matching net.ErrClosed.
func (c *Conn) Close() error {
	c.closed.Store(true)
	return c.conn.Close()
}

// ioError wraps an error of the underlying connection. After Close it
// always matches net.ErrClosed, whatever the net.Conn reports (net.Pipe
// says io.ErrClosedPipe).
func (c *Conn) ioError(op string, err error) error {
	if c.closed.Load() && !errors.Is(err, net.ErrClosed) {
		return &opError{op, fmt.Errorf("%w: %w", net.ErrClosed, err)}
	}
	return &opError{op, err}
}

// fail records err as the connection's sticky error unless one is already
// set, and returns err.
func (c *Conn) fail(err error) error {
	c.errMu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.errMu.Unlock()
	return err
}

// failRead records err as the read direction's sticky error. Caller holds
// rmu.
func (c *Conn) failRead(err error) error {
	if c.rerr == nil {
		c.rerr = err
	}
	return err
}

func (c *Conn) stickyErr() error {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	return c.err
}

// install sets up both directions from the session secrets.
func (c *Conn) install(s *secrets) {
	rd, wr := newSession(s, c.cfg.maxFrameSize())
	c.rmu.Lock()
	c.rd = rd
	c.msgLimit = c.cfg.maxMessageSize()
	c.rmu.Unlock()
	c.wmu.Lock()
	c.wr = wr
	c.wmu.Unlock()
}

// WriteMsg sends one message as a single frame, in one Write on the
// underlying connection. With snappy on, the payload (never the code) is
// compressed first. wireSize is the number of bytes the frame occupies on
// the wire, including header, MACs and padding.
//
// A payload of 16 MiB or more with snappy on, or one whose frame would not
// fit the 24-bit frame size, is refused with ErrMessageTooLarge; that error
// is not sticky. The payload is not retained. WriteMsg may run concurrently
// with ReadMsg.
func (c *Conn) WriteMsg(code uint64, payload []byte) (wireSize int, err error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.stickyErr(); err != nil {
		return 0, err
	}
	if c.wr == nil {
		return 0, ErrHandshakeNotDone
	}
	if c.snappy.Load() {
		if len(payload) >= maxSnappyPlain {
			return 0, fmt.Errorf("%w: %d-byte payload, snappy limit is %d", ErrMessageTooLarge, len(payload), maxSnappyPlain-1)
		}
		n := snappy.MaxEncodedLen(len(payload))
		if cap(c.sbuf) < n {
			c.sbuf = make([]byte, n)
		}
		payload = snappy.Encode(c.sbuf[:n], payload)
	}
	frame, err := c.wr.seal(code, payload)
	if err != nil {
		return 0, err // too large: nothing was written or encrypted
	}
	_, err = c.conn.Write(frame)
	if cap(c.wr.buf) > maxRetainedBuf {
		c.wr.buf = nil // don't pin the memory of a rare big message
	}
	if cap(c.sbuf) > maxRetainedBuf {
		c.sbuf = nil
	}
	if err != nil {
		return 0, c.fail(c.ioError("write", err))
	}
	return len(frame), nil
}

// SetReadLimit changes the largest payload ReadMsg accepts from the next
// call on: n > 0 sets it to n bytes (never above Config.MaxMessageSize), and
// n ≤ 0 restores Config.MaxMessageSize. A frame too large to carry a
// payload within the limit (compressed, when snappy is on) is refused as
// soon as its header is authenticated, before its body is read, and a
// snappy payload declaring a larger length is refused before it is
// decompressed; so a small limit also bounds what a peer can make us
// buffer. The peer package reads Hello under a 2 KiB limit and then sets
// the largest limit of the protocols it runs. Exceeding the limit is a
// sticky ErrMessageTooLarge, or ErrSnappy for a declared length. A ReadMsg in progress finishes under the old
// limit (SetReadLimit waits for it). Before the handshake completes,
// SetReadLimit has no effect.
func (c *Conn) SetReadLimit(n int) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if c.rd == nil {
		return
	}
	if limit := c.cfg.maxMessageSize(); n <= 0 || n > limit {
		n = limit
	}
	c.msgLimit = n
}

// ReadMsg reads the next message. wireSize is the number of bytes its frame
// occupied on the wire, including header, MACs and padding.
//
// The returned payload aliases an internal buffer and is valid only until
// the next call to ReadMsg; copy it to keep it. ReadMsg may run
// concurrently with WriteMsg. Any error is sticky for later reads (see Conn).
// A clean close of the
// connection between frames returns io.EOF; a close inside a frame returns
// io.ErrUnexpectedEOF.
func (c *Conn) ReadMsg() (code uint64, payload []byte, wireSize int, err error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if err := c.stickyErr(); err != nil {
		return 0, nil, 0, err
	}
	if c.rerr != nil {
		return 0, nil, 0, c.rerr
	}
	if c.rd == nil {
		return 0, nil, 0, ErrHandshakeNotDone
	}
	// The previous payload is no longer valid: let go of buffers a big
	// message grew, before waiting for the next one.
	if cap(c.dbuf) > maxRetainedBuf {
		c.dbuf = nil
	}
	c.rd.release()
	snappyOn := c.snappy.Load()
	c.rd.maxSize = frameLimit(c.msgLimit, snappyOn)
	data, wireSize, err := c.rd.readFrame(c.conn)
	if err != nil {
		if !errors.Is(err, ErrInvalidMAC) && !errors.Is(err, ErrMessageTooLarge) {
			err = c.ioError("read", err)
		}
		return 0, nil, 0, c.failRead(err)
	}
	code, payload, err = splitCode(data)
	if err != nil {
		return 0, nil, 0, c.failRead(err)
	}
	if snappyOn {
		plain, err := c.decompress(payload)
		switch {
		case err == nil:
			payload = plain
		case code == disconnectCode && len(payload) <= maxPlainDisconnect:
			// Some peers send Disconnect uncompressed even after snappy is
			// on (go-ethereum sends one when it fails before compressing). Its payload is a few bytes: hand it
			// over as it came and let the p2p layer decode the reason.
		default:
			return 0, nil, 0, c.failRead(err)
		}
	} else if len(payload) > c.msgLimit {
		return 0, nil, 0, c.failRead(fmt.Errorf("%w: %d-byte payload exceeds limit %d", ErrMessageTooLarge, len(payload), c.msgLimit))
	}
	return code, payload, wireSize, nil
}
