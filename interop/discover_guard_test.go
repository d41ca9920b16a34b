package interop

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gdiscover "github.com/ethereum/go-ethereum/p2p/discover"
)

// go-ethereum's discv4 checks the clock against pool.ntp.org (a DNS lookup
// and an NTP query) after 32 reply timeouts in a row. Tests here must never
// send traffic beyond loopback, so every go-ethereum node that may see
// timeouts runs on a guardConn, which closes the node's socket long before
// that point. As a second, independent layer, this test binary's default
// resolver refuses every DNS query: go-ethereum resolves the NTP pool through
// net.DefaultResolver, so even a missed guard cannot reach the network.
// Names in /etc/hosts (localhost) still resolve.
func init() {
	net.DefaultResolver = &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			return nil, errDNSBlocked
		},
	}
}

var errDNSBlocked = errors.New("interop tests: DNS is blocked (loopback only)")

// guardLimit is the number of requests in a row without a reply at which a
// guardConn closes its node: far below go-ethereum's 32.
const guardLimit = 12

// discv4 packet type bytes, at offset 97 (after hash and signature).
const (
	v4TypeOffset  = 97
	v4Ping        = 1
	v4Pong        = 2
	v4Findnode    = 3
	v4Neighbors   = 4
	v4ENRRequest  = 5
	v4ENRResponse = 6
)

// errGuardTripped is returned by a guardConn's writes after it closed.
var errGuardTripped = errors.New("timeout guard tripped")

// guardConn wraps a go-ethereum node's UDPConn. It counts the requests the
// node sends (ping, findnode, enrrequest) since the last reply it received
// (pong, neighbors, enrresponse). When that count would reach guardLimit,
// the request is not sent, the connection is closed and tripped reports it.
// It also counts every packet sent, for the benchmark.
type guardConn struct {
	gdiscover.UDPConn
	sent    *atomic.Int64 // packets sent, shared across a network
	anyTrip *atomic.Bool  // set when any guard of the network trips

	mu         sync.Mutex
	unanswered int
	requests   int // requests sent, all time
	trippedErr error
	trippedCh  chan struct{}
}

func newGuardConn(c gdiscover.UDPConn, sent *atomic.Int64, anyTrip *atomic.Bool) *guardConn {
	return &guardConn{UDPConn: c, sent: sent, anyTrip: anyTrip, trippedCh: make(chan struct{})}
}

// packetType returns the discv4 type of b, or 0 for anything that is not
// a discv4 packet (such as discv5 traffic on a shared socket), which the
// hash at its start tells apart.
func packetType(b []byte) byte {
	if len(b) <= v4TypeOffset || !bytes.Equal(b[:32], gcrypto.Keccak256(b[32:])) {
		return 0
	}
	return b[v4TypeOffset]
}

func (g *guardConn) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	g.mu.Lock()
	if g.trippedErr != nil {
		g.mu.Unlock()
		return 0, g.trippedErr
	}
	switch packetType(b) {
	case v4Ping, v4Findnode, v4ENRRequest:
		g.unanswered++
		if g.unanswered >= guardLimit {
			g.trippedErr = fmt.Errorf("%w: node at %v sent %d requests without a reply (last to %v); closed before go-ethereum's NTP check",
				errGuardTripped, g.UDPConn.LocalAddr(), g.unanswered-1, to)
			close(g.trippedCh)
			g.anyTrip.Store(true)
			g.mu.Unlock()
			g.UDPConn.Close()
			return 0, g.trippedErr
		}
		g.requests++
	}
	g.mu.Unlock()
	g.sent.Add(1)
	return g.UDPConn.WriteToUDPAddrPort(b, to)
}

func (g *guardConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	n, from, err := g.UDPConn.ReadFromUDPAddrPort(b)
	if err == nil {
		switch packetType(b[:n]) {
		case v4Pong, v4Neighbors, v4ENRResponse:
			g.mu.Lock()
			g.unanswered = 0
			g.mu.Unlock()
		}
	}
	return n, from, err
}

// tripped returns the guard's error, or nil if it never fired.
func (g *guardConn) tripped() error {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.trippedErr
}

// requestsSent returns how many requests passed the guard.
func (g *guardConn) requestsSent() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.requests
}
