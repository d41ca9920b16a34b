package v5wire

import (
	"errors"
	"fmt"
	"math"
	"net/netip"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/rlp"
)

// Message types (discv5-wire.md, "Protocol Messages").
const (
	PingMsg byte = iota + 1
	PongMsg
	FindnodeMsg
	NodesMsg
	TalkRequestMsg
	TalkResponseMsg

	// WhoareyouPacket and UnknownPacket are the Kind of the two decoded
	// packets that carry no message.
	WhoareyouPacket byte = 0xFE
	UnknownPacket   byte = 0xFF
)

// MaxRequestIDSize is the largest request ID a message may carry.
const MaxRequestIDSize = 8

// MaxDistance is the largest log distance between two node IDs.
const MaxDistance = 256

// Packet is a decoded packet: one of the six messages, *Whoareyou or
// *Unknown.
type Packet interface {
	// Kind is the message type, WhoareyouPacket or UnknownPacket.
	Kind() byte
	// Name is the packet's name for logs ("PING", "WHOAREYOU", …).
	Name() string
}

// Message is a protocol message, carried encrypted in message and
// handshake packets.
type Message interface {
	Packet
	// RequestID returns the request ID, an opaque string of at most
	// MaxRequestIDSize bytes that responses echo exactly.
	RequestID() []byte
	// SetRequestID sets the request ID.
	SetRequestID(id []byte)
	appendBody(dst []byte) []byte
}

// Ping checks liveness and announces the sender's record sequence number.
type Ping struct {
	ReqID  []byte // request ID, at most MaxRequestIDSize bytes, echoed by the Pong
	ENRSeq uint64 // the sender's record sequence number
}

// Pong answers a Ping with the responder's record sequence number and the
// UDP endpoint the Ping came from.
type Pong struct {
	ReqID  []byte     // the Ping's request ID
	ENRSeq uint64     // the responder's record sequence number
	ToIP   netip.Addr // the Ping's source IP; the zero Addr if not 4 or 16 bytes on the wire
	ToPort uint16     // the Ping's source UDP port
}

// Findnode asks for the records at the given log distances from the
// recipient; distance 0 is the recipient's own record.
type Findnode struct {
	ReqID     []byte // request ID, echoed by every Nodes packet of the response
	Distances []uint // log distances, as received: may repeat or exceed MaxDistance
}

// Nodes answers Findnode. A response may span several packets; Total is
// the number of packets in it.
type Nodes struct {
	ReqID []byte        // the Findnode's request ID
	Total uint8         // packets in the response, as the sender claims
	Nodes []*enr.Record // the records in this packet, each signature-checked by the decoder
}

// TalkRequest carries a request of an application protocol named Protocol.
type TalkRequest struct {
	ReqID    []byte // request ID, echoed by the TalkResponse
	Protocol string // the application protocol's name, as received
	Message  []byte // the request, opaque to discv5
}

// TalkResponse answers a TalkRequest; Message is empty when the recipient
// does not know the protocol.
type TalkResponse struct {
	ReqID   []byte // the TalkRequest's request ID
	Message []byte // the response, opaque to discv5; empty for an unknown protocol
}

// Kind implements Packet.
func (*Ping) Kind() byte { return PingMsg }

// Kind implements Packet.
func (*Pong) Kind() byte { return PongMsg }

// Kind implements Packet.
func (*Findnode) Kind() byte { return FindnodeMsg }

// Kind implements Packet.
func (*Nodes) Kind() byte { return NodesMsg }

// Kind implements Packet.
func (*TalkRequest) Kind() byte { return TalkRequestMsg }

// Kind implements Packet.
func (*TalkResponse) Kind() byte { return TalkResponseMsg }

// Name implements Packet.
func (*Ping) Name() string { return "PING" }

// Name implements Packet.
func (*Pong) Name() string { return "PONG" }

// Name implements Packet.
func (*Findnode) Name() string { return "FINDNODE" }

// Name implements Packet.
func (*Nodes) Name() string { return "NODES" }

// Name implements Packet.
func (*TalkRequest) Name() string { return "TALKREQ" }

// Name implements Packet.
func (*TalkResponse) Name() string { return "TALKRESP" }

// RequestID implements Message.
func (p *Ping) RequestID() []byte { return p.ReqID }

// RequestID implements Message.
func (p *Pong) RequestID() []byte { return p.ReqID }

// RequestID implements Message.
func (p *Findnode) RequestID() []byte { return p.ReqID }

// RequestID implements Message.
func (p *Nodes) RequestID() []byte { return p.ReqID }

// RequestID implements Message.
func (p *TalkRequest) RequestID() []byte { return p.ReqID }

// RequestID implements Message.
func (p *TalkResponse) RequestID() []byte { return p.ReqID }

// SetRequestID implements Message.
func (p *Ping) SetRequestID(id []byte) { p.ReqID = id }

// SetRequestID implements Message.
func (p *Pong) SetRequestID(id []byte) { p.ReqID = id }

// SetRequestID implements Message.
func (p *Findnode) SetRequestID(id []byte) { p.ReqID = id }

// SetRequestID implements Message.
func (p *Nodes) SetRequestID(id []byte) { p.ReqID = id }

// SetRequestID implements Message.
func (p *TalkRequest) SetRequestID(id []byte) { p.ReqID = id }

// SetRequestID implements Message.
func (p *TalkResponse) SetRequestID(id []byte) { p.ReqID = id }

func (p *Ping) appendBody(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst = rlp.AppendBytes(dst, p.ReqID)
	dst = rlp.AppendUint64(dst, p.ENRSeq)
	return rlp.EndList(dst, mark)
}

func (p *Pong) appendBody(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst = rlp.AppendBytes(dst, p.ReqID)
	dst = rlp.AppendUint64(dst, p.ENRSeq)
	switch {
	case p.ToIP.Is4() || p.ToIP.Is4In6():
		ip := p.ToIP.Unmap().As4()
		dst = rlp.AppendBytes(dst, ip[:])
	case p.ToIP.Is6():
		ip := p.ToIP.As16()
		dst = rlp.AppendBytes(dst, ip[:])
	default:
		dst = rlp.AppendBytes(dst, nil)
	}
	dst = rlp.AppendUint64(dst, uint64(p.ToPort))
	return rlp.EndList(dst, mark)
}

func (p *Findnode) appendBody(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst = rlp.AppendBytes(dst, p.ReqID)
	dst, inner := rlp.StartList(dst)
	for _, d := range p.Distances {
		dst = rlp.AppendUint64(dst, uint64(d))
	}
	dst = rlp.EndList(dst, inner)
	return rlp.EndList(dst, mark)
}

func (p *Nodes) appendBody(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst = rlp.AppendBytes(dst, p.ReqID)
	dst = rlp.AppendUint64(dst, uint64(p.Total))
	dst, inner := rlp.StartList(dst)
	for _, r := range p.Nodes {
		// Unsigned records cannot be sent; they are skipped (callers only
		// hold signed ones).
		if out, err := r.AppendRLP(dst); err == nil {
			dst = out
		}
	}
	dst = rlp.EndList(dst, inner)
	return rlp.EndList(dst, mark)
}

func (p *TalkRequest) appendBody(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst = rlp.AppendBytes(dst, p.ReqID)
	dst = rlp.AppendString(dst, p.Protocol)
	dst = rlp.AppendBytes(dst, p.Message)
	return rlp.EndList(dst, mark)
}

func (p *TalkResponse) appendBody(dst []byte) []byte {
	dst, mark := rlp.StartList(dst)
	dst = rlp.AppendBytes(dst, p.ReqID)
	dst = rlp.AppendBytes(dst, p.Message)
	return rlp.EndList(dst, mark)
}

// AppendMessage appends the plaintext of m, type ‖ rlp(body), to dst.
func AppendMessage(dst []byte, m Message) []byte {
	dst = append(dst, m.Kind())
	return m.appendBody(dst)
}

// DecodeMessage decodes a message plaintext, type ‖ rlp(body). The body
// must hold exactly the message's fields: a missing or extra element, or
// any byte after the body, is an error wrapping ErrMalformed. Unknown types
// give ErrUnknownMessage. The result does not alias b.
func DecodeMessage(b []byte) (Message, error) {
	return decodeMessage(b, enr.Decode)
}

// decodeMessage is DecodeMessage with the function that decodes and
// verifies the records of a NODES message.
func decodeMessage(b []byte, decodeRecord func([]byte) (*enr.Record, error)) (Message, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty message", ErrMalformed)
	}
	kind, body := b[0], b[1:]
	var (
		m   Message
		err error
	)
	switch kind {
	case PingMsg:
		m, err = decodePing(body)
	case PongMsg:
		m, err = decodePong(body)
	case FindnodeMsg:
		m, err = decodeFindnode(body)
	case NodesMsg:
		m, err = decodeNodes(body, decodeRecord)
	case TalkRequestMsg:
		m, err = decodeTalkRequest(body)
	case TalkResponseMsg:
		m, err = decodeTalkResponse(body)
	default:
		return nil, fmt.Errorf("%w %#02x", ErrUnknownMessage, kind)
	}
	if err != nil {
		return nil, err
	}
	return m, nil
}

// walker reads the elements of one list in order, recording the first
// failure so that a decoder checks err once at the end.
type walker struct {
	name string
	b    []byte
	err  error
}

var errMissing = errors.New("missing element")

func openBody(name string, b []byte) *walker {
	w := &walker{name: name}
	content, rest, err := rlp.SplitList(b)
	switch {
	case err != nil:
		w.fail("body", err)
	case len(rest) != 0:
		w.fail("body", fmt.Errorf("%d bytes after the body", len(rest)))
	}
	w.b = content
	return w
}

func (w *walker) fail(field string, err error) {
	if w.err == nil {
		w.err = fmt.Errorf("%w: %s.%s: %w", ErrMalformed, w.name, field, err)
	}
}

func (w *walker) next(field string) bool {
	if w.err != nil {
		return false
	}
	if len(w.b) == 0 {
		w.fail(field, errMissing)
		return false
	}
	return true
}

func (w *walker) bytes(field string) []byte {
	if !w.next(field) {
		return nil
	}
	s, rest, err := rlp.SplitString(w.b)
	if err != nil {
		w.fail(field, err)
		return nil
	}
	w.b = rest
	return append([]byte{}, s...)
}

func (w *walker) reqID() []byte {
	id := w.bytes("req-id")
	if w.err == nil && len(id) > MaxRequestIDSize {
		w.err = fmt.Errorf("%w: %s: %d bytes", ErrInvalidReqID, w.name, len(id))
	}
	return id
}

func (w *walker) uint(field string, max uint64) uint64 {
	if !w.next(field) {
		return 0
	}
	x, rest, err := rlp.SplitUint64(w.b)
	if err != nil {
		w.fail(field, err)
		return 0
	}
	if x > max {
		w.fail(field, fmt.Errorf("%d out of range", x))
		return 0
	}
	w.b = rest
	return x
}

// list opens a nested list and returns its content.
func (w *walker) list(field string) []byte {
	if !w.next(field) {
		return nil
	}
	content, rest, err := rlp.SplitList(w.b)
	if err != nil {
		w.fail(field, err)
		return nil
	}
	w.b = rest
	return content
}

// end checks that the body holds no more elements.
func (w *walker) end() error {
	if w.err == nil && len(w.b) != 0 {
		w.fail("body", errors.New("extra elements"))
	}
	return w.err
}

func decodePing(b []byte) (*Ping, error) {
	w := openBody("PING", b)
	p := &Ping{ReqID: w.reqID(), ENRSeq: w.uint("enr-seq", math.MaxUint64)}
	return p, w.end()
}

func decodePong(b []byte) (*Pong, error) {
	w := openBody("PONG", b)
	p := &Pong{ReqID: w.reqID(), ENRSeq: w.uint("enr-seq", math.MaxUint64)}
	switch ip := w.bytes("recipient-ip"); len(ip) {
	case 4:
		p.ToIP = netip.AddrFrom4([4]byte(ip))
	case 16:
		p.ToIP = netip.AddrFrom16([16]byte(ip)).Unmap()
	}
	p.ToPort = uint16(w.uint("recipient-port", math.MaxUint16))
	return p, w.end()
}

func decodeFindnode(b []byte) (*Findnode, error) {
	w := openBody("FINDNODE", b)
	p := &Findnode{ReqID: w.reqID()}
	dists := w.list("distances")
	if w.err == nil {
		n, err := rlp.CountValues(dists)
		if err != nil {
			w.fail("distances", err)
		} else {
			p.Distances = make([]uint, 0, n)
		}
	}
	for w.err == nil && len(dists) > 0 {
		d, rest, err := rlp.SplitUint64(dists)
		if err != nil {
			w.fail("distances", err)
			break
		}
		// Distances above MaxDistance are kept: the responder skips them.
		if d > math.MaxUint32 {
			w.fail("distances", fmt.Errorf("%d out of range", d))
			break
		}
		p.Distances = append(p.Distances, uint(d))
		dists = rest
	}
	return p, w.end()
}

func decodeNodes(b []byte, decodeRecord func([]byte) (*enr.Record, error)) (*Nodes, error) {
	w := openBody("NODES", b)
	p := &Nodes{ReqID: w.reqID(), Total: uint8(w.uint("total", math.MaxUint8))}
	recs := w.list("nodes")
	for w.err == nil && len(recs) > 0 {
		k, _, rest, err := rlp.Split(recs)
		if err == nil && k != rlp.List {
			err = rlp.ErrExpectedList
		}
		if err != nil {
			w.fail("nodes", err)
			break
		}
		// Any invalid or oversized record fails the whole packet.
		r, err := decodeRecord(recs[:len(recs)-len(rest)])
		if err != nil {
			w.fail("nodes", err)
			break
		}
		p.Nodes = append(p.Nodes, r)
		recs = rest
	}
	return p, w.end()
}

func decodeTalkRequest(b []byte) (*TalkRequest, error) {
	w := openBody("TALKREQ", b)
	p := &TalkRequest{ReqID: w.reqID(), Protocol: string(w.bytes("protocol")), Message: w.bytes("request")}
	return p, w.end()
}

func decodeTalkResponse(b []byte) (*TalkResponse, error) {
	w := openBody("TALKRESP", b)
	p := &TalkResponse{ReqID: w.reqID(), Message: w.bytes("response")}
	return p, w.end()
}
