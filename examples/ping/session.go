package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/rlp"
	"github.com/devp2p-go/devp2p/rlpx"
)

// Base protocol message codes (rlpx.md, "p2p Capability").
const (
	disconnectMsg = 0x01
	pingMsg       = 0x02
	pongMsg       = 0x03
)

// emptyList is the payload of Ping and Pong.
var emptyList = []byte{0xc0}

// maxIgnored bounds the sub-protocol messages ping skips while it waits for
// the Pong, so a chatty node cannot keep it reading until the deadline.
const maxIgnored = 1024

// session is a connection that completed both handshakes.
type session struct {
	conn  *rlpx.Conn
	hello *peer.Hello // the remote's
}

// connect dials n and runs the RLPx and Hello handshakes within ctx.
func connect(ctx context.Context, n *discover.Node, key *secp256k1.PrivateKey, caps []peer.Cap) (*session, error) {
	var d net.Dialer
	tcp, err := d.DialContext(ctx, "tcp", n.TCPAddr().String())
	if err != nil {
		return nil, err
	}
	conn := rlpx.Client(tcp, key, n.Pubkey(), rlpx.Config{})
	if err := conn.Handshake(ctx); err != nil {
		conn.Close()
		return nil, fmt.Errorf("rlpx handshake with %v: %w", n.TCPAddr(), err)
	}
	theirs, err := peer.Handshake(ctx, conn, peer.NewHello(key.PubKey(), clientName, caps...))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("hello: %w", err)
	}
	// Handshake leaves Hello's 2 KiB read limit in force. Without a Peer to
	// raise it, take rlpx's default back: the remote's protocol messages,
	// which we skip, may be larger.
	conn.SetReadLimit(0)
	return &session{conn: conn, hello: theirs}, nil
}

// ping sends a Ping and waits for the Pong, answering the remote's own pings
// meanwhile. It returns the round-trip time. A Disconnect from the remote
// ends it with a *peer.DisconnectError carrying the remote's reason.
func (s *session) ping(ctx context.Context) (time.Duration, error) {
	if deadline, ok := ctx.Deadline(); ok {
		s.conn.SetDeadline(deadline)
	}
	// Cancellation (an interrupt) unblocks ReadMsg through the deadline.
	stop := context.AfterFunc(ctx, func() { s.conn.SetDeadline(time.Now()) })
	defer stop()

	start := time.Now()
	if _, err := s.conn.WriteMsg(pingMsg, emptyList); err != nil {
		return 0, fmt.Errorf("sending ping: %w", err)
	}
	for ignored := 0; ; {
		code, payload, _, err := s.conn.ReadMsg()
		rtt := time.Since(start)
		if err != nil {
			if ctx.Err() != nil {
				err = context.Cause(ctx)
			}
			return 0, fmt.Errorf("waiting for pong: %w", err)
		}
		switch code {
		case pongMsg:
			s.conn.SetDeadline(time.Time{})
			return rtt, nil
		case pingMsg:
			if _, err := s.conn.WriteMsg(pongMsg, emptyList); err != nil {
				return 0, fmt.Errorf("answering ping: %w", err)
			}
		case disconnectMsg:
			return 0, &peer.DisconnectError{Reason: decodeReason(payload), Remote: true}
		default:
			// A sub-protocol message (such as eth's Status): not ours to read.
			if ignored++; ignored > maxIgnored {
				return 0, errors.New("waiting for pong: too many other messages")
			}
		}
	}
}

// maxDisconnectSize bounds the Disconnect payloads decodeReason looks at;
// the longest valid one, a list holding a two-byte reason, has 4 bytes.
const maxDisconnectSize = 16

// decodeReason returns the reason of a Disconnect payload: the list
// [reason], a bare reason, or nothing at all (the reason is optional and
// then reads as "disconnect requested"). Anything else is peer.DiscInvalid.
// The connection has already undone snappy compression.
func decodeReason(b []byte) peer.DiscReason {
	if len(b) == 0 {
		return peer.DiscRequested
	}
	if len(b) > maxDisconnectSize {
		return peer.DiscInvalid
	}
	kind, content, _, err := rlp.Split(b)
	if err != nil {
		return peer.DiscInvalid
	}
	if kind == rlp.List {
		if len(content) == 0 {
			return peer.DiscRequested
		}
		b = content
	}
	r, _, err := rlp.SplitUint64(b)
	if err != nil || r > 0xff {
		return peer.DiscInvalid
	}
	return peer.DiscReason(r)
}
