package discover

import (
	"bytes"
	"context"
	"errors"
	"net/netip"
	"slices"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/nodeid"
)

// errSecondHandshake fails a call whose node asks for a second handshake.
var errSecondHandshake = errors.New("discv5: node asked for a second handshake")

// v5call is one request and the responses it waits for. Calls to one node
// run one at a time, in order, so that a WHOAREYOU can only answer the
// active one.
type v5call struct {
	// Immutable.
	node         *Node
	id           nodeid.ID
	addr         netip.AddrPort
	reqID        []byte
	msg          v5wire.Message
	responseType byte
	resp         chan v5wire.Message // buffered; dispatch never blocks on it
	err          chan error          // capacity 1; the first outcome wins

	// Owned by dispatch.
	nonce          v5wire.Nonce
	handshakeCount int
	challenge      *v5wire.Whoareyou
	timer          clock.Timer
	timerArmed     bool
	timerGen       int // tells a stale timeout from the current one
	nodesPackets   int // NODES packets let through to record checks (wantNodes)
}

// v5timeout is a fired response timer.
type v5timeout struct {
	c   *v5call
	gen int
}

// fail reports err unless an outcome is already reported.
func (c *v5call) fail(err error) {
	select {
	case c.err <- err:
	default:
	}
}

func (c *v5call) stopTimer() {
	if c.timer != nil {
		c.timer.Stop()
	}
	c.timerArmed = false
}

// call starts a request to n. The caller reads c.resp and c.err, and must
// call callDone when it stops waiting.
func (t *UDPv5) call(n *Node, responseType byte, msg v5wire.Message) *v5call {
	c := &v5call{
		node:         n,
		id:           n.ID(),
		addr:         n.UDPAddr(),
		reqID:        newReqID(),
		msg:          msg,
		responseType: responseType,
		resp:         make(chan v5wire.Message, v5MaxNodesPackets+1),
		err:          make(chan error, 1),
	}
	msg.SetRequestID(c.reqID)
	select {
	case t.callCh <- c:
	case <-t.closing:
		c.fail(ErrClosed)
	}
	return c
}

// callDone tells dispatch that nobody waits for c any more.
func (t *UDPv5) callDone(c *v5call) {
	select {
	case t.callDoneCh <- c:
	case <-t.closing:
	}
}

// sendNextCall starts the next queued call to id unless one is active.
func (t *UDPv5) sendNextCall(id nodeid.ID) {
	if t.activeByNode[id] != nil {
		return
	}
	q := t.queued[id]
	if len(q) == 0 {
		return
	}
	c := q[0]
	if len(q) == 1 {
		delete(t.queued, id)
	} else {
		t.queued[id] = q[1:]
	}
	t.activeByNode[id] = c
	t.sendCall(c)
}

// sendCall (re)sends c's request: as a handshake when a WHOAREYOU for it
// arrived, else as a message (a random packet without a session).
func (t *UDPv5) sendCall(c *v5call) {
	delete(t.activeByNonce, c.nonce)
	var (
		pkt []byte
		err error
	)
	if c.challenge != nil {
		pkt, c.nonce, err = t.codec.EncodeHandshake(c.id, c.addr, c.node.Pubkey(), c.challenge, c.msg)
	} else {
		pkt, c.nonce, err = t.codec.EncodeMessage(c.id, c.addr, c.msg)
	}
	if err != nil {
		c.fail(err)
		return
	}
	t.activeByNonce[c.nonce] = c
	t.armTimer(c)
	t.write(c.id, c.addr, c.msg.Kind(), c.msg.Name(), pkt)
}

// armTimer (re)starts c's response timeout.
func (t *UDPv5) armTimer(c *v5call) {
	c.stopTimer()
	c.timerArmed = true
	c.timerGen++
	to := v5timeout{c, c.timerGen}
	c.timer = t.clock.AfterFunc(t.v5.ResponseTimeout, func() {
		select {
		case t.timeoutCh <- to:
		case <-t.closing:
		}
	})
}

// finishCall drops c, active or queued, and starts the next call to its
// node.
func (t *UDPv5) finishCall(c *v5call) {
	if t.activeByNode[c.id] == c {
		c.stopTimer()
		delete(t.activeByNode, c.id)
		delete(t.activeByNonce, c.nonce)
		t.pending--
		t.sendNextCall(c.id)
		return
	}
	if q := t.queued[c.id]; slices.Contains(q, c) {
		q = slices.DeleteFunc(q, func(x *v5call) bool { return x == c })
		if len(q) == 0 {
			delete(t.queued, c.id)
		} else {
			t.queued[c.id] = q
		}
		t.pending--
	}
}

// handleWhoareyou resends the call the WHOAREYOU answers as a handshake.
// A WHOAREYOU whose nonce matches no request of ours (a response, a
// forgery, a late one) is ignored.
func (t *UDPv5) handleWhoareyou(w *v5wire.Whoareyou, from netip.AddrPort) {
	c := t.activeByNonce[w.Nonce]
	if c == nil || c.addr != from {
		t.log.Debug("discv5: unsolicited WHOAREYOU", "addr", from)
		return
	}
	if c.handshakeCount > 0 {
		c.fail(errSecondHandshake)
		return
	}
	t.log.Debug("discv5: << WHOAREYOU", "id", c.id.TerminalString(), "addr", from)
	c.handshakeCount++
	c.challenge = w
	t.sendCall(c)
}

// handleResponse passes a response to the active call it belongs to: same
// node, endpoint, request ID and expected type. Anything else is dropped.
func (t *UDPv5) handleResponse(m v5wire.Message, src nodeid.ID, from netip.AddrPort) {
	c := t.activeByNode[src]
	if c == nil || c.addr != from || m.Kind() != c.responseType || !bytes.Equal(c.reqID, m.RequestID()) {
		t.log.Debug("discv5: unsolicited response", "msg", m.Name(), "id", src.TerminalString(), "addr", from)
		return
	}
	// Each packet of a multi-packet response restarts the timeout.
	t.armTimer(c)
	select {
	case c.resp <- m:
	default:
	}
}

// wait returns c's next response or its failure.
func (c *v5call) wait(ctx context.Context) (v5wire.Message, error) {
	select {
	case m := <-c.resp:
		return m, nil
	case err := <-c.err:
		return nil, err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Ping sends a PING to n and waits for the PONG. It returns the record
// sequence number the PONG announces.
func (t *UDPv5) Ping(ctx context.Context, n *Node) (seq uint64, err error) {
	pong, err := t.pingPong(ctx, n)
	if err != nil {
		return 0, err
	}
	return pong.ENRSeq, nil
}

func (t *UDPv5) pingPong(ctx context.Context, n *Node) (*v5wire.Pong, error) {
	c := t.call(n, v5wire.PongMsg, &v5wire.Ping{ENRSeq: t.localNode.Seq()})
	defer t.callDone(c)
	m, err := c.wait(ctx)
	if err != nil {
		return nil, err
	}
	pong := m.(*v5wire.Pong)
	// A PONG to our PING is a statement about our endpoint.
	t.predict.note(n.IP(), netip.AddrPortFrom(pong.ToIP, pong.ToPort))
	return pong, nil
}

// ping implements tableNet.
func (t *UDPv5) ping(ctx context.Context, n *Node) (uint64, error) { return t.Ping(ctx, n) }

// requestENR implements tableNet.
func (t *UDPv5) requestENR(ctx context.Context, n *Node) (*Node, error) { return t.RequestENR(ctx, n) }

// RequestENR asks n for its current record (FINDNODE at distance 0).
func (t *UDPv5) RequestENR(ctx context.Context, n *Node) (*Node, error) {
	nodes, err := t.FindNode(ctx, n, []uint{0})
	if err != nil {
		return nil, err
	}
	if len(nodes) != 1 || nodes[0].ID() != n.ID() {
		return nil, ErrRecordMismatch
	}
	return nodes[0], nil
}

// TalkRequest sends a TALKREQ for protocol to n and returns the response
// (empty when n does not know protocol).
func (t *UDPv5) TalkRequest(ctx context.Context, n *Node, protocol string, req []byte) ([]byte, error) {
	c := t.call(n, v5wire.TalkResponseMsg, &v5wire.TalkRequest{Protocol: protocol, Message: req})
	defer t.callDone(c)
	m, err := c.wait(ctx)
	if err != nil {
		return nil, err
	}
	return m.(*v5wire.TalkResponse).Message, nil
}
