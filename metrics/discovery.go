package metrics

import (
	"errors"
	"time"
)

// Discovery holds the metrics of node discovery (discv4, discv5).
type Discovery struct {
	packets   *CounterVec // {direction, version, type}
	bad       *CounterVec // {version, reason}
	table     *Gauge
	lookups   *CounterVec   // {version}
	lookupDur *HistogramVec // {version}
}

// Packet series layout: for each direction, the v4 types then "other", the
// v5 types then "other".
const (
	v4Packets      = len(v4TypeNames) + 1
	v5Packets      = len(v5TypeNames) + 1
	packetsPerDir  = v4Packets + v5Packets
	badPerVersion  = len(badPacketNames)
	discVersionLen = len(discVersionNames)
)

// NewDiscovery registers the discovery families in r:
//
//   - devp2p_discover_packets_total{direction, version, type}: packets
//     sent ("out") and received and decoded ("in"), by version and type (v4:
//     ping … enrresponse; v5: whoareyou and the message types ping …
//     talkresp; "other" for the rest);
//   - devp2p_discover_bad_packets_total{version, reason}: received packets
//     dropped, by reason (see BadPacket);
//   - devp2p_discover_table_nodes: nodes in the Kademlia table;
//   - devp2p_discover_lookups_total{version}: lookups started;
//   - devp2p_discover_lookup_duration_seconds{version}: lookups finished.
func NewDiscovery(r *Registry) (*Discovery, error) {
	var series [][]string
	for _, dir := range []string{"in", "out"} {
		for _, t := range v4TypeNames {
			series = append(series, []string{dir, "v4", t})
		}
		series = append(series, []string{dir, "v4", otherLabel})
		for _, t := range v5TypeNames {
			series = append(series, []string{dir, "v5", t})
		}
		series = append(series, []string{dir, "v5", otherLabel})
	}
	var m Discovery
	var errs [5]error
	m.packets, errs[0] = r.NewCounterVec(NameDiscoverPackets, "Discovery packets sent and received, by direction, version and type.", []string{"direction", "version", "type"}, series)
	m.bad, errs[1] = r.NewCounterVec(NameDiscoverBadPackets, "Received discovery packets dropped, by version and reason.", []string{"version", "reason"}, Series(discVersionNames[:], badPacketNames[:]))
	m.table, errs[2] = r.NewGauge(NameDiscoverTableNodes, "Nodes in the discovery table.")
	m.lookups, errs[3] = r.NewCounterVec(NameDiscoverLookups, "Discovery lookups started, by version.", []string{"version"}, Series(discVersionNames[:]))
	m.lookupDur, errs[4] = r.NewHistogramVec(NameDiscoverLookupDuration, "Duration of finished discovery lookups, by version.", LookupBuckets(), []string{"version"}, Series(discVersionNames[:]))
	if err := errors.Join(errs[:]...); err != nil {
		return nil, err
	}
	return &m, nil
}

// packetIndex returns the series of a packet of type typ: for v4 the packet
// type (1-6), for v5 the message type (1-6) or DiscV5WhoAreYou.
func packetIndex(out bool, v DiscVersion, typ byte) int {
	i := 0
	if out {
		i = packetsPerDir
	}
	switch v {
	case DiscV4:
		if typ >= 1 && int(typ) <= len(v4TypeNames) {
			return i + int(typ) - 1
		}
		return i + len(v4TypeNames)
	case DiscV5:
		i += v4Packets
		if int(typ) < len(v5TypeNames) {
			return i + int(typ)
		}
		return i + len(v5TypeNames)
	}
	return -1 // an unknown version: ignored
}

// PacketIn counts a received packet that decoded: for v4 typ is the packet
// type, for v5 the message type or DiscV5WhoAreYou. Unknown types count as
// "other"; an unknown version is ignored.
func (m *Discovery) PacketIn(v DiscVersion, typ byte) {
	if m != nil {
		m.packets.At(packetIndex(false, v, typ)).Inc()
	}
}

// PacketOut counts a sent packet, like PacketIn.
func (m *Discovery) PacketOut(v DiscVersion, typ byte) {
	if m != nil {
		m.packets.At(packetIndex(true, v, typ)).Inc()
	}
}

// BadPacket counts a received packet dropped for reason r.
func (m *Discovery) BadPacket(v DiscVersion, r BadPacket) {
	if m == nil || int(v) >= discVersionLen {
		return
	}
	ri := int(r)
	if ri >= badPerVersion {
		ri = int(BadPacketOther)
	}
	m.bad.At(int(v)*badPerVersion + ri).Inc()
}

// SetTableNodes sets the number of nodes in the table.
func (m *Discovery) SetTableNodes(n int) {
	if m != nil {
		m.table.Set(int64(n))
	}
}

// LookupStarted counts a lookup.
func (m *Discovery) LookupStarted(v DiscVersion) {
	if m != nil {
		m.lookups.At(int(v)).Inc()
	}
}

// LookupDone records how long a finished lookup took.
func (m *Discovery) LookupDone(v DiscVersion, took time.Duration) {
	if m != nil {
		m.lookupDur.At(int(v)).ObserveDuration(took)
	}
}
