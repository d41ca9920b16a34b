package dial

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/discover"
)

var (
	// ErrNoEndpoint means a node has no usable TCP endpoint: no IP address,
	// an unspecified or multicast address, or TCP port zero.
	ErrNoEndpoint = errors.New("dial: node has no TCP endpoint")
	// ErrNetRestrict means a node's address is outside Config.NetRestrict.
	ErrNetRestrict = errors.New("dial: address not allowed by NetRestrict")
	// ErrNilSetup is returned by New when no SetupFunc is given.
	ErrNilSetup = errors.New("dial: nil setup function")
	// ErrInvalidConfig is returned, wrapped with details, by New for a Config
	// it cannot use.
	ErrInvalidConfig = errors.New("dial: invalid config")
	// ErrNoConn means a Dialer returned neither a connection nor an error.
	ErrNoConn = errors.New("dial: dialer returned no connection")
)

// Dialer opens a connection to a node's TCP endpoint. Implementations must
// return promptly once ctx is done. Tests substitute an in-memory dialer.
type Dialer interface {
	Dial(ctx context.Context, n *discover.Node) (net.Conn, error)
}

// TCPDialer is the default Dialer: a plain TCP connection to n.TCPAddr().
// Its zero value is ready to use.
type TCPDialer struct {
	// Timeout bounds connection establishment. Default DefaultDialTimeout
	// (15 s). The context passed to Dial may end it sooner.
	Timeout time.Duration
	// LocalAddr, if valid, is the local address to dial from.
	LocalAddr netip.AddrPort
}

// Dial connects to n's TCP endpoint. It fails with ErrNoEndpoint if n has
// none.
func (d TCPDialer) Dial(ctx context.Context, n *discover.Node) (net.Conn, error) {
	if !hasEndpoint(n) {
		return nil, ErrNoEndpoint
	}
	nd := net.Dialer{Timeout: d.Timeout}
	if nd.Timeout <= 0 {
		nd.Timeout = DefaultDialTimeout
	}
	if d.LocalAddr.IsValid() {
		nd.LocalAddr = net.TCPAddrFromAddrPort(d.LocalAddr)
	}
	return nd.DialContext(ctx, "tcp", n.TCPAddr().String())
}

// Resolver finds the current record of a node, typically by a discovery
// lookup of its ID. *discover.UDPv4 satisfies it. When it finds nothing newer
// Resolve returns nil or n itself; it must return promptly once ctx is done.
// Answers with another node's ID are ignored.
type Resolver interface {
	Resolve(ctx context.Context, n *discover.Node) *discover.Node
}

// NodeIterator is a source of discovered nodes. It has the method set of
// discover.Iterator, so any discovery iterator satisfies it.
type NodeIterator interface {
	// Next blocks until a node is available or the iterator is closed, and
	// reports whether a node is available.
	Next() bool
	// Node returns the node found by the last successful Next.
	Node() *discover.Node
	// Close ends the iteration and unblocks a concurrent Next.
	Close()
}

// SetupFunc turns a freshly dialled connection into a peer; the server runs
// the RLPx and Hello handshakes and its admission checks in it. static tells
// whether node was dialled as a static node; node is the record actually
// dialled, which may be fresher than the one the scheduler was given.
//
// It takes ownership of conn. It must return once ctx is done, and ctx is
// cancelled when it returns, so the peer it starts must not run on ctx. It
// returns nil only when the peer was admitted, after calling
// Scheduler.PeerAdded for it. When it returns an error the scheduler closes
// conn (closing it twice is harmless) and counts a failed dial. It runs on the
// dial's own goroutine and must not call Scheduler.Stop.
type SetupFunc func(ctx context.Context, conn net.Conn, node *discover.Node, static bool) error

// hasEndpoint reports whether n can be dialled over TCP.
func hasEndpoint(n *discover.Node) bool {
	ip := n.IP()
	return ip.IsValid() && !ip.IsUnspecified() && !ip.IsMulticast() && n.TCP() != 0
}
