package main

import (
	"errors"
	"fmt"

	"github.com/devp2p-go/devp2p/peer"
)

// maxMessageSize is the practical eth message limit (caps/eth.md); a larger
// message disconnects the peer.
const maxMessageSize = 10 << 20

// errNoStatus means the node's first eth message was not Status.
var errNoStatus = errors.New("eth: first message is not status")

// session is our side of the eth protocol with one node. Its fields are
// written by the protocol's goroutine: version, theirs and ours before
// ready is closed (readable after it), counts and answered until Peer.Run
// returns (readable after it, since Run joins the protocol goroutine).
type session struct {
	ready    chan struct{} // closed once both Status messages are exchanged
	version  uint          // negotiated eth version
	theirs   *Status
	ours     *Status
	counts   map[uint64]int // received messages by code
	answered int            // requests answered
}

func newSession() *session {
	return &session{ready: make(chan struct{}), counts: make(map[uint64]int)}
}

// protocols returns one eth Protocol per version we speak; capability
// matching picks the highest one the node also speaks.
func (s *session) protocols() []peer.Protocol {
	protos := make([]peer.Protocol, len(versions))
	for i, v := range versions {
		protos[i] = peer.Protocol{
			Name:           "eth",
			Version:        v.version,
			Length:         v.length,
			MaxMessageSize: maxMessageSize,
			Run: func(_ *peer.Peer, rw peer.MsgReadWriter) error {
				return s.run(v.version, rw)
			},
		}
	}
	return protos
}

// run is the protocol: take their Status, answer with ours, then answer
// requests with empty responses and count everything until the peer goes.
// Errors wrap peer.DiscProtocolError, the reason the peer is told.
func (s *session) run(version uint, rw peer.MsgReadWriter) error {
	s.version = version
	msg, err := rw.ReadMsg()
	if err != nil {
		return err
	}
	s.counts[msg.Code]++
	if msg.Code != statusMsg {
		msg.Discard()
		return fmt.Errorf("%w: got %s (0x%02x): %w", errNoStatus, msgName(msg.Code), msg.Code, peer.DiscProtocolError)
	}
	b, err := msg.Bytes()
	if err != nil {
		return err
	}
	if s.theirs, err = decodeStatus(version, b); err != nil {
		return fmt.Errorf("%w: %w", err, peer.DiscProtocolError)
	}
	s.ours = ourStatus(s.theirs)
	enc, err := encodeStatus(s.ours)
	if err != nil {
		return err
	}
	if err := rw.WriteMsg(peer.NewMsg(statusMsg, enc)); err != nil {
		return err
	}
	close(s.ready)

	for {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		s.counts[msg.Code]++
		if _, isRequest := responses[msg.Code]; !isRequest {
			msg.Discard()
			continue
		}
		b, err := msg.Bytes()
		if err != nil {
			return err
		}
		code, resp, _, err := emptyResponse(version, msg.Code, b)
		if err != nil {
			return fmt.Errorf("%w: %w", err, peer.DiscProtocolError)
		}
		if err := rw.WriteMsg(peer.NewMsg(code, resp)); err != nil {
			return err
		}
		s.answered++
	}
}
