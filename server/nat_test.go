package server

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/nat"
	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/rlp"
)

// fakeNAT is a gateway whose answers the test sets. Every Map and Unmap
// is also sent on its channels.
type fakeNAT struct {
	mu       sync.Mutex
	ip       netip.Addr
	ipErr    error
	mapErr   error
	offset   uint16 // external port = asked port + offset
	lifetime time.Duration

	maps   chan nat.Mapping
	unmaps chan nat.Mapping
}

func newFakeNAT() *fakeNAT {
	return &fakeNAT{
		ip:       netip.MustParseAddr("203.0.113.50"),
		lifetime: 100 * time.Second,
		maps:     make(chan nat.Mapping, 64),
		unmaps:   make(chan nat.Mapping, 64),
	}
}

func (f *fakeNAT) set(change func(f *fakeNAT)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

func (f *fakeNAT) Map(ctx context.Context, proto nat.Protocol, internal, ext uint16, lifetime time.Duration, desc string) (nat.Mapping, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.mapErr != nil {
		f.maps <- nat.Mapping{Protocol: proto, InternalPort: internal}
		return nat.Mapping{}, f.mapErr
	}
	m := nat.Mapping{Protocol: proto, InternalPort: internal, ExternalPort: ext + f.offset, Lifetime: f.lifetime}
	f.maps <- m
	return m, nil
}

func (f *fakeNAT) Unmap(ctx context.Context, m nat.Mapping) error {
	f.unmaps <- m
	return nil
}

func (f *fakeNAT) ExternalIP(context.Context) (netip.Addr, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.ip, f.ipErr
}

func (f *fakeNAT) String() string { return "fake" }

// natConfig listens on all interfaces (a loopback listener is never
// mapped) and sends nothing: no dialing, no bootnodes.
func natConfig(t *testing.T, n nat.Interface, discovery bool) Config {
	cfg := testConfig(t)
	cfg.ListenAddr = "0.0.0.0:0"
	cfg.NoDial = true
	cfg.NoDiscovery = !discovery
	cfg.NAT = n
	return cfg
}

func TestNATMapsAndAdvertises(t *testing.T) {
	f := newFakeNAT()
	f.offset = 1000 // the gateway hands out other ports
	srv, err := New(natConfig(t, f, true))
	require.NoError(t, err)
	require.NoError(t, srv.Start())

	internal := map[nat.Protocol]uint16{}
	for range 2 {
		m := recv(t, f.maps)
		internal[m.Protocol] = m.InternalPort
	}
	self := srv.Self()
	require.Equal(t, netip.MustParseAddr("203.0.113.50"), self.IP())
	require.Equal(t, internal[nat.TCP]+1000, self.TCP())
	require.Equal(t, internal[nat.UDP]+1000, self.UDP())

	srv.Close()
	unmapped := map[nat.Protocol]uint16{}
	for range 2 {
		m := recv(t, f.unmaps)
		unmapped[m.Protocol] = m.ExternalPort
	}
	require.Equal(t, map[nat.Protocol]uint16{nat.TCP: self.TCP(), nat.UDP: self.UDP()}, unmapped)
}

// Leases are renewed before they end, asking for the port we already
// have; a new port or address from the gateway reaches the record with a
// higher sequence number; a failed renewal keeps what we advertise.
func TestNATRenewal(t *testing.T) {
	f := newFakeNAT()
	clk := new(clock.Simulated)
	cfg := natConfig(t, f, false)
	cfg.Clock = clk
	srv := startServer(t, cfg)
	first := recv(t, f.maps)
	seq := srv.Self().Seq()
	require.Equal(t, first.InternalPort, srv.Self().TCP())

	// 4/5 of the 100 s lease: renewed, same port, nothing changes.
	clk.WaitForTimers(1)
	clk.Run(80 * time.Second)
	renew := recv(t, f.maps)
	require.Equal(t, first, renew)
	require.Equal(t, seq, srv.Self().Seq())

	// The gateway now gives another port and address.
	f.set(func(f *fakeNAT) { f.offset, f.ip = 7, netip.MustParseAddr("203.0.113.51") })
	clk.WaitForTimers(1)
	clk.Run(80 * time.Second)
	moved := recv(t, f.maps)
	require.Equal(t, first.ExternalPort+7, moved.ExternalPort)
	// The NAT loop updates the record after the mapping call returns, then
	// arms its next renewal: once that timer is armed, the record is done.
	clk.WaitForTimers(1)
	self := srv.Self()
	require.Equal(t, moved.ExternalPort, self.TCP())
	require.Equal(t, netip.MustParseAddr("203.0.113.51"), self.IP())
	require.Greater(t, self.Seq(), seq)

	// Renewal fails: retried after a minute, the record keeps its
	// endpoint, nothing is unmapped.
	f.set(func(f *fakeNAT) { f.mapErr = fmt.Errorf("gateway busy") })
	clk.WaitForTimers(1)
	clk.Run(80 * time.Second)
	recv(t, f.maps)
	clk.WaitForTimers(1)
	clk.Run(time.Minute)
	recv(t, f.maps)
	require.Equal(t, self.Seq(), srv.Self().Seq())
	require.Empty(t, f.unmaps)

	// Three good rounds (first, renewal, moved) and two failed ones, for
	// the TCP listener's mapping at least.
	clk.WaitForTimers(1)
	require.GreaterOrEqual(t, metricValue(t, srv, metrics.NameNATRenewals, "tcp"), 3.0)
	require.GreaterOrEqual(t, metricValue(t, srv, metrics.NameNATFailures, "tcp"), 2.0)
}

// A gateway behind another NAT reports a private or shared address: it
// is never advertised, but the ports are still mapped.
func TestNATNonPublicAddressNotAdvertised(t *testing.T) {
	f := newFakeNAT()
	f.ipErr = fmt.Errorf("%w: 100.64.0.9", nat.ErrNotPublic)
	srv := startServer(t, natConfig(t, f, false))
	recv(t, f.maps)
	require.Equal(t, netip.MustParseAddr("127.0.0.1"), srv.Self().IP())
}

// extip on a loopback listener: the address is advertised, nothing mapped.
func TestNATExtIPLoopback(t *testing.T) {
	cfg := testConfig(t)
	cfg.NAT = nat.ExtIP(netip.MustParseAddr("198.51.100.20"))
	cfg.NoDial = true
	srv := startServer(t, cfg)
	require.Equal(t, netip.MustParseAddr("198.51.100.20"), srv.Self().IP())
}

// Protocols declare record entries; the embedder changes them later
// through LocalNode, and each change bumps the sequence number.
func TestProtocolRecordEntries(t *testing.T) {
	fork := func(hash uint32) []byte {
		b, err := rlp.EncodeToBytes([][]any{{hash, uint64(0)}})
		require.NoError(t, err)
		return b
	}
	proto := newTestProto().protocol()
	proto.ENR = []peer.ENREntry{{Key: "eth", Value: fork(0xfc64ec04)}}
	for _, disc := range []bool{false, true} {
		t.Run(map[bool]string{false: "no-discovery", true: "discovery"}[disc], func(t *testing.T) {
			cfg := testConfig(t, proto)
			cfg.NoDiscovery = !disc
			cfg.NoDial = true
			srv, err := New(cfg)
			require.NoError(t, err)
			require.Nil(t, srv.LocalNode(), "before Start")
			require.NoError(t, srv.Start())
			defer srv.Close()

			got, ok := srv.Self().Record().Get("eth")
			require.True(t, ok)
			require.Equal(t, fork(0xfc64ec04), got)
			seq := srv.Self().Seq()

			ln := srv.LocalNode()
			require.NoError(t, ln.Set("eth", fork(0x9f3d2254)))
			got, _ = srv.Self().Record().Get("eth")
			require.Equal(t, fork(0x9f3d2254), got)
			require.Equal(t, seq+1, srv.Self().Seq())

			ln.Delete("eth")
			require.False(t, srv.Self().Record().Has("eth"))
			require.Equal(t, seq+2, srv.Self().Seq())
		})
	}
}

func TestProtocolRecordEntryInvalid(t *testing.T) {
	proto := newTestProto().protocol()
	proto.ENR = []peer.ENREntry{{Key: "eth", Value: []byte{0xc1}}} // truncated list
	cfg := testConfig(t, proto)
	srv, err := New(cfg)
	require.NoError(t, err)
	require.Error(t, srv.Start())
}

// hangingNAT is a gateway that never answers: every call blocks until
// its context ends.
type hangingNAT struct{ called chan struct{} }

func (h hangingNAT) wait(ctx context.Context) error {
	select {
	case h.called <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return ctx.Err()
}

func (h hangingNAT) Map(ctx context.Context, _ nat.Protocol, _, _ uint16, _ time.Duration, _ string) (nat.Mapping, error) {
	return nat.Mapping{}, h.wait(ctx)
}
func (h hangingNAT) Unmap(ctx context.Context, _ nat.Mapping) error { return h.wait(ctx) }
func (h hangingNAT) ExternalIP(ctx context.Context) (netip.Addr, error) {
	return netip.Addr{}, h.wait(ctx)
}
func (h hangingNAT) String() string { return "hanging" }

// A hanging gateway holds Start for at most its first-round bound, and
// Close cuts that short.
func TestNATHangingGatewayClose(t *testing.T) {
	h := hangingNAT{called: make(chan struct{}, 1)}
	srv, err := New(natConfig(t, h, false))
	require.NoError(t, err)
	started := make(chan error, 1)
	go func() { started <- srv.Start() }()
	recv(t, h.called)
	srv.Close()
	require.NoError(t, recv(t, started))
	require.Equal(t, netip.MustParseAddr("127.0.0.1"), srv.Self().IP())
}
