package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/dial"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/internal/logging"
	"github.com/devp2p-go/devp2p/internal/netutil"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/peer"
)

var (
	// ErrServerClosed is returned by Start after Close.
	ErrServerClosed = errors.New("server: closed")
	// ErrAlreadyStarted is returned by a second call to Start.
	ErrAlreadyStarted = errors.New("server: already started")
)

// Server is a devp2p node. Create it with New, run it with Start, stop it
// with Close. All methods are safe for concurrent use.
//
// Concurrency: a Server has no run loop of its own. The peer set is
// guarded by a mutex of its own, the server's lifecycle state by another.
// Goroutines: the accept loop, one per inbound connection being set up
// (bounded by the pending-handshake caps), one per running peer, plus those
// owned by the dial scheduler and by discovery; Close stops and joins them
// all.
type Server struct {
	// Immutable after New.
	cfg   Config
	log   *slog.Logger
	clock clock.Clock
	id    nodeid.ID

	pending *pendingSet // inbound connections in their handshakes
	peers   *peerSet
	events  feed[PeerEvent]

	// Observability (metrics.go, events_conn.go, logging.go). root is the
	// logger the layers derive theirs from; metrics' parts are nil with
	// Config.NoMetrics.
	root       *slog.Logger
	registry   *metrics.Registry
	metrics    *metrics.Node
	gaugeMu    sync.Mutex // orders updates of the peer gauges
	connEvents feed[ConnEvent]
	msgEvents  feed[MsgEvent]

	// ctx is cancelled by Close; it bounds every handshake and peer.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup // every goroutine the server starts itself

	mu        sync.Mutex // protects the fields below
	started   bool
	closed    bool
	static    map[nodeid.ID]*discover.Node
	listener  net.Listener
	self      *discover.Node      // what we advertise; set by Start
	hello     *peer.Hello         // our Hello; set by Start
	localNode *discover.LocalNode // our signed record; set by Start
	nat       *natMapper          // set by Start when Config.NAT is set
	disc      *discover.UDPv4
	disc5     *discover.UDPv5 // shared with disc, or standalone when disc is nil
	db        *discover.DB
	scheduler *dial.Scheduler
}

// New checks cfg, applies its defaults and returns a server that is not
// yet running. It returns an error wrapping ErrInvalidConfig if cfg cannot
// be used.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	id := nodeid.FromPubkey(ethcrypto.PubkeyOf(cfg.PrivateKey))
	srv := &Server{
		cfg:    cfg,
		clock:  cfg.Clock,
		id:     id,
		static: make(map[nodeid.ID]*discover.Node),
	}
	srv.root = cfg.Logger.With("self", id.TerminalString())
	srv.log = logging.For(srv.root, logging.SysServer)
	if err := srv.initMetrics(); err != nil {
		return nil, err
	}
	srv.ctx, srv.cancel = context.WithCancel(context.Background())
	srv.pending = newPendingSet(cfg.pendingCaps(), netutil.IsLAN)
	srv.peers = newPeerSet(id, cfg.limits())
	for _, n := range cfg.TrustedNodes {
		srv.peers.setTrusted(n.ID(), true)
	}
	for _, n := range cfg.StaticNodes {
		srv.static[n.ID()] = n
	}
	return srv, nil
}

// Start begins listening on Config.ListenAddr, runs discovery (unless
// Config.NoDiscovery) and starts dialing (unless Config.NoDial). It
// returns ErrAlreadyStarted if called twice and ErrServerClosed after
// Close. If Start fails, the server is closed: whatever it had started is
// stopped again. Host names in ListenAddr and DiscoveryAddr are resolved
// here, within 10 s.
func (srv *Server) Start() error {
	srv.mu.Lock()
	err := srv.start()
	nm := srv.nat
	srv.mu.Unlock()
	if err != nil && !errors.Is(err, ErrAlreadyStarted) && !errors.Is(err, ErrServerClosed) {
		srv.Close()
		return err
	}
	if err == nil && nm != nil {
		// The first mapping round runs without mu, so that Close can
		// cut a slow gateway short.
		<-nm.ready
	}
	if err == nil {
		// Logged once the first NAT round is done, so that the URL shows
		// the mapped endpoint.
		srv.log.Info("Server started", "enode", srv.Self().URLv4(), "listen", srv.NodeInfo().ListenAddr, "discovery", !srv.cfg.NoDiscovery)
	}
	return err
}

// listenTimeout bounds what Start does to open its sockets: mostly
// resolving a host name in ListenAddr or DiscoveryAddr. Start holds mu,
// so Close cannot cut a slow resolver short.
const listenTimeout = 10 * time.Second

// start does the work of Start with mu held.
func (srv *Server) start() error {
	switch {
	case srv.closed:
		return ErrServerClosed
	case srv.started:
		return ErrAlreadyStarted
	}
	srv.started = true

	ctx, cancel := context.WithTimeout(srv.ctx, listenTimeout)
	defer cancel()
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", srv.cfg.ListenAddr)
	if err != nil {
		return fmt.Errorf("server: listen: %w", err)
	}
	srv.listener = ln
	tcpAddr := boundAddr(srv.cfg.ListenAddr, ln.Addr().(*net.TCPAddr).AddrPort())

	if !srv.cfg.NoDiscovery {
		if err := srv.startDiscovery(ctx, tcpAddr); err != nil {
			return err
		}
	} else {
		srv.localNode = recordWithoutDiscovery(srv.cfg.PrivateKey, tcpAddr)
	}
	if err := srv.setProtocolEntries(); err != nil {
		return err
	}
	if srv.cfg.NAT != nil {
		var udp uint16
		if srv.disc != nil {
			udp = srv.localNode.Node().UDP() // the discovery socket's port
		}
		srv.startNAT(tcpAddr, udp)
	}
	srv.self = srv.advertised(tcpAddr)
	srv.hello = srv.ourHello(tcpAddr.Port())
	if !srv.cfg.NoDial {
		if err := srv.startDialing(); err != nil {
			return err
		}
	}
	srv.wg.Add(1)
	go srv.listenLoop(ln)
	return nil
}

// Close stops the server: it stops accepting connections, stops the dial
// scheduler and discovery, disconnects every peer with reason "client
// quitting" (0x08), and returns once every goroutine the server started has
// finished. It is idempotent and may be called before Start; it returns
// nil (the error is for io.Closer).
func (srv *Server) Close() error {
	srv.mu.Lock()
	if srv.closed {
		srv.mu.Unlock()
		return nil
	}
	srv.closed = true
	ln, sched, disc, disc5, db, nm := srv.listener, srv.scheduler, srv.disc, srv.disc5, srv.db, srv.nat
	srv.mu.Unlock()

	srv.cancel() // aborts inbound handshakes and tells peers to quit
	if ln != nil {
		ln.Close()
	}
	if sched != nil {
		sched.Stop() // cancels and joins dial tasks, including their setupConn
	}
	for _, p := range srv.peers.close() {
		p.p.Disconnect(peer.DiscQuitting)
	}
	srv.wg.Wait()
	if nm != nil {
		nm.unmapAll() // the NAT loop has ended
	}
	if disc != nil {
		disc.Close() // also closes a shared disc5
	} else if disc5 != nil {
		disc5.Close()
	}
	if db != nil {
		db.Close()
	}
	srv.log.Info("Server stopped")
	return nil
}

// Self returns the node record the server advertises: its key, and once
// started, the IP and ports it listens on. An unspecified listen IP is
// advertised as loopback of the family ListenAddr names (127.0.0.1 for
// ":30303" or "0.0.0.0:30303", ::1 for "[::]:30303") until a better one is
// known: from Config.NAT, or predicted from what discovery peers report.
// Set ListenAddr to a concrete address to advertise that one.
func (srv *Server) Self() *discover.Node {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.localNode != nil {
		return srv.localNode.Node() // the current version of the record
	}
	if srv.self != nil {
		return srv.self
	}
	return srv.advertised(configuredAddr(srv.cfg.ListenAddr))
}

// configuredAddr parses a "host:port" that withDefaults accepted. A host
// name or empty host gives the unspecified IPv4 address.
func configuredAddr(hostport string) netip.AddrPort {
	host, portStr, _ := net.SplitHostPort(hostport)
	port, _ := strconv.ParseUint(portStr, 10, 16)
	ip, err := netip.ParseAddr(host)
	if err != nil {
		ip = netip.IPv4Unspecified()
	}
	return netip.AddrPortFrom(ip, uint16(port))
}

// PeerCount returns the number of connected peers.
func (srv *Server) PeerCount() int {
	return srv.peers.count()
}

// AddPeer makes n a static node: the server dials it, and redials it with
// backoff whenever the connection drops, until RemovePeer. Adding a node
// twice is harmless; adding it before Start dials it on Start. A nil n is
// ignored, as are the other node methods' nil arguments.
func (srv *Server) AddPeer(n *discover.Node) {
	if n == nil {
		return
	}
	srv.mu.Lock()
	defer srv.mu.Unlock()
	srv.static[n.ID()] = n
	if srv.scheduler != nil {
		srv.scheduler.AddStatic(n)
	}
}

// RemovePeer stops treating the node id as a static node and disconnects
// it if it is connected (with reason "disconnect requested", 0x00).
func (srv *Server) RemovePeer(id nodeid.ID) {
	srv.mu.Lock()
	delete(srv.static, id)
	if srv.scheduler != nil {
		srv.scheduler.RemoveStatic(id)
	}
	srv.mu.Unlock()
	srv.Disconnect(id, peer.DiscRequested)
}

// Disconnect sends the connected peer id a Disconnect with reason r and
// drops it. It reports whether such a peer was connected. A static node is
// redialled after its backoff; use RemovePeer to stop that too.
func (srv *Server) Disconnect(id nodeid.ID, r peer.DiscReason) bool {
	sp, _, ok := srv.peers.get(id)
	if ok {
		sp.p.Disconnect(r)
	}
	return ok
}

// Peer returns information on the connected peer id, and whether it is
// connected.
func (srv *Server) Peer(id nodeid.ID) (PeerInfo, bool) {
	sp, _, ok := srv.peers.get(id)
	if !ok {
		return PeerInfo{}, false
	}
	return srv.peerInfo(sp, srv.clock.Now()), true
}

// AddTrustedPeer lets n connect, and be connected to, even when the peer
// limits are reached. It does not dial n; combine with AddPeer for that.
// A connection that already exists keeps the status it was admitted with.
func (srv *Server) AddTrustedPeer(n *discover.Node) {
	if n == nil {
		return
	}
	srv.peers.setTrusted(n.ID(), true)
}

// RemoveTrustedPeer undoes AddTrustedPeer (or Config.TrustedNodes) for the
// node id. It does not disconnect it.
func (srv *Server) RemoveTrustedPeer(id nodeid.ID) {
	srv.peers.setTrusted(id, false)
}

func (srv *Server) isStatic(id nodeid.ID) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	_, ok := srv.static[id]
	return ok
}
