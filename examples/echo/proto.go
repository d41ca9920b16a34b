package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/devp2p-go/devp2p/peer"
)

// The echo/1 protocol has two messages, each carrying opaque bytes: a
// request, which the receiver answers with a reply carrying the same bytes.
const (
	echoRequest = 0
	echoReply   = 1
	echoLength  = 2

	// maxEcho is the largest payload echo/1 accepts, well under the 16 MiB
	// devp2p frame limit.
	maxEcho = 8 << 20
)

// session is one peer's echo/1 link, as seen by code that sends requests.
type session struct {
	peer    *peer.Peer
	rw      peer.MsgReadWriter
	replies chan []byte   // payloads of received replies, in order
	done    chan struct{} // closed when the protocol stops
	err     error         // why it stopped; valid after done is closed
}

// newEchoProtocol returns the echo/1 protocol. Each time a peer starts
// running it, the peer's session is offered on the returned channel if a
// receiver is waiting or the channel has room; the protocol answers
// requests either way.
func newEchoProtocol() (peer.Protocol, <-chan *session) {
	sessions := make(chan *session, 1)
	proto := peer.Protocol{
		Name:           "echo",
		Version:        1,
		Length:         echoLength,
		MaxMessageSize: maxEcho,
		Run: func(p *peer.Peer, rw peer.MsgReadWriter) error {
			s := &session{peer: p, rw: rw, replies: make(chan []byte, 1), done: make(chan struct{})}
			select {
			case sessions <- s:
			default:
			}
			s.err = s.serve()
			close(s.done)
			return s.err
		},
	}
	return proto, sessions
}

// serve reads messages until the peer stops: it answers requests and hands
// replies to whoever waits in roundTrip.
func (s *session) serve() error {
	for {
		msg, err := s.rw.ReadMsg()
		if err != nil {
			return err
		}
		payload := make([]byte, msg.Size)
		if _, err := io.ReadFull(msg.Payload, payload); err != nil {
			return err
		}
		switch msg.Code {
		case echoRequest:
			if err := s.write(echoReply, payload); err != nil {
				return err
			}
		case echoReply:
			select {
			case s.replies <- payload:
			default:
				return fmt.Errorf("echo: unsolicited reply: %w", peer.DiscProtocolError)
			}
		default:
			return fmt.Errorf("echo: unknown message code %d: %w", msg.Code, peer.DiscProtocolError)
		}
	}
}

func (s *session) write(code uint64, payload []byte) error {
	return s.rw.WriteMsg(peer.NewMsg(code, payload))
}

// errMismatch is returned when a reply's bytes differ from the request's.
var errMismatch = errors.New("echo: reply differs from request")

// roundTrip sends payload as a request and waits for its reply.
func (s *session) roundTrip(ctx context.Context, payload []byte) error {
	if err := s.write(echoRequest, payload); err != nil {
		return err
	}
	select {
	case reply := <-s.replies:
		if !bytes.Equal(reply, payload) {
			return errMismatch
		}
		return nil
	case <-s.done:
		return fmt.Errorf("echo: peer gone: %w", s.err)
	case <-ctx.Done():
		return ctx.Err()
	}
}
