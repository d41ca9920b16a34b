package discover

import (
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/internal/config"
	"github.com/devp2p-go/devp2p/internal/netutil"
)

// Defaults for the zero values of V5Config.
const (
	// DefaultV5ResponseTimeout is how long a discv5 request waits for each
	// response packet (go-ethereum: 700 ms; the spec suggests 500 ms plus
	// 1 s for a handshake, which this covers together).
	DefaultV5ResponseTimeout = 700 * time.Millisecond
	// DefaultMaxSessions bounds the discv5 session cache (LRU).
	DefaultMaxSessions = v5wire.DefaultMaxSessions
	// DefaultMaxSessionsPerIP bounds the discv5 sessions of one non-LAN
	// source (an IPv4 address or an IPv6 /64).
	DefaultMaxSessionsPerIP = v5wire.DefaultMaxSessionsPerIP
	// DefaultHandshakesPerIP bounds the WHOAREYOU challenges, and so the
	// handshakes, we grant one non-LAN source (an IPv4 address or an IPv6
	// /64) per second.
	DefaultHandshakesPerIP = 10
	// DefaultMaxTalkWorkers bounds the TALKREQ handlers running at once;
	// requests beyond it are dropped.
	DefaultMaxTalkWorkers = 16
)

// Limits of discv5 responses, fixed by the protocol's sizes.
const (
	// v5MaxNodesPackets caps the NODES packets of one response we accept
	// (go-ethereum: 5; later packets are ignored).
	v5MaxNodesPackets = 5
	// v5MaxNodesResults caps the records we accept in and send in one
	// NODES response.
	v5MaxNodesResults = BucketSize
	// v5NodesRecordBytes is how many record bytes we put in one NODES
	// packet (go-ethereum: 1000); three 300-byte records fit.
	v5NodesRecordBytes = 1000
	// v5MaxTrackedIPs bounds the handshake rate limiter's table.
	v5MaxTrackedIPs = 10000
	// v5UnhandledQueue is the length of the queue of packets discv4
	// passes on to discv5 on a shared socket (go-ethereum: 100); packets
	// are dropped when it is full.
	v5UnhandledQueue = 100
)

// V5Config configures discv5 (ListenV5, or Listen with Enable set). The
// node key, record, database, clock, randomness, logger and NetRestrict
// come from the enclosing Config. The zero value works.
type V5Config struct {
	// Enable makes Listen also run discv5 on the discv4 socket, sharing
	// the table, the database and the record; see UDPv4.V5. ListenV5
	// ignores it.
	Enable bool
	// Bootnodes are the discv5 bootstrap nodes (enode:// or enr:; the
	// handshake needs their public key and UDP endpoint).
	Bootnodes []*Node
	// ResponseTimeout is how long a request waits for each response
	// packet; zero means DefaultV5ResponseTimeout (700 ms).
	ResponseTimeout time.Duration
	// MaxSessions bounds the session cache; zero means DefaultMaxSessions
	// (1024).
	MaxSessions int
	// MaxSessionsPerIP bounds the sessions of one non-LAN source, an IPv4
	// address or an IPv6 /64; a new session from a source at the bound
	// evicts that source's least recently used one. Zero means
	// DefaultMaxSessionsPerIP (16).
	MaxSessionsPerIP int
	// HandshakesPerIP bounds the handshakes granted to one non-LAN source
	// per second, an IPv4 address or an IPv6 /64 (all addresses of one
	// host); zero means DefaultHandshakesPerIP (10).
	HandshakesPerIP int
	// MaxTalkWorkers bounds the TALKREQ handlers running at once; zero
	// means DefaultMaxTalkWorkers (16).
	MaxTalkWorkers int
}

func (c V5Config) withDefaults() (V5Config, error) {
	ck := config.NewChecker(ErrInvalidConfig)
	config.NonNegative(ck, "V5.ResponseTimeout", c.ResponseTimeout)
	config.NonNegative(ck, "V5.MaxSessions", c.MaxSessions)
	config.NonNegative(ck, "V5.MaxSessionsPerIP", c.MaxSessionsPerIP)
	config.NonNegative(ck, "V5.HandshakesPerIP", c.HandshakesPerIP)
	config.NonNegative(ck, "V5.MaxTalkWorkers", c.MaxTalkWorkers)
	if err := ck.Err(); err != nil {
		return c, err
	}
	config.Default(&c.ResponseTimeout, DefaultV5ResponseTimeout)
	config.Default(&c.MaxSessions, DefaultMaxSessions)
	config.Default(&c.MaxSessionsPerIP, DefaultMaxSessionsPerIP)
	config.Default(&c.HandshakesPerIP, DefaultHandshakesPerIP)
	config.Default(&c.MaxTalkWorkers, DefaultMaxTalkWorkers)
	c.Bootnodes = append([]*Node(nil), c.Bootnodes...)
	return c, nil
}

// ipRateLimiter counts events per source in one-second windows: an IPv4
// address, or an IPv6 /64, since one host usually holds a whole /64 and
// could otherwise take a fresh address for every event. LAN and loopback
// addresses are exempt. It is owned by one goroutine.
type ipRateLimiter struct {
	limit  int
	window time.Time
	counts map[netip.Prefix]int
}

func newIPRateLimiter(limit int) *ipRateLimiter {
	return &ipRateLimiter{limit: limit, counts: make(map[netip.Prefix]int)}
}

// allow counts one event from ip at now and reports whether it is within
// the limit.
func (l *ipRateLimiter) allow(ip netip.Addr, now time.Time) bool {
	if netutil.IsLAN(ip) {
		return true
	}
	if now.Sub(l.window) >= time.Second || now.Before(l.window) {
		clear(l.counts)
		l.window = now
	}
	key := netutil.Source(ip)
	if !key.IsValid() {
		return false // not an IP address
	}
	n, ok := l.counts[key]
	if !ok && len(l.counts) >= v5MaxTrackedIPs {
		return false
	}
	if n >= l.limit {
		return false
	}
	l.counts[key] = n + 1
	return true
}
