package peer

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/devp2p-go/devp2p/rlp"
)

// Msg is one message of a sub-protocol. On receipt, Code is relative to the
// protocol's offset, Size is the decoded payload length and Payload reads
// exactly Size bytes; the payload belongs to the receiver and stays valid
// after the next ReadMsg.
type Msg struct {
	Code       uint64    // message code within the protocol, 0..Length-1
	Size       uint32    // payload length in bytes, before compression
	Payload    io.Reader // the RLP payload, Size bytes; on receipt, the peer's unvalidated input
	ReceivedAt time.Time // when the reader took the message off the connection (Config.Clock); zero on send
}

// Decode decodes the payload as exactly one RLP value into v (a pointer, as
// for rlp.DecodeBytes). Trailing bytes after the value are an error. Decode
// consumes the payload.
func (m Msg) Decode(v any) error {
	var err error
	if b, ok := m.Payload.(*payload); ok {
		err = rlp.DecodeBytes(b.take(), v)
	} else if m.Size > maxPayloadSize {
		err = ErrPayloadTooLarge
	} else {
		buf := make([]byte, m.Size)
		if _, err = io.ReadFull(m.Payload, buf); err == nil {
			err = rlp.DecodeBytes(buf, v)
		}
	}
	if err != nil {
		return fmt.Errorf("peer: invalid message (code %#x, size %d): %w", m.Code, m.Size, err)
	}
	return nil
}

// Bytes returns the payload's unread bytes and consumes them. For a
// received message it returns the message's own buffer without copying,
// which lets a protocol keep the raw encoding and decode it later (or
// never). The bytes belong to the caller.
func (m Msg) Bytes() ([]byte, error) {
	if b, ok := m.Payload.(*payload); ok {
		return b.take(), nil
	}
	if m.Payload == nil {
		return nil, nil
	}
	if m.Size > maxPayloadSize {
		return nil, ErrPayloadTooLarge
	}
	buf := make([]byte, m.Size)
	if _, err := io.ReadFull(m.Payload, buf); err != nil {
		return nil, fmt.Errorf("peer: reading message payload: %w", err)
	}
	return buf, nil
}

// Discard drops the rest of the payload.
func (m Msg) Discard() error {
	if b, ok := m.Payload.(*payload); ok {
		b.take()
		return nil
	}
	_, err := io.Copy(io.Discard, m.Payload)
	return err
}

// String returns a short description for logs: code and size, never the
// payload.
func (m Msg) String() string {
	return fmt.Sprintf("msg{code: %#x, size: %d}", m.Code, m.Size)
}

// MsgReader reads messages of one protocol.
type MsgReader interface {
	// ReadMsg blocks until a message arrives or the peer closes. After the
	// peer closed it returns an error satisfying errors.Is(err,
	// net.ErrClosed).
	ReadMsg() (Msg, error)
}

// MsgWriter writes messages of one protocol.
type MsgWriter interface {
	// WriteMsg sends msg and returns once it has been written to the
	// connection or the peer closed. msg.Payload must hold msg.Size bytes.
	// After the peer closed it returns an error satisfying errors.Is(err,
	// net.ErrClosed).
	WriteMsg(msg Msg) error
}

// MsgReadWriter is the connection a Protocol's Run sees. Its methods may be
// called from several goroutines; writes are serialized.
type MsgReadWriter interface {
	MsgReader
	MsgWriter
}

// Send RLP-encodes v and writes it as a message with the given code.
func Send(w MsgWriter, code uint64, v any) error {
	enc, err := rlp.EncodeToBytes(v)
	if err != nil {
		return fmt.Errorf("peer: encoding message %#x: %w", code, err)
	}
	return w.WriteMsg(NewMsg(code, enc))
}

// SendItems writes a message whose payload is the RLP list of items.
func SendItems(w MsgWriter, code uint64, items ...any) error {
	return Send(w, code, items)
}

// NewMsg returns a message carrying an already encoded payload. The message
// takes ownership of b.
func NewMsg(code uint64, b []byte) Msg {
	return Msg{Code: code, Size: uint32(len(b)), Payload: &payload{b: b}}
}

// payload is the Msg.Payload reader this package creates. Knowing its type
// lets WriteMsg and Decode use the bytes directly instead of copying them
// through io.Reader.
type payload struct {
	b   []byte
	off int
}

func (p *payload) Read(dst []byte) (int, error) {
	if p.off >= len(p.b) {
		return 0, io.EOF
	}
	n := copy(dst, p.b[p.off:])
	p.off += n
	return n, nil
}

// take returns the unread bytes and marks them read.
func (p *payload) take() []byte {
	b := p.b[p.off:]
	p.off = len(p.b)
	return b
}

// errPayloadSize is returned by WriteMsg when Payload holds fewer bytes than
// Size says.
var errPayloadSize = errors.New("peer: message payload shorter than its Size")

// readPayload returns the bytes of m's payload, using buf as scratch when
// the payload is not one of ours.
func readPayload(m Msg, buf []byte) ([]byte, error) {
	if p, ok := m.Payload.(*payload); ok {
		b := p.take()
		if len(b) != int(m.Size) {
			return nil, errPayloadSize
		}
		return b, nil
	}
	if m.Payload == nil {
		if m.Size != 0 {
			return nil, errPayloadSize
		}
		return nil, nil
	}
	if cap(buf) < int(m.Size) {
		buf = make([]byte, m.Size)
	}
	buf = buf[:m.Size]
	if _, err := io.ReadFull(m.Payload, buf); err != nil {
		return nil, errPayloadSize
	}
	return buf, nil
}
