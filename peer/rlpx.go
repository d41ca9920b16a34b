package peer

import (
	"context"

	"github.com/devp2p-go/devp2p/rlpx"
)

// The package's code runs on the transport interface; *rlpx.Conn is the
// real one.
var _ transport = (*rlpx.Conn)(nil)

// Handshake runs the devp2p Hello exchange on conn, whose RLPx handshake
// has completed, and returns the peer's Hello.
//
// It sends our Hello (with Version 5 when our.Version is zero; our.ID must
// be our 64-byte public key) while reading theirs, so neither side's write
// waits on the other's read. It accepts any version and ignores extra list
// elements, and turns on snappy compression iff both versions, ours and the
// peer's, are ≥ 5 (EIP-706).
// The context's deadline, or rlpx.DefaultHandshakeTimeout if it has none, bounds
// the exchange; cancelling the context aborts it.
//
// Every failure is a *DisconnectError:
//   - the peer sent Disconnect first: Remote is true and Reason is theirs;
//   - their Hello is over 2 KiB or malformed, or their first message is
//     something else (ErrHelloTooLarge, ErrInvalidHello, ErrNoHello), or
//     their frame fails its MAC check or is malformed: DiscProtocolError;
//   - their node ID is missing, not 64 bytes or all zero
//     (ErrInvalidIdentity): DiscInvalidIdentity;
//   - their node ID is not the key the RLPx handshake authenticated
//     (ErrUnexpectedIdentity): DiscUnexpectedIdentity;
//   - I/O errors: DiscNetworkError, or DiscReadTimeout for a timeout (the
//     error then wraps context.DeadlineExceeded); a cancelled context gives
//     DiscQuitting and wraps the context's error.
//
// When we reject the peer's Hello, Handshake sends it a Disconnect with the
// reason before returning. It never closes conn: on error the caller does.
//
// Handshake reads their Hello under a 2 KiB read limit (see
// rlpx.Conn.SetReadLimit) and leaves that limit in force: New raises it to
// what the shared protocols need.
func Handshake(ctx context.Context, conn *rlpx.Conn, our *Hello) (*Hello, error) {
	return handshake(ctx, conn, our)
}

// New returns a Peer for conn, on which Handshake returned theirs. The
// protocols shared with theirs.Caps (see MatchProtocols) run once Run is
// called; New does no I/O. The Peer takes over conn: Run closes it.
//
// New sets conn's read limit to the largest message the peer may send: the
// largest MaxMessageSize of the shared protocols (Config.MaxMessageSize for
// those with none), and never below the 2 KiB of the base protocol. A frame
// too large for it, or a snappy payload declaring more, is refused before
// its body is read or decompressed (DiscProtocolError); each protocol's own
// limit is checked once the message is read.
//
// The only error is a Config New cannot use (wrapping ErrInvalidConfig);
// conn is then left to the caller.
func New(conn *rlpx.Conn, theirs *Hello, protocols []Protocol, cfg Config) (*Peer, error) {
	return newPeer(conn, theirs, protocols, cfg)
}

// Reject turns away a connection before or instead of the Hello exchange:
// it sends a Disconnect with reason r, gives it up to 2 s to leave, and
// closes conn. It returns the write error, if any. To turn a peer away
// after Handshake, use New and Disconnect before Run, or Reject as well.
func Reject(conn *rlpx.Conn, r DiscReason) error {
	return reject(conn, r)
}
