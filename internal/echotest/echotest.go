// Package echotest is the echo protocol the server and interop tests run
// between peers: message 0 is a request, which the receiver answers with
// message 1 carrying the same payload; replies are handed to the test.
//
// (examples/echo is a program of its own and keeps its own protocol; the
// go-ethereum side of the interop tests is written against go-ethereum's
// p2p package and lives in interop.)
package echotest

import (
	"io"
	"sync/atomic"

	"github.com/devp2p-go/devp2p/peer"
)

// Message codes, relative to the protocol's offset.
const (
	Request = 0 // answered with Reply, same payload
	Reply   = 1 // handed to the run's Replies channel
)

// queue is the capacity of the Runs and Replies channels. Runs and replies
// beyond it are dropped, so a test that ignores them never blocks a peer.
const queue = 64

// Echo is one node's side of the protocol: it answers requests and hands
// each run and each reply to the test.
type Echo struct {
	name   string
	length uint64
	runs   chan *Run

	// Requests counts requests read, Answered those whose reply was
	// written, over all runs.
	Requests, Answered atomic.Int64
}

// Run is one peer running the protocol.
type Run struct {
	Peer *peer.Peer
	RW   peer.MsgReadWriter
	// Replies receives the payloads of the replies this peer sends.
	Replies chan []byte
}

// New returns the protocol name/1 with length message codes (at least 2;
// codes above Reply are read and ignored).
func New(name string, length uint64) *Echo {
	return &Echo{name: name, length: max(length, 2), runs: make(chan *Run, queue)}
}

// Protocol returns the peer.Protocol to register.
func (e *Echo) Protocol() peer.Protocol {
	return peer.Protocol{Name: e.name, Version: 1, Length: e.length, Run: e.run}
}

// Runs returns the channel each run is offered on when it starts.
func (e *Echo) Runs() <-chan *Run { return e.runs }

func (e *Echo) run(p *peer.Peer, rw peer.MsgReadWriter) error {
	r := &Run{Peer: p, RW: rw, Replies: make(chan []byte, queue)}
	select {
	case e.runs <- r:
	default:
	}
	for {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		b, err := io.ReadAll(msg.Payload)
		if err != nil {
			return err
		}
		switch msg.Code {
		case Request:
			e.Requests.Add(1)
			if err := rw.WriteMsg(peer.NewMsg(Reply, b)); err != nil {
				return err
			}
			e.Answered.Add(1)
		case Reply:
			select {
			case r.Replies <- b:
			default:
			}
		}
	}
}
