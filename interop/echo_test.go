package interop

import (
	"fmt"

	"github.com/ethereum/go-ethereum/p2p"

	"github.com/devp2p-go/devp2p/internal/echotest"
)

// The peer and server interop tests run "itest/1" between our stack and
// go-ethereum's p2p.Server. Codes 0 and 1 are the echo protocol of
// internal/echotest, which our side runs where it only answers and
// collects replies; go-ethereum's side is gethItestProtocol.
//
//	code 0  echo request: the receiver answers with code 1, same payload
//	code 1  echo reply
//	code 2  us → geth  "disconnect me": geth calls Peer.Disconnect(reason)
//	code 3  geth → us  greeting, sent by geth when the protocol starts
const (
	itestEcho      = echotest.Request
	itestEchoReply = echotest.Reply
	itestDiscMe    = 2
	itestGreeting  = 3
	itestLength    = 4
	gethGreeting   = "hello from geth"
)

// gethItestProtocol is go-ethereum's side of itest/1.
func gethItestProtocol() p2p.Protocol {
	return p2p.Protocol{Name: "itest", Version: 1, Length: itestLength, Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
		if err := p2p.Send(rw, itestGreeting, gethGreeting); err != nil {
			return err
		}
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			switch msg.Code {
			case itestEcho:
				if err := rw.WriteMsg(p2p.Msg{Code: itestEchoReply, Size: msg.Size, Payload: msg.Payload}); err != nil {
					return err
				}
			case itestDiscMe:
				var reason uint8
				if err := msg.Decode(&reason); err != nil {
					return err
				}
				p.Disconnect(p2p.DiscReason(reason))
			default:
				return fmt.Errorf("unexpected code %d", msg.Code)
			}
		}
	}}
}
