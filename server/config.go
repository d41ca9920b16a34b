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
	"github.com/devp2p-go/devp2p/discover/dnsdisc"
	"github.com/devp2p-go/devp2p/internal/config"
	"github.com/devp2p-go/devp2p/nat"
	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/rlpx"
)

// Defaults for the zero values of Config's fields.
const (
	DefaultName            = "devp2p-go"
	DefaultListenAddr      = ":30303"
	DefaultMaxPeers        = 50
	DefaultMaxPendingPeers = 50
	DefaultDialRatio       = 3

	// DefaultAuthTimeout is how long an inbound connection may take to send
	// its complete auth, the first message of the RLPx handshake.
	DefaultAuthTimeout = rlpx.DefaultAuthTimeout

	// Defaults of the caps on inbound handshakes in flight from one source.
	// An IPv4 subnet is a /24, an IPv6 one a /64; every loopback address
	// counts as one subnet. LAN and loopback sources get more, for local
	// test networks and nodes behind one NAT, but not all the slots.
	DefaultMaxPendingPerIP        = 2
	DefaultMaxPendingPerSubnet    = 8
	DefaultMaxPendingPerLANIP     = 16
	DefaultMaxPendingPerLANSubnet = 32
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
	// characters and a (Name, Version) pair no other entry has; a nil Run
	// reads and discards the protocol's messages (peer.Protocol.Run). A server with no protocols connects and immediately drops every
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

	// MaxPendingPeers caps the inbound connections whose encryption
	// handshakes are in flight: from accept until the post-handshake
	// checkpoint, where they reserve a peer slot (or are refused). When
	// every slot is taken, a new connection takes the slot of one that has
	// not sent its complete auth yet, which is closed: the oldest such
	// connection of the subnet, then the address, holding the most slots,
	// provided that source holds more slots than the newcomer's or is the
	// newcomer's own address. Otherwise the new connection is closed. The
	// accept loop never waits for a slot. Default DefaultMaxPendingPeers.
	MaxPendingPeers int

	// MaxPendingPerIP caps the inbound handshakes in flight from one
	// public IP address, and MaxPendingPerSubnet those from one public
	// subnet (IPv4 /24, IPv6 /64). A connection beyond either cap takes a
	// slot of that address or subnet, by the rule of MaxPendingPeers, or
	// is closed. Defaults DefaultMaxPendingPerIP (2) and
	// DefaultMaxPendingPerSubnet (8).
	MaxPendingPerIP     int
	MaxPendingPerSubnet int

	// MaxPendingPerLANIP and MaxPendingPerLANSubnet are the same caps for
	// LAN addresses (private, link-local) and loopback; all loopback
	// addresses form one subnet. Defaults DefaultMaxPendingPerLANIP (16)
	// and DefaultMaxPendingPerLANSubnet (32).
	MaxPendingPerLANIP     int
	MaxPendingPerLANSubnet int

	// DialRatio sets the share of MaxPeers filled by dialing discovered
	// nodes: at most MaxPeers/DialRatio of them. Default DefaultDialRatio.
	// A ratio that leaves no room for inbound peers (MaxPeers/DialRatio ==
	// MaxPeers, e.g. DialRatio 1) is rejected unless MaxInboundPeers is set.
	DialRatio int

	// StaticBackoffMin and StaticBackoffMax bound the delay before a static
	// node is redialled after a failed dial or a short-lived connection; it
	// doubles from the minimum up to the maximum. Defaults
	// dial.DefaultStaticBackoffMin (5 s) and dial.DefaultStaticBackoffMax
	// (5 min).
	StaticBackoffMin time.Duration
	StaticBackoffMax time.Duration

	// DialHistoryExpiry is how long a dialled discovered node is not dialled
	// again. Default dial.DefaultHistoryExpiry (30 s).
	DialHistoryExpiry time.Duration

	// MaxPendingDials caps the dials in flight, static and discovered
	// together. Default dial.DefaultMaxActiveDials (16).
	MaxPendingDials int

	// NoDial disables dialing: neither static nor discovered nodes are
	// dialed, and the server only accepts connections.
	NoDial bool

	// NoDiscovery disables the discovery UDP endpoint: neither discv4 nor
	// discv5 runs, whatever DiscoveryV5 and NoDiscoveryV4 say. Static
	// nodes are still dialed, but they are not re-resolved when their
	// address changes.
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

	// Discovery tunes the discv4 endpoint (timeouts, intervals, pending
	// replies). The server owns the endpoint's identity and surroundings:
	// LocalNode, NodeDB, Bootnodes and NetRestrict must be left empty (New
	// rejects them; use NodeDBPath, BootstrapNodes and NetRestrict here), and
	// a nil Clock, Logger or Metrics means the server's.
	Discovery discover.Config

	// DNSTrees are the enrtree:// URLs of EIP-1459 node lists whose nodes
	// are dialed, mixed fairly with those discv4 and discv5 find (also
	// with NoDiscovery).
	DNSTrees []string

	// DNS tunes the DNS node-list client (resolver, lookup timeout, rate
	// limit, cache). Zero fields take dnsdisc.Config's defaults; a nil Clock
	// or Logger means the server's.
	DNS dnsdisc.Config

	// NAT, when set, makes the node reachable from behind a NAT: Start
	// maps the TCP listener and the discovery port on the gateway (unless
	// the listener is on loopback), waiting up to 10 s for the first
	// mapping (Close cuts the wait short), puts the gateway's external address and the mapped ports
	// into the node record, renews the mappings before their leases end
	// and removes them on Close. An external address that is not public
	// (a gateway behind a second NAT) is never advertised. See package nat
	// and nat.Parse for the usual "any", "upnp", "extip:<ip>" forms.
	// Default nil: no mapping; the address is learned from what discovery
	// peers report.
	NAT nat.Interface

	// NodeDBPath is the directory of the persistent discovery node
	// database. Default "": an in-memory database.
	NodeDBPath string

	// Dialer opens outbound connections. Default dial.TCPDialer with a 15 s
	// connect timeout.
	Dialer dial.Dialer

	// Peer tunes every peer (ping interval, timeouts, message size limits,
	// queues). A nil Clock, Logger or Metrics means the server's, and a nil
	// Trace the server's message events (with MessageEvents); peers log
	// with "id" and "addr" attributes.
	Peer peer.Config

	// HandshakeTimeout bounds the encryption handshake and the Hello
	// exchange together. Default rlpx.DefaultHandshakeTimeout (5 s).
	HandshakeTimeout time.Duration

	// AuthTimeout bounds the time an inbound connection has, from accept,
	// to send its complete auth (rlpx.Config.AuthTimeout); within
	// HandshakeTimeout. Default DefaultAuthTimeout (1 s).
	AuthTimeout time.Duration

	// Logger receives the logs of the server and every layer it runs,
	// each with its "sys" attribute (see LogLevels); peers are logged with
	// "id" and "addr" attributes, one Info line when added and one when
	// dropped, with the reason. Default: logs are discarded.
	Logger *slog.Logger

	// Clock is the time source for admission throttling, dialing and peer
	// keepalives. Default clock.System.
	Clock clock.Clock

	// LogLevels gives subsystems their own minimum log level, by the
	// value of their "sys" attribute ("server", "dial", "peer",
	// "discover", "dns", "nat"), overriding Logger's handler's level in
	// either direction; a *slog.LevelVar can be changed while the node
	// runs. Default: none, Logger's handler decides.
	LogLevels map[string]slog.Leveler

	// NoMetrics turns the node's metrics off: Server.Metrics is then an
	// empty registry and no layer counts anything. Default false: every
	// layer counts (see package metrics).
	NoMetrics bool

	// MessageEvents makes the server report every message of every peer
	// to SubscribeMessages subscribers, for debugging. Default false.
	MessageEvents bool
}

// withDefaults checks cfg and returns a copy with every default applied.
// It is the only place defaults are decided.
func (cfg Config) withDefaults() (Config, error) {
	c := config.NewChecker(ErrInvalidConfig)
	c.Check(cfg.PrivateKey != nil, "PrivateKey is required")
	config.NonNegative(c, "MaxPeers", cfg.MaxPeers)
	config.NonNegative(c, "MaxInboundPeers", cfg.MaxInboundPeers)
	config.NonNegative(c, "MaxOutboundPeers", cfg.MaxOutboundPeers)
	config.NonNegative(c, "MaxPendingPeers", cfg.MaxPendingPeers)
	config.NonNegative(c, "MaxPendingPerIP", cfg.MaxPendingPerIP)
	config.NonNegative(c, "MaxPendingPerSubnet", cfg.MaxPendingPerSubnet)
	config.NonNegative(c, "MaxPendingPerLANIP", cfg.MaxPendingPerLANIP)
	config.NonNegative(c, "MaxPendingPerLANSubnet", cfg.MaxPendingPerLANSubnet)
	config.NonNegative(c, "DialRatio", cfg.DialRatio)
	config.NonNegative(c, "MaxPendingDials", cfg.MaxPendingDials)
	config.NonNegative(c, "HandshakeTimeout", cfg.HandshakeTimeout)
	config.NonNegative(c, "AuthTimeout", cfg.AuthTimeout)
	config.NonNegative(c, "StaticBackoffMin", cfg.StaticBackoffMin)
	config.NonNegative(c, "StaticBackoffMax", cfg.StaticBackoffMax)
	config.NonNegative(c, "DialHistoryExpiry", cfg.DialHistoryExpiry)
	if err := cfg.Peer.Validate(); err != nil {
		c.Check(false, "Peer: %v", err)
	}
	d := cfg.Discovery
	c.Check(d.LocalNode == nil, "Discovery.LocalNode is the server's own; leave it nil")
	c.Check(d.NodeDB == nil, "Discovery.NodeDB is opened by the server; use NodeDBPath")
	c.Check(len(d.Bootnodes) == 0, "Discovery.Bootnodes: use BootstrapNodes")
	c.Check(len(d.V5.Bootnodes) == 0, "Discovery.V5.Bootnodes: use BootstrapNodesV5")
	c.Check(!d.V5.Enable, "Discovery.V5.Enable: use DiscoveryV5")
	c.Check(len(d.NetRestrict) == 0, "Discovery.NetRestrict: use NetRestrict, which covers discovery too")
	if err := c.Err(); err != nil {
		return Config{}, err
	}

	config.Default(&cfg.Name, DefaultName)
	config.Default(&cfg.ListenAddr, DefaultListenAddr)
	c.Check(checkHostPort(cfg.ListenAddr) == nil, "ListenAddr %q: %v", cfg.ListenAddr, checkHostPort(cfg.ListenAddr))
	if cfg.DiscoveryAddr != "" {
		c.Check(checkHostPort(cfg.DiscoveryAddr) == nil, "DiscoveryAddr %q: %v", cfg.DiscoveryAddr, checkHostPort(cfg.DiscoveryAddr))
	}
	config.Default(&cfg.MaxPeers, DefaultMaxPeers)
	config.Default(&cfg.DialRatio, DefaultDialRatio)
	c.Check(cfg.MaxInboundPeers <= cfg.MaxPeers, "MaxInboundPeers (%d) exceeds MaxPeers (%d)", cfg.MaxInboundPeers, cfg.MaxPeers)
	c.Check(cfg.MaxOutboundPeers <= cfg.MaxPeers, "MaxOutboundPeers (%d) exceeds MaxPeers (%d)", cfg.MaxOutboundPeers, cfg.MaxPeers)
	if cfg.MaxInboundPeers == 0 {
		cfg.MaxInboundPeers = cfg.MaxPeers - cfg.MaxPeers/cfg.DialRatio
		c.Check(cfg.MaxInboundPeers > 0, "MaxPeers %d with DialRatio %d leaves no inbound slot; raise DialRatio or set MaxInboundPeers", cfg.MaxPeers, cfg.DialRatio)
	}
	config.Default(&cfg.MaxOutboundPeers, cfg.MaxPeers)
	config.Default(&cfg.MaxPendingPeers, DefaultMaxPendingPeers)
	config.Default(&cfg.MaxPendingPerIP, DefaultMaxPendingPerIP)
	config.Default(&cfg.MaxPendingPerSubnet, DefaultMaxPendingPerSubnet)
	config.Default(&cfg.MaxPendingPerLANIP, DefaultMaxPendingPerLANIP)
	config.Default(&cfg.MaxPendingPerLANSubnet, DefaultMaxPendingPerLANSubnet)
	config.Default(&cfg.AuthTimeout, DefaultAuthTimeout)
	config.Default(&cfg.MaxPendingDials, dial.DefaultMaxActiveDials)
	config.Default(&cfg.HandshakeTimeout, rlpx.DefaultHandshakeTimeout)
	cfg.Logger = config.Logger(cfg.rootLogger())
	cfg.Clock = clock.OrSystem(cfg.Clock)

	if err := checkProtocols(cfg.Protocols); err != nil {
		c.Check(false, "%v", err)
	}
	if err := checkDNSTrees(cfg.DNSTrees); err != nil {
		c.Check(false, "%v", err)
	}
	for _, list := range []struct {
		name  string
		nodes []*discover.Node
	}{{"BootstrapNodes", cfg.BootstrapNodes}, {"BootstrapNodesV5", cfg.BootstrapNodesV5}, {"StaticNodes", cfg.StaticNodes}, {"TrustedNodes", cfg.TrustedNodes}} {
		i := slices.Index(list.nodes, nil)
		c.Check(i < 0, "%s[%d] is nil", list.name, i)
	}
	// Copy what the caller could otherwise change under us.
	cfg.NetRestrict = slices.Clone(cfg.NetRestrict)
	for i, p := range cfg.NetRestrict {
		c.Check(p.IsValid(), "NetRestrict[%d] is not a valid prefix", i)
		cfg.NetRestrict[i] = p.Masked()
	}
	if err := c.Err(); err != nil {
		return Config{}, err
	}
	cfg.Protocols = slices.Clone(cfg.Protocols)
	for i := range cfg.Protocols { // New copies the record entries too
		entries := slices.Clone(cfg.Protocols[i].ENR)
		for j := range entries {
			entries[j].Value = slices.Clone(entries[j].Value)
		}
		cfg.Protocols[i].ENR = entries
	}
	cfg.BootstrapNodes = slices.Clone(cfg.BootstrapNodes)
	cfg.BootstrapNodesV5 = slices.Clone(cfg.BootstrapNodesV5)
	cfg.StaticNodes = slices.Clone(cfg.StaticNodes)
	cfg.TrustedNodes = slices.Clone(cfg.TrustedNodes)
	cfg.DNSTrees = slices.Clone(cfg.DNSTrees)
	return cfg, nil
}

// dialLimit is the number of discovered nodes the scheduler may hold
// dialed at once.
func (cfg *Config) dialLimit() int {
	return min(cfg.MaxPeers/cfg.DialRatio, cfg.MaxOutboundPeers)
}

// pendingCaps returns the caps on inbound handshakes in flight.
func (cfg *Config) pendingCaps() pendingCaps {
	return pendingCaps{
		total: cfg.MaxPendingPeers,
		perIP: cfg.MaxPendingPerIP, perSubnet: cfg.MaxPendingPerSubnet,
		lanIP: cfg.MaxPendingPerLANIP, lanSubnet: cfg.MaxPendingPerLANSubnet,
	}
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
		c := peer.Cap{Name: p.Name, Version: p.Version}
		if seen[c] {
			return fmt.Errorf("Protocols[%d]: %s/%d listed twice", i, p.Name, p.Version)
		}
		seen[c] = true
	}
	return nil
}
