package metrics

import (
	"errors"
	"time"
)

// The names of the families a node registers. Counters end in _total; times
// are in seconds and sizes in bytes (Prometheus naming conventions,
// https://prometheus.io/docs/practices/naming/). The labels of each family
// are given next to it.
const (
	NamePeers                  = "devp2p_peers"                            // gauge {direction}
	NamePeersTrusted           = "devp2p_peers_trusted"                    // gauge
	NamePeersStatic            = "devp2p_peers_static"                     // gauge
	NamePendingHandshakes      = "devp2p_handshakes_pending"               // gauge {direction}
	NameHandshakeDuration      = "devp2p_handshake_duration_seconds"       // histogram {direction}
	NameInbound                = "devp2p_inbound_connections_total"        // counter {result}
	NameDisconnects            = "devp2p_disconnects_total"                // counter {reason, side}
	NameDials                  = "devp2p_dials_total"                      // counter {kind, result}
	NameMessages               = "devp2p_messages_total"                   // counter {direction, protocol, version, code}
	NameMessageBytes           = "devp2p_message_bytes_total"              // counter {direction, protocol, version, code}
	NameMessageWireBytes       = "devp2p_message_wire_bytes_total"         // counter {direction, protocol, version, code}
	NameDiscoverPackets        = "devp2p_discover_packets_total"           // counter {direction, version, type}
	NameDiscoverBadPackets     = "devp2p_discover_bad_packets_total"       // counter {version, reason}
	NameDiscoverTableNodes     = "devp2p_discover_table_nodes"             // gauge
	NameDiscoverLookups        = "devp2p_discover_lookups_total"           // counter {version}
	NameDiscoverLookupDuration = "devp2p_discover_lookup_duration_seconds" // histogram {version}
	NameDNSTreeSyncs           = "devp2p_dns_tree_syncs_total"             // counter {result}
	NameNATRenewals            = "devp2p_nat_mapping_renewals_total"       // counter {protocol}
	NameNATFailures            = "devp2p_nat_mapping_failures_total"       // counter {protocol}
)

// HandshakeBuckets returns the upper bounds, in seconds, of
// devp2p_handshake_duration_seconds: 5 ms to the 5 s handshake deadline.
func HandshakeBuckets() []float64 {
	return []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}
}

// LookupBuckets returns the upper bounds, in seconds, of
// devp2p_discover_lookup_duration_seconds: 10 ms to 30 s.
func LookupBuckets() []float64 {
	return []float64{0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30}
}

// Node is every metric of a devp2p node, registered in one Registry. A
// server creates the Registry and the Node and hands each layer its part:
// Traffic to the peers, Dial to the dial scheduler, Discovery to discovery,
// and so on. Every method of every part is safe for concurrent use, costs
// no allocation, and does nothing on a nil receiver, so a layer given no
// metrics needs no branch.
type Node struct {
	Server    *Server    // peers, handshakes, admission and disconnects (the server)
	Dial      *Dial      // dial attempts and their results (the dial scheduler)
	Traffic   *Traffic   // messages and bytes per protocol and code (the peers)
	Discovery *Discovery // discv4 and discv5 packets, table and lookups
	DNS       *DNS       // EIP-1459 DNS tree syncs
	NAT       *NAT       // UPnP and NAT-PMP port mappings
}

// NewNode registers every family of a node in r. protocols are the node's
// sub-protocols, which size the per-message families (see NewTraffic). It
// fails if r already holds one of the names or a protocol is declared twice;
// r may then hold some of the families, so build a node in a fresh
// Registry.
func NewNode(r *Registry, protocols []Protocol) (*Node, error) {
	var n Node
	var err, e error
	n.Server, err = NewServer(r)
	n.Dial, e = NewDial(r)
	err = errors.Join(err, e)
	n.Traffic, e = NewTraffic(r, protocols)
	err = errors.Join(err, e)
	n.Discovery, e = NewDiscovery(r)
	err = errors.Join(err, e)
	n.DNS, e = NewDNS(r)
	err = errors.Join(err, e)
	n.NAT, e = NewNAT(r)
	if err = errors.Join(err, e); err != nil {
		return nil, err
	}
	return &n, nil
}

// Server holds the server's metrics: peers, handshakes, admission of
// inbound connections and disconnects.
type Server struct {
	peers       *GaugeVec // {direction}
	trusted     *Gauge
	static      *Gauge
	pending     *GaugeVec     // {direction}
	handshake   *HistogramVec // {direction}
	inbound     *CounterVec   // {result}
	inboundIdx  []int         // ConnResult → series
	disconnects *CounterVec   // {reason, side}
}

// inboundResults are the ConnResult values an inbound connection can have.
var inboundResults = []ConnResult{
	ConnOK, ConnNetRestrict, ConnThrottled, ConnPendingCap, ConnTimeout,
	ConnHandshakeError, ConnHelloError, ConnRemoteRefused, ConnSelf,
	ConnAlreadyConnected, ConnTooManyPeers, ConnUselessPeer, ConnClosed,
}

// NewServer registers the server's families in r:
//
//   - devp2p_peers{direction}, devp2p_peers_trusted, devp2p_peers_static:
//     connected peers (a trusted or static peer is also counted by
//     direction);
//   - devp2p_handshakes_pending{direction}: connections between accept (or
//     the start of a dial's handshake) and becoming a peer or refused;
//   - devp2p_handshake_duration_seconds{direction}: RLPx handshake plus
//     Hello, for connections that completed them;
//   - devp2p_inbound_connections_total{result}: each accepted TCP
//     connection, by how its setup ended (see ConnResult);
//   - devp2p_disconnects_total{reason, side}: each peer that ended, by
//     Disconnect reason and whether the remote ("remote") or we ("local")
//     chose it.
func NewServer(r *Registry) (*Server, error) {
	var m Server
	dirs := []string{Inbound.String(), Outbound.String()}
	var errs [7]error
	m.peers, errs[0] = r.NewGaugeVec(NamePeers, "Connected peers, by who opened the connection.", []string{"direction"}, Series(dirs))
	m.trusted, errs[1] = r.NewGauge(NamePeersTrusted, "Connected trusted peers.")
	m.static, errs[2] = r.NewGauge(NamePeersStatic, "Connected static peers.")
	m.pending, errs[3] = r.NewGaugeVec(NamePendingHandshakes, "Connections in the RLPx or Hello handshake.", []string{"direction"}, Series(dirs))
	m.handshake, errs[4] = r.NewHistogramVec(NameHandshakeDuration, "Time from connection to a completed Hello, for connections that completed it.", HandshakeBuckets(), []string{"direction"}, Series(dirs))
	m.inbound, errs[5] = r.NewCounterVec(NameInbound, "Inbound TCP connections, by how their setup ended: ok or why they were refused.", []string{"result"}, Series(names(inboundResults)))
	m.inboundIdx = indexOf(len(connResultNames), inboundResults)
	reasons := make([]string, 0, len(discReasons)+1)
	for _, r := range discReasons {
		reasons = append(reasons, r.name)
	}
	reasons = append(reasons, "other")
	m.disconnects, errs[6] = r.NewCounterVec(NameDisconnects, "Peers that ended, by Disconnect reason and the side that chose it.", []string{"reason", "side"}, Series(reasons, []string{"local", "remote"}))
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	return &m, nil
}

// PeerCounts is the make-up of the peer set.
type PeerCounts struct {
	Inbound, Outbound int // peers by the side that opened the connection
	Trusted, Static   int // of those, the trusted peers and the peers dialled as static nodes
}

// SetPeers sets the peer gauges. The server calls it with its peer set's
// counts whenever the set changes, so the gauges cannot drift.
func (m *Server) SetPeers(c PeerCounts) {
	if m == nil {
		return
	}
	m.peers.At(int(Inbound)).Set(int64(c.Inbound))
	m.peers.At(int(Outbound)).Set(int64(c.Outbound))
	m.trusted.Set(int64(c.Trusted))
	m.static.Set(int64(c.Static))
}

// PendingHandshakes returns the gauge of connections of direction d in
// their handshakes; the server increments it when a handshake starts and
// decrements it when the connection becomes a peer or is refused.
func (m *Server) PendingHandshakes(d Direction) *Gauge {
	if m == nil {
		return nil
	}
	return m.pending.At(int(d))
}

// HandshakeDone records how long a completed RLPx + Hello handshake took.
func (m *Server) HandshakeDone(d Direction, took time.Duration) {
	if m == nil {
		return
	}
	m.handshake.At(int(d)).ObserveDuration(took)
}

// Inbound counts an inbound connection by how its setup ended.
func (m *Server) Inbound(r ConnResult) {
	if m == nil {
		return
	}
	i := len(inboundResults) // other
	if int(r) < len(m.inboundIdx) {
		i = m.inboundIdx[r]
	}
	m.inbound.At(i).Inc()
}

// Disconnect counts a peer that ended with Disconnect reason code (a
// peer.DiscReason), chosen by the remote if remote is set.
func (m *Server) Disconnect(code uint8, remote bool) {
	if m == nil {
		return
	}
	i := 2 * discReasonIndex(code)
	if remote {
		i++
	}
	m.disconnects.At(i).Inc()
}

// Dial holds the dial scheduler's metrics.
type Dial struct {
	dials *CounterVec // {kind, result}
	idx   []int       // ConnResult → position in dialResults
}

// dialResults are the ConnResult values a dial can have.
var dialResults = []ConnResult{
	ConnOK, ConnNoEndpoint, ConnNetRestrict, ConnDialError, ConnTimeout,
	ConnHandshakeError, ConnHelloError, ConnRemoteRefused, ConnSelf,
	ConnAlreadyConnected, ConnTooManyPeers, ConnUselessPeer, ConnClosed,
}

// NewDial registers devp2p_dials_total{kind, result} in r: each finished
// dial, by kind (static or dynamic) and how it ended (see ConnResult).
func NewDial(r *Registry) (*Dial, error) {
	v, err := r.NewCounterVec(NameDials, "Finished dials, by kind and how they ended: ok or why they failed.",
		[]string{"kind", "result"}, Series(dialKindNames[:], names(dialResults)))
	if err != nil {
		return nil, err
	}
	return &Dial{dials: v, idx: indexOf(len(connResultNames), dialResults)}, nil
}

// Done counts a finished dial.
func (m *Dial) Done(k DialKind, r ConnResult) {
	if m == nil {
		return
	}
	ri := len(dialResults) // other
	if int(r) < len(m.idx) {
		ri = m.idx[r]
	}
	if int(k) >= len(dialKindNames) {
		return // not a DialKind: ignored
	}
	m.dials.At(int(k)*(len(dialResults)+1) + ri).Inc()
}

// DNS holds the metrics of DNS discovery (EIP-1459 trees).
type DNS struct {
	syncs *CounterVec // {result}
}

// NewDNS registers devp2p_dns_tree_syncs_total{result} in r: each sync of
// an EIP-1459 tree, "ok" or "error".
func NewDNS(r *Registry) (*DNS, error) {
	v, err := r.NewCounterVec(NameDNSTreeSyncs, "EIP-1459 DNS tree syncs, by result.", []string{"result"}, Series([]string{"ok", "error"}))
	if err != nil {
		return nil, err
	}
	return &DNS{syncs: v}, nil
}

// TreeSynced counts a tree sync that ended with err (nil for success).
func (m *DNS) TreeSynced(err error) {
	if m == nil {
		return
	}
	i := 0
	if err != nil {
		i = 1
	}
	m.syncs.At(i).Inc()
}

// NAT holds the metrics of NAT port mapping (UPnP, NAT-PMP).
type NAT struct {
	renewals *CounterVec // {protocol}
	failures *CounterVec // {protocol}
}

// NewNAT registers in r devp2p_nat_mapping_renewals_total{protocol} (port
// mappings made or renewed) and devp2p_nat_mapping_failures_total{protocol}
// (attempts that failed), protocol being "tcp" or "udp".
func NewNAT(r *Registry) (*NAT, error) {
	protos := Series(transportNames[:])
	ren, err1 := r.NewCounterVec(NameNATRenewals, "NAT port mappings made or renewed, by transport.", []string{"protocol"}, protos)
	fail, err2 := r.NewCounterVec(NameNATFailures, "NAT port mapping attempts that failed, by transport.", []string{"protocol"}, protos)
	if err := errors.Join(err1, err2); err != nil {
		return nil, err
	}
	return &NAT{renewals: ren, failures: fail}, nil
}

// Renewed counts a port mapping made or renewed.
func (m *NAT) Renewed(t Transport) {
	if m != nil {
		m.renewals.At(int(t)).Inc()
	}
}

// Failed counts a failed port mapping attempt.
func (m *NAT) Failed(t Transport) {
	if m != nil {
		m.failures.At(int(t)).Inc()
	}
}
