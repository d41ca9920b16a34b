package metrics

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

var testProtocols = []Protocol{{Name: "eth", Version: 68, Length: 17}, {Name: "snap", Version: 1, Length: 8}}

func newTestNode(t testing.TB) (*Registry, *Node) {
	r := NewRegistry()
	n, err := NewNode(r, testProtocols)
	require.NoError(t, err)
	return r, n
}

// TestNodeFamilies checks every documented family is registered with its
// type and labels, and that names follow the Prometheus conventions.
func TestNodeFamilies(t *testing.T) {
	r, _ := newTestNode(t)
	want := []struct {
		name   string
		typ    Type
		labels []string
	}{
		{NamePeers, TypeGauge, []string{"direction"}},
		{NamePeersTrusted, TypeGauge, nil},
		{NamePeersStatic, TypeGauge, nil},
		{NamePendingHandshakes, TypeGauge, []string{"direction"}},
		{NameHandshakeDuration, TypeHistogram, []string{"direction"}},
		{NameInbound, TypeCounter, []string{"result"}},
		{NameDisconnects, TypeCounter, []string{"reason", "side"}},
		{NameDials, TypeCounter, []string{"kind", "result"}},
		{NameMessages, TypeCounter, []string{"direction", "protocol", "version", "code"}},
		{NameMessageBytes, TypeCounter, []string{"direction", "protocol", "version", "code"}},
		{NameMessageWireBytes, TypeCounter, []string{"direction", "protocol", "version", "code"}},
		{NameDiscoverPackets, TypeCounter, []string{"direction", "version", "type"}},
		{NameDiscoverBadPackets, TypeCounter, []string{"version", "reason"}},
		{NameDiscoverTableNodes, TypeGauge, nil},
		{NameDiscoverLookups, TypeCounter, []string{"version"}},
		{NameDiscoverLookupDuration, TypeHistogram, []string{"version"}},
		{NameDNSTreeSyncs, TypeCounter, []string{"result"}},
		{NameNATRenewals, TypeCounter, []string{"protocol"}},
		{NameNATFailures, TypeCounter, []string{"protocol"}},
	}
	s := r.Snapshot()
	require.Len(t, s.Families, len(want))
	series := 0
	for _, w := range want {
		t.Run(w.name, func(t *testing.T) {
			f, ok := s.Family(w.name)
			require.True(t, ok)
			require.Equal(t, w.typ, f.Type)
			require.Equal(t, w.labels, f.Labels)
			require.NotEmpty(t, f.Help)
			require.True(t, strings.HasPrefix(f.Name, "devp2p_"))
			if strings.Contains(f.Name, "duration") {
				require.True(t, strings.HasSuffix(f.Name, "_seconds"), "times are in seconds")
			}
			for _, sm := range f.Samples {
				if sm.Histogram == nil {
					require.Zero(t, sm.Value, "a new node starts at zero")
				}
			}
			series += len(f.Samples)
		})
	}
	// The whole node stays small: bounded by its protocols, not by traffic.
	require.Less(t, series, 500)
}

// TestNodeUpdates provokes each family through the method a layer calls
// and reads the sample back.
func TestNodeUpdates(t *testing.T) {
	tests := []struct {
		name   string
		update func(n *Node)
		family string
		labels []string
		want   float64
	}{
		{"peers inbound", func(n *Node) { n.Server.SetPeers(PeerCounts{Inbound: 3, Outbound: 4, Trusted: 1, Static: 2}) }, NamePeers, []string{"inbound"}, 3},
		{"peers outbound", func(n *Node) { n.Server.SetPeers(PeerCounts{Inbound: 3, Outbound: 4, Trusted: 1, Static: 2}) }, NamePeers, []string{"outbound"}, 4},
		{"peers trusted", func(n *Node) { n.Server.SetPeers(PeerCounts{Trusted: 1}) }, NamePeersTrusted, nil, 1},
		{"peers static", func(n *Node) { n.Server.SetPeers(PeerCounts{Static: 2}) }, NamePeersStatic, nil, 2},
		{"pending handshakes", func(n *Node) {
			n.Server.PendingHandshakes(Inbound).Inc()
			n.Server.PendingHandshakes(Inbound).Inc()
			n.Server.PendingHandshakes(Inbound).Dec()
		}, NamePendingHandshakes, []string{"inbound"}, 1},
		{"handshake duration", func(n *Node) { n.Server.HandshakeDone(Outbound, 30*time.Millisecond) }, NameHandshakeDuration, []string{"outbound"}, 1},
		{"inbound throttled", func(n *Node) { n.Server.Inbound(ConnThrottled) }, NameInbound, []string{"throttled"}, 1},
		{"inbound ok", func(n *Node) { n.Server.Inbound(ConnOK) }, NameInbound, []string{"ok"}, 1},
		{"inbound dial-only result", func(n *Node) { n.Server.Inbound(ConnDialError) }, NameInbound, []string{"other"}, 1},
		{"inbound out of range", func(n *Node) { n.Server.Inbound(ConnResult(200)) }, NameInbound, []string{"other"}, 1},
		{"disconnect local", func(n *Node) { n.Server.Disconnect(0x04, false) }, NameDisconnects, []string{"too_many_peers", "local"}, 1},
		{"disconnect remote", func(n *Node) { n.Server.Disconnect(0x10, true) }, NameDisconnects, []string{"subprotocol_error", "remote"}, 1},
		{"disconnect invalid", func(n *Node) { n.Server.Disconnect(0xff, true) }, NameDisconnects, []string{"invalid", "remote"}, 1},
		{"disconnect undefined code", func(n *Node) { n.Server.Disconnect(0x0c, true) }, NameDisconnects, []string{"other", "remote"}, 1},
		{"dial static ok", func(n *Node) { n.Dial.Done(DialStatic, ConnOK) }, NameDials, []string{"static", "ok"}, 1},
		{"dial dynamic refused", func(n *Node) { n.Dial.Done(DialDynamic, ConnRemoteRefused) }, NameDials, []string{"dynamic", "remote_refused"}, 1},
		{"dial inbound-only result", func(n *Node) { n.Dial.Done(DialDynamic, ConnThrottled) }, NameDials, []string{"dynamic", "other"}, 1},
		{"message in", func(n *Node) { n.Traffic.Protocol("eth", 68).Received(0x10, 100, 60) }, NameMessages, []string{"in", "eth", "68", "0x10"}, 1},
		{"message bytes decoded", func(n *Node) { n.Traffic.Protocol("eth", 68).Received(0x10, 100, 60) }, NameMessageBytes, []string{"in", "eth", "68", "0x10"}, 100},
		{"message bytes wire", func(n *Node) { n.Traffic.Protocol("eth", 68).Received(0x10, 100, 60) }, NameMessageWireBytes, []string{"in", "eth", "68", "0x10"}, 60},
		{"message out", func(n *Node) { n.Traffic.Protocol("snap", 1).Sent(7, 5, 6) }, NameMessages, []string{"out", "snap", "1", "0x07"}, 1},
		{"message code past Length", func(n *Node) { n.Traffic.Protocol("snap", 1).Sent(8, 5, 6) }, NameMessages, []string{"out", "snap", "1", "other"}, 1},
		{"message huge code", func(n *Node) { n.Traffic.Protocol("eth", 68).Received(1<<63, 1, 1) }, NameMessages, []string{"in", "eth", "68", "other"}, 1},
		{"message negative size", func(n *Node) { n.Traffic.Protocol("eth", 68).Received(0, -5, 3) }, NameMessageBytes, []string{"in", "eth", "68", "0x00"}, 0},
		{"message undeclared protocol", func(n *Node) { n.Traffic.Protocol("eth", 67).Received(0, 1, 1) }, NameMessages, []string{"in", "other", "other", "other"}, 1},
		{"message unclaimed code", func(n *Node) { n.Traffic.Other().Received(99, 1, 1) }, NameMessages, []string{"in", "other", "other", "other"}, 1},
		{"base ping", func(n *Node) { n.Traffic.Base().Sent(0x02, 1, 2) }, NameMessages, []string{"out", "p2p", "5", "0x02"}, 1},
		{"base reserved code", func(n *Node) { n.Traffic.Base().Received(0x0f, 1, 2) }, NameMessages, []string{"in", "p2p", "5", "other"}, 1},
		{"discv4 ping in", func(n *Node) { n.Discovery.PacketIn(DiscV4, 1) }, NameDiscoverPackets, []string{"in", "v4", "ping"}, 1},
		{"discv4 enrresponse out", func(n *Node) { n.Discovery.PacketOut(DiscV4, 6) }, NameDiscoverPackets, []string{"out", "v4", "enrresponse"}, 1},
		{"discv4 unknown type", func(n *Node) { n.Discovery.PacketIn(DiscV4, 0) }, NameDiscoverPackets, []string{"in", "v4", "other"}, 1},
		{"discv5 whoareyou", func(n *Node) { n.Discovery.PacketOut(DiscV5, DiscV5WhoAreYou) }, NameDiscoverPackets, []string{"out", "v5", "whoareyou"}, 1},
		{"discv5 talkresp", func(n *Node) { n.Discovery.PacketIn(DiscV5, 6) }, NameDiscoverPackets, []string{"in", "v5", "talkresp"}, 1},
		{"discv5 unknown type", func(n *Node) { n.Discovery.PacketIn(DiscV5, 200) }, NameDiscoverPackets, []string{"in", "v5", "other"}, 1},
		{"bad packet", func(n *Node) { n.Discovery.BadPacket(DiscV4, BadPacketExpired) }, NameDiscoverBadPackets, []string{"v4", "expired"}, 1},
		{"bad packet out of range", func(n *Node) { n.Discovery.BadPacket(DiscV5, BadPacket(99)) }, NameDiscoverBadPackets, []string{"v5", "other"}, 1},
		{"table nodes", func(n *Node) { n.Discovery.SetTableNodes(42) }, NameDiscoverTableNodes, nil, 42},
		{"lookups", func(n *Node) { n.Discovery.LookupStarted(DiscV4) }, NameDiscoverLookups, []string{"v4"}, 1},
		{"lookup duration", func(n *Node) { n.Discovery.LookupDone(DiscV4, 2*time.Second) }, NameDiscoverLookupDuration, []string{"v4"}, 1},
		{"dns ok", func(n *Node) { n.DNS.TreeSynced(nil) }, NameDNSTreeSyncs, []string{"ok"}, 1},
		{"dns error", func(n *Node) { n.DNS.TreeSynced(errors.New("no TXT")) }, NameDNSTreeSyncs, []string{"error"}, 1},
		{"nat renewed", func(n *Node) { n.NAT.Renewed(TCP) }, NameNATRenewals, []string{"tcp"}, 1},
		{"nat failed", func(n *Node) { n.NAT.Failed(UDP) }, NameNATFailures, []string{"udp"}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, n := newTestNode(t)
			tt.update(n)
			s := r.Snapshot()
			got, ok := s.Value(tt.family, tt.labels...)
			require.True(t, ok, "no sample %s%q", tt.family, tt.labels)
			require.Equal(t, tt.want, got)
			// Nothing else moved, except the families the same call fills.
			var moved []string
			for _, f := range s.Families {
				for _, sm := range f.Samples {
					if sm.Value != 0 || (sm.Histogram != nil && sm.Histogram.Count != 0) {
						moved = append(moved, f.Name)
					}
				}
			}
			if tt.want != 0 {
				require.Contains(t, moved, tt.family)
			}
			require.LessOrEqual(t, len(moved), 4, "one update moves one series per family it feeds: %v", moved)
		})
	}
}

func TestHandshakeHistogram(t *testing.T) {
	r, n := newTestNode(t)
	n.Server.HandshakeDone(Inbound, 30*time.Millisecond)
	n.Server.HandshakeDone(Inbound, 7*time.Second) // past the last bucket
	f, _ := r.Snapshot().Family(NameHandshakeDuration)
	sm, ok := f.Sample("inbound")
	require.True(t, ok)
	hv := sm.Histogram
	require.Equal(t, uint64(2), hv.Count)
	require.InDelta(t, 7.03, hv.Sum, 1e-9)
	for _, b := range hv.Buckets {
		want := uint64(0)
		if b.UpperBound >= 0.05 {
			want = 1
		}
		require.Equal(t, want, b.Count, "le=%v", b.UpperBound)
	}
}

func TestTrafficLimits(t *testing.T) {
	t.Run("Length above MaxCodes", func(t *testing.T) {
		r := NewRegistry()
		tr, err := NewTraffic(r, []Protocol{{Name: "big", Version: 1, Length: 1 << 40}})
		require.NoError(t, err)
		f, _ := r.Snapshot().Family(NameMessages)
		// p2p: 4 codes + other; big: MaxCodes + other; "other": 1; two directions.
		require.Len(t, f.Samples, 2*(5+MaxCodes+1+1))
		tr.Protocol("big", 1).Received(MaxCodes, 1, 1)
		v, _ := r.Snapshot().Value(NameMessages, "in", "big", "1", "other")
		require.Equal(t, 1.0, v)
	})
	t.Run("zero Length", func(t *testing.T) {
		r := NewRegistry()
		tr, err := NewTraffic(r, []Protocol{{Name: "none", Version: 1}})
		require.NoError(t, err)
		tr.Protocol("none", 1).Sent(0, 1, 1)
		v, _ := r.Snapshot().Value(NameMessages, "out", "none", "1", "other")
		require.Equal(t, 1.0, v)
	})
	t.Run("duplicate protocol", func(t *testing.T) {
		_, err := NewTraffic(NewRegistry(), []Protocol{{Name: "eth", Version: 68, Length: 17}, {Name: "eth", Version: 68, Length: 18}})
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("protocol redeclares p2p/5", func(t *testing.T) {
		_, err := NewTraffic(NewRegistry(), []Protocol{{Name: "p2p", Version: 5, Length: 16}})
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("protocol named other", func(t *testing.T) {
		_, err := NewTraffic(NewRegistry(), []Protocol{{Name: "other", Version: 1, Length: 1}})
		require.ErrorIs(t, err, ErrInvalid)
	})
	t.Run("name not UTF-8", func(t *testing.T) {
		_, err := NewTraffic(NewRegistry(), []Protocol{{Name: "\xff", Version: 1, Length: 1}})
		require.ErrorIs(t, err, ErrInvalid)
	})
}

func TestNewNodeTwice(t *testing.T) {
	r, _ := newTestNode(t)
	_, err := NewNode(r, nil)
	require.ErrorIs(t, err, ErrInvalid, "the names are already taken")
}

func TestNilNode(t *testing.T) {
	var n Node // every part nil: a layer without metrics
	n.Server.SetPeers(PeerCounts{Inbound: 1})
	n.Server.PendingHandshakes(Inbound).Inc()
	n.Server.HandshakeDone(Inbound, time.Second)
	n.Server.Inbound(ConnOK)
	n.Server.Disconnect(0, true)
	n.Dial.Done(DialStatic, ConnOK)
	n.Traffic.Protocol("eth", 68).Received(1, 1, 1)
	n.Traffic.Base().Sent(1, 1, 1)
	n.Traffic.Other().Sent(1, 1, 1)
	n.Discovery.PacketIn(DiscV4, 1)
	n.Discovery.PacketOut(DiscV4, 1)
	n.Discovery.BadPacket(DiscV4, BadPacketHash)
	n.Discovery.SetTableNodes(1)
	n.Discovery.LookupStarted(DiscV4)
	n.Discovery.LookupDone(DiscV4, time.Second)
	n.DNS.TreeSynced(nil)
	n.NAT.Renewed(TCP)
	n.NAT.Failed(UDP)
}

func TestEnumStrings(t *testing.T) {
	require.Equal(t, "outbound", Outbound.String())
	require.Equal(t, "remote_refused", ConnRemoteRefused.String())
	require.Equal(t, "other", ConnResult(99).String())
	require.Equal(t, "dynamic", DialDynamic.String())
	require.Equal(t, "v5", DiscV5.String())
	require.Equal(t, "decrypt_error", BadPacketDecrypt.String())
	require.Equal(t, "udp", UDP.String())
	require.Equal(t, "other", Transport(2).String())
	// Every ConnResult and BadPacket has a name.
	for r := range ConnOther + 1 {
		require.NotEmpty(t, connResultNames[r])
	}
	for r := range BadPacketOther + 1 {
		require.NotEmpty(t, badPacketNames[r])
	}
}

// TestDiscReasonIndex checks the disconnect label table against the codes
// of the spec (rlpx.md, "Disconnect (0x01)").
func TestDiscReasonIndex(t *testing.T) {
	for i, r := range discReasons {
		require.Equal(t, i, discReasonIndex(r.code), "code %#x", r.code)
	}
	for _, code := range []uint8{0x0c, 0x0f, 0x11, 0xfe} {
		require.Equal(t, len(discReasons), discReasonIndex(code), "code %#x", code)
	}
}

// TestNoAllocs proves the hot-path updates allocate nothing.
func TestNoAllocs(t *testing.T) {
	_, n := newTestNode(t)
	eth := n.Traffic.Protocol("eth", 68)
	var c Counter
	var h Histogram = newHistogram(HandshakeBuckets())
	ops := map[string]func(){
		"Counter.Inc":           func() { c.Inc() },
		"Histogram.Observe":     func() { h.Observe(0.3) },
		"Traffic.Received":      func() { eth.Received(3, 1000, 400) },
		"Traffic.Sent":          func() { eth.Sent(3, 1000, 400) },
		"Server.Disconnect":     func() { n.Server.Disconnect(0x04, true) },
		"Server.Inbound":        func() { n.Server.Inbound(ConnThrottled) },
		"Server.HandshakeDone":  func() { n.Server.HandshakeDone(Inbound, time.Second) },
		"Server.SetPeers":       func() { n.Server.SetPeers(PeerCounts{Inbound: 1}) },
		"Dial.Done":             func() { n.Dial.Done(DialStatic, ConnTimeout) },
		"Discovery.PacketIn":    func() { n.Discovery.PacketIn(DiscV4, 2) },
		"Discovery.BadPacket":   func() { n.Discovery.BadPacket(DiscV4, BadPacketHash) },
		"Discovery.LookupDone":  func() { n.Discovery.LookupDone(DiscV4, time.Second) },
		"PendingHandshakes.Inc": func() { n.Server.PendingHandshakes(Outbound).Inc() },
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			require.Zero(t, testing.AllocsPerRun(100, op))
		})
	}
}
