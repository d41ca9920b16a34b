package peer

import (
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// Errors returned by a protocol's WriteMsg. They do not close the peer.
var (
	// ErrInvalidCode means the message code is not below the protocol's
	// Length.
	ErrInvalidCode = errors.New("peer: message code out of protocol range")
	// ErrPayloadTooLarge means the payload exceeds 16 MiB − 1, the most a
	// frame can carry.
	ErrPayloadTooLarge = errors.New("peer: payload too large")
)

// maxPayloadSize is the largest payload sent: a frame size is 24 bits.
const maxPayloadSize = 1<<24 - 1

// keepWriteBuffer is the largest scratch buffer kept between writes.
const keepWriteBuffer = 64 * 1024

// protoRW is the MsgReadWriter a protocol's Run gets.
type protoRW struct {
	// Immutable.
	peer    *Peer
	proto   Protocol
	offset  uint64
	maxSize uint32

	// in is the bounded queue the reader fills. queued counts the payload
	// bytes in it; space is signalled by ReadMsg whenever it takes one,
	// for a reader waiting on the byte budget.
	in     chan Msg
	queued atomic.Int64
	space  chan struct{}

	msgsIn, bytesIn, msgsOut, bytesOut atomic.Uint64
	traffic                            traffic // node metrics and Config.Trace
}

// ReadMsg returns the next message of this protocol, with its code relative
// to the protocol's offset.
func (rw *protoRW) ReadMsg() (Msg, error) {
	select {
	case msg := <-rw.in:
		rw.queued.Add(-int64(msg.Size))
		select {
		case rw.space <- struct{}{}:
		default:
		}
		return msg, nil
	case <-rw.peer.closed:
		return Msg{}, ErrClosed
	}
}

// WriteMsg sends msg, waiting for other writers of the peer, and returns
// once the frame is written. A failed write closes the peer.
func (rw *protoRW) WriteMsg(msg Msg) error {
	if msg.Code >= rw.proto.Length {
		return fmt.Errorf("%w: code %#x, %s has %d codes", ErrInvalidCode, msg.Code, rw.proto.Cap(), rw.proto.Length)
	}
	if msg.Size > maxPayloadSize {
		return fmt.Errorf("%w: %d bytes", ErrPayloadTooLarge, msg.Size)
	}
	p := rw.peer
	select {
	case <-p.wtoken:
	case <-p.closed:
		return ErrClosed
	}
	select {
	case <-p.closed:
		// Both were ready; nothing may follow our Disconnect.
		p.wtoken <- struct{}{}
		return ErrClosed
	default:
	}
	data, err := readPayload(msg, p.wbuf)
	if err != nil {
		p.wtoken <- struct{}{}
		return err
	}
	p.conn.SetWriteDeadline(time.Now().Add(p.cfg.WriteTimeout))
	wire, err := p.conn.WriteMsg(rw.offset+msg.Code, data)
	if cap(data) <= keepWriteBuffer && cap(data) > cap(p.wbuf) {
		if _, ours := msg.Payload.(*payload); !ours {
			p.wbuf = data[:0]
		}
	}
	p.wtoken <- struct{}{}
	if err != nil {
		select {
		case <-p.closed:
			return ErrClosed
		default:
		}
		select {
		case p.writeErr <- err:
		default:
		}
		return fmt.Errorf("peer: write: %w", err)
	}
	rw.msgsOut.Add(1)
	rw.bytesOut.Add(uint64(wire))
	p.sent(&rw.traffic, msg.Code, len(data), wire)
	return nil
}

// enqueue hands msg to the protocol, first waiting while the queue holds
// budget bytes or more. It gives up once the peer closes.
func (rw *protoRW) enqueue(msg Msg, budget int64) {
	closed := rw.peer.closed
	for rw.queued.Load() >= budget {
		select {
		case <-rw.space:
		case <-closed:
			return
		}
	}
	rw.queued.Add(int64(msg.Size))
	select {
	case rw.in <- msg:
	case <-closed:
	}
}
