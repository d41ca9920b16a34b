package server

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"strconv"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/dial"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/peer"
)

// Defaults for the zero values of Config's fields.
const (
	DefaultName             = "devp2p-go"
	DefaultListenAddr       = ":30303"
	DefaultMaxPeers         = 50
	DefaultMaxPendingPeers  = 50
	DefaultDialRatio        = 3
	DefaultHandshakeTimeout = 5 * time.Second
)

// ErrInvalidConfig is wrapped by every error New returns for a Config it
// cannot use.
var ErrInvalidConfig = errors.New("server: invalid config")

// Config configures a Server. New copies it (including its slices), so the
// caller may reuse or change it afterwards without affecting the server.
// The zero value of every field except PrivateKey is usable and means the
// default documented on the field.
type Config struct {
	// PrivateKey is the node key; its public key is the node's identity.
	// Required.
	PrivateKey *secp256k1.PrivateKey

	// Name is the client name sent in Hello, conventionally
	// "name/version/os-arch/go-version". Default DefaultName.
	Name string

	// Protocols are the sub-protocols the server runs on each peer that
	// shares at least one of them. Each needs a Name of 1–8 ASCII
	// characters, a Run function, and a (Name, Version) pair no other entry
	// has. A server with no protocols connects and immediately drops every
	// peer as useless, which is only good for discovery or tests.
	Protocols []peer.Protocol

	// ListenAddr is the TCP address to accept connections on, as
	// "host:port". Port 0 picks a free port (see Server.Self for the actual
	// one). Default DefaultListenAddr, all interfaces; tests use
	// "127.0.0.1:0".
	ListenAddr string

	// MaxPeers caps the number of connected peers. Trusted nodes don't count
	// against it. Default DefaultMaxPeers.
	MaxPeers int

	// MaxInboundPeers caps the peers that dialed us. Default: MaxPeers minus
	// MaxPeers/DialRatio, which keeps room for the peers we dial ourselves.
	// Must not exceed MaxPeers.
	MaxInboundPeers int

	// MaxOutboundPeers caps the peers we dialed (static and discovered).
	// Default MaxPeers. Must not exceed MaxPeers. The dial scheduler dials
	// discovered nodes only up to min(MaxPeers/DialRatio, MaxOutboundPeers).
	MaxOutboundPeers int

	// MaxPendingPeers caps the inbound connections whose handshakes are in
	// flight. Further connections wait in the kernel's accept backlog.
	// Default DefaultMaxPendingPeers.
	MaxPendingPeers int

	// DialRatio sets the share of MaxPeers filled by dialing discovered
	// nodes: at most MaxPeers/DialRatio of them. Default DefaultDialRatio.
	DialRatio int

	// MaxPendingDials caps the dials in flight, static and discovered
	// together. Default dial.DefaultMaxActiveDials (16).
	MaxPendingDials int

	// NoDial disables dialing: neither static nor discovered nodes are
	// dialed, and the server only accepts connections.
	NoDial bool

	// NoDiscovery disables the discv4 UDP endpoint. Static nodes are still
	// dialed, but they are not re-resolved when their address changes.
	NoDiscovery bool

	// DiscoveryAddr is the UDP address for discovery, as "host:port".
	// Default: the host of ListenAddr and the TCP port actually listened on.
	DiscoveryAddr string

	// BootstrapNodes seed the discovery table.
	BootstrapNodes []*discover.Node

	// DiscoveryV5 runs discv5 on the discovery socket, beside discv4;
	// nodes are dialed from every protocol that runs. NoDiscoveryV4 runs
	// discv5 alone (DiscoveryV5 is then implied).
	DiscoveryV5   bool
	NoDiscoveryV4 bool
	// BootstrapNodesV5 seed discv5 (enode:// or enr: nodes).
	BootstrapNodesV5 []*discover.Node

	// StaticNodes are dialed at start and redialed, with backoff, whenever
	// their connection drops. See also Server.AddPeer.
	StaticNodes []*discover.Node

	// TrustedNodes may connect (or be connected to) even when the peer
	// limits are reached. See also Server.AddTrustedPeer.
	TrustedNodes []*discover.Node

	// NetRestrict, when not empty, is the allow-list of networks peers may
	// come from or be dialed at: inbound connections from other addresses
	// are closed before the handshake and other nodes are never dialed. It
	// is also handed to discovery.
	NetRestrict []netip.Prefix

	// Discovery is the template for the discv4 endpoint's settings
	// (timeouts, intervals); the server sets its PrivateKey, LocalNode,
	// Bootnodes, NodeDB, NetRestrict, Clock and Log fields from this
	// Config. Zero fields take discover.Config's defaults.
	Discovery discover.Config

	// NodeDBPath is the directory of the persistent discovery node
	// database. Default "": an in-memory database.
	NodeDBPath string

	// Dialer opens outbound connections. Default dial.TCPDialer with a 15 s
	// connect timeout.
	Dialer dial.Dialer

	// Peer is the template for each peer's settings (ping interval, read
	// timeout, message size limits, queue length); the server sets its
	// Inbound, Clock and Log fields. Zero fields take peer.Config's
	// defaults.
	Peer peer.Config

	// HandshakeTimeout bounds the encryption handshake and the Hello
	// exchange together. Default DefaultHandshakeTimeout.
	HandshakeTimeout time.Duration

	// Logger receives the server's logs; peers are logged with "id" and
	// "addr" attributes, and dropped peers at debug level with their
	// reason. Default: logs are discarded.
	Logger *slog.Logger

	// Clock is the time source for admission throttling, dialing and peer
	// keepalives. Default clock.System.
	Clock clock.Clock
}

// withDefaults checks cfg and returns a copy with every default applied.
// It is the only place defaults are decided.
func (cfg Config) withDefaults() (Config, error) {
	bad := func(format string, args ...any) (Config, error) {
		return Config{}, fmt.Errorf("%w: %s", ErrInvalidConfig, fmt.Sprintf(format, args...))
	}
	if cfg.PrivateKey == nil {
		return bad("PrivateKey is required")
	}
	for _, f := range []struct {
		name string
		v    int
	}{
		{"MaxPeers", cfg.MaxPeers}, {"MaxInboundPeers", cfg.MaxInboundPeers},
		{"MaxOutboundPeers", cfg.MaxOutboundPeers}, {"MaxPendingPeers", cfg.MaxPendingPeers},
		{"DialRatio", cfg.DialRatio}, {"MaxPendingDials", cfg.MaxPendingDials},
	} {
		if f.v < 0 {
			return bad("%s is negative (%d)", f.name, f.v)
		}
	}
	if cfg.HandshakeTimeout < 0 {
		return bad("HandshakeTimeout is negative (%v)", cfg.HandshakeTimeout)
	}

	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = DefaultListenAddr
	}
	if err := checkHostPort(cfg.ListenAddr); err != nil {
		return bad("ListenAddr %q: %v", cfg.ListenAddr, err)
	}
	if cfg.DiscoveryAddr != "" {
		if err := checkHostPort(cfg.DiscoveryAddr); err != nil {
			return bad("DiscoveryAddr %q: %v", cfg.DiscoveryAddr, err)
		}
	}
	if cfg.MaxPeers == 0 {
		cfg.MaxPeers = DefaultMaxPeers
	}
	if cfg.DialRatio == 0 {
		cfg.DialRatio = DefaultDialRatio
	}
	if cfg.MaxInboundPeers > cfg.MaxPeers {
		return bad("MaxInboundPeers (%d) exceeds MaxPeers (%d)", cfg.MaxInboundPeers, cfg.MaxPeers)
	}
	if cfg.MaxOutboundPeers > cfg.MaxPeers {
		return bad("MaxOutboundPeers (%d) exceeds MaxPeers (%d)", cfg.MaxOutboundPeers, cfg.MaxPeers)
	}
	if cfg.MaxInboundPeers == 0 {
		cfg.MaxInboundPeers = cfg.MaxPeers - cfg.MaxPeers/cfg.DialRatio
	}
	if cfg.MaxOutboundPeers == 0 {
		cfg.MaxOutboundPeers = cfg.MaxPeers
	}
	if cfg.MaxPendingPeers == 0 {
		cfg.MaxPendingPeers = DefaultMaxPendingPeers
	}
	if cfg.MaxPendingDials == 0 {
		cfg.MaxPendingDials = dial.DefaultMaxActiveDials
	}
	if cfg.HandshakeTimeout == 0 {
		cfg.HandshakeTimeout = DefaultHandshakeTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	cfg.Clock = clock.OrSystem(cfg.Clock)

	if err := checkProtocols(cfg.Protocols); err != nil {
		return bad("%v", err)
	}
	for _, list := range []struct {
		name  string
		nodes []*discover.Node
	}{{"BootstrapNodes", cfg.BootstrapNodes}, {"StaticNodes", cfg.StaticNodes}, {"TrustedNodes", cfg.TrustedNodes}} {
		if i := slices.Index(list.nodes, nil); i >= 0 {
			return bad("%s[%d] is nil", list.name, i)
		}
	}
	// Copy what the caller could otherwise change under us.
	cfg.NetRestrict = slices.Clone(cfg.NetRestrict)
	for i, p := range cfg.NetRestrict {
		if !p.IsValid() {
			return bad("NetRestrict[%d] is not a valid prefix", i)
		}
		cfg.NetRestrict[i] = p.Masked()
	}
	cfg.Protocols = slices.Clone(cfg.Protocols)
	cfg.BootstrapNodes = slices.Clone(cfg.BootstrapNodes)
	cfg.StaticNodes = slices.Clone(cfg.StaticNodes)
	cfg.TrustedNodes = slices.Clone(cfg.TrustedNodes)
	return cfg, nil
}

// dialLimit is the number of discovered nodes the scheduler may hold
// dialed at once.
func (cfg *Config) dialLimit() int {
	return min(cfg.MaxPeers/cfg.DialRatio, cfg.MaxOutboundPeers)
}

// limits returns the peer-count limits the checkpoints enforce.
func (cfg *Config) limits() limits {
	return limits{maxPeers: cfg.MaxPeers, maxInbound: cfg.MaxInboundPeers, maxOutbound: cfg.MaxOutboundPeers}
}

func checkHostPort(addr string) error {
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Errorf("bad port %q", port)
	}
	return nil
}

// maxCapNameLen is the longest capability name; the devp2p spec allows 8
// ASCII characters.
const maxCapNameLen = 8

func checkProtocols(protos []peer.Protocol) error {
	seen := make(map[peer.Cap]bool, len(protos))
	for i, p := range protos {
		if p.Name == "" || len(p.Name) > maxCapNameLen {
			return fmt.Errorf("Protocols[%d]: name %q must be 1-%d characters", i, p.Name, maxCapNameLen)
		}
		for _, c := range []byte(p.Name) {
			if c < 0x21 || c > 0x7e {
				return fmt.Errorf("Protocols[%d]: name %q is not printable ASCII", i, p.Name)
			}
		}
		if p.Run == nil {
			return fmt.Errorf("Protocols[%d] (%s/%d): Run is nil", i, p.Name, p.Version)
		}
		c := peer.Cap{Name: p.Name, Version: p.Version}
		if seen[c] {
			return fmt.Errorf("Protocols[%d]: %s/%d listed twice", i, p.Name, p.Version)
		}
		seen[c] = true
	}
	return nil
}
