package discover

import (
	"net/netip"
	"sync"

	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/nodeid"
)

// TalkHandler answers a TALKREQ of one protocol from the node id at addr.
// It runs on its own goroutine and should return quickly; the returned
// bytes are the TALKRESP. It must not keep msg.
type TalkHandler func(id nodeid.ID, addr netip.AddrPort, msg []byte) []byte

// talkSystem runs TALKREQ handlers on at most a fixed number of
// goroutines; a request arriving when all are busy is dropped.
type talkSystem struct {
	t     *UDPv5
	slots chan struct{}

	mu       sync.Mutex
	handlers map[string]TalkHandler // protected by mu
}

func newTalkSystem(t *UDPv5, workers int) *talkSystem {
	return &talkSystem{t: t, slots: make(chan struct{}, workers), handlers: make(map[string]TalkHandler)}
}

func (ts *talkSystem) register(protocol string, h TalkHandler) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.handlers[protocol] = h
}

// handle is called by dispatch. Unknown protocols get an empty TALKRESP
// at once.
func (ts *talkSystem) handle(m *v5wire.TalkRequest, src nodeid.ID, from netip.AddrPort) {
	ts.mu.Lock()
	h := ts.handlers[m.Protocol]
	ts.mu.Unlock()
	t := ts.t
	if h == nil {
		t.send(src, from, &v5wire.TalkResponse{ReqID: m.ReqID})
		return
	}
	select {
	case ts.slots <- struct{}{}:
	default:
		t.log.Debug("discv5: TALKREQ dropped, all handlers busy", "protocol", m.Protocol, "addr", from)
		return
	}
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer func() { <-ts.slots }()
		resp := h(src, from, m.Message)
		select {
		case t.sendCh <- v5reply{id: src, addr: from, msg: &v5wire.TalkResponse{ReqID: m.ReqID, Message: resp}}:
		case <-t.closing:
		}
	}()
}
