package peer

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/internal/logging"
)

// emptyList is the payload of Ping and Pong: the RLP empty list.
var emptyList = []byte{0xc0}

// Run drives the peer until it disconnects and returns why, as a
// *DisconnectError (use ReasonOf or errors.As). It starts one reader
// goroutine and one goroutine per shared protocol, and waits for all of
// them before it returns; by then the connection is closed.
//
// Cancelling ctx disconnects with DiscQuitting. Run may be called once (a
// second call returns an error at once, not a *DisconnectError). If
// Disconnect was called before Run, Run sends the Disconnect and returns
// without starting any protocol: that is how a server turns away a peer
// after the Hello exchange.
func (p *Peer) Run(ctx context.Context) error {
	if !p.started.CompareAndSwap(false, true) {
		return errRunTwice
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		p.readLoop()
	}()
	// A peer rejected before Run (Disconnect already called) never starts
	// its protocols.
	if len(p.discReq) == 0 {
		for _, rw := range p.protos {
			wg.Add(1)
			go func() {
				defer wg.Done()
				p.runProtocol(rw)
			}()
		}
	}

	err := p.loop(ctx)
	close(p.closed)
	p.stopReads()
	p.shutdown(err)
	wg.Wait()
	p.log.Debug("Peer disconnected", "reason", err.Reason.String(), "remote", err.Remote, logging.Err(err.Err))
	return err
}

// loop is the peer's owner: it sends pings on a timer, answers the pings
// the reader queues, and waits for whatever ends the peer.
func (p *Peer) loop(ctx context.Context) *DisconnectError {
	ping := p.cfg.Clock.NewTimer(p.cfg.PingInterval)
	defer ping.Stop()
	for {
		select {
		case <-ping.C():
			if err := p.writeBase(pingMsg, emptyList); err != nil {
				return localDisc(DiscNetworkError, fmt.Errorf("peer: sending ping: %w", err))
			}
			ping.Reset(p.cfg.PingInterval)
		case <-p.pingRecv:
			if err := p.writeBase(pongMsg, emptyList); err != nil {
				return localDisc(DiscNetworkError, fmt.Errorf("peer: sending pong: %w", err))
			}
		case err := <-p.readErr:
			return err
		case err := <-p.writeErr:
			return localDisc(DiscNetworkError, err)
		case err := <-p.protoErr:
			return localDisc(reasonForError(err), err)
		case r := <-p.discReq:
			return localDisc(r, nil)
		case <-ctx.Done():
			return localDisc(DiscQuitting, context.Cause(ctx))
		}
	}
}

// writeBase writes a base protocol message from the loop.
func (p *Peer) writeBase(code uint64, payload []byte) error {
	<-p.wtoken
	defer func() { p.wtoken <- struct{}{} }()
	p.conn.SetWriteDeadline(time.Now().Add(p.cfg.WriteTimeout))
	wire, err := p.conn.WriteMsg(code, payload)
	if err == nil {
		p.sent(&p.base, code, len(payload), wire)
	}
	return err
}

// shutdown sends our Disconnect, if we chose the reason and the link still
// works, and closes the connection. Protocol writers see closed and stop
// taking the write token; one already writing gets up to discWriteTimeout
// to finish before the connection is closed under it.
func (p *Peer) shutdown(err *DisconnectError) {
	defer p.conn.Close()
	if err.Remote || err.Reason == DiscNetworkError {
		return
	}
	t := time.NewTimer(discWriteTimeout)
	defer t.Stop()
	select {
	case <-p.wtoken:
	case <-t.C:
		return
	}
	p.conn.SetWriteDeadline(time.Now().Add(discWriteTimeout))
	payload := encodeDisconnect(err.Reason)
	if wire, werr := p.conn.WriteMsg(disconnectMsg, payload); werr == nil {
		p.sent(&p.base, disconnectMsg, len(payload), wire)
	}
}

// runProtocol runs one protocol and reports its end to the loop.
func (p *Peer) runProtocol(rw *protoRW) {
	run := rw.proto.Run
	if run == nil {
		run = discardAll
	}
	err := run(p, rw)
	if err == nil {
		err = fmt.Errorf("peer: protocol %s returned: %w", rw.proto.Cap(), DiscQuitting)
	} else if errors.Is(err, ErrClosed) {
		select {
		case <-p.closed:
			// The peer is already closing; nothing new to report.
			return
		default:
		}
	}
	select {
	case p.protoErr <- err:
	case <-p.closed:
	}
}

// discardAll stands in for a nil Protocol.Run: it drops every message.
func discardAll(_ *Peer, rw MsgReadWriter) error {
	for {
		msg, err := rw.ReadMsg()
		if err != nil {
			return err
		}
		msg.Discard()
	}
}
