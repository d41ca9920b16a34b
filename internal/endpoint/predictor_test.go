package endpoint

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/clock"
)

var (
	truth = netip.MustParseAddrPort("203.0.113.7:30303")
	lie   = netip.MustParseAddrPort("198.51.100.66:1")
)

// sender returns the i-th distinct IPv4 sender.
func sender(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
}

func TestThreshold(t *testing.T) {
	p := New(Config{Clock: new(clock.Simulated)})
	for i := range DefaultMinStatements - 1 {
		ep, changed := p.Add(sender(i), truth)
		require.False(t, changed)
		require.False(t, ep.IsValid())
	}
	ep, changed := p.Add(sender(100), truth)
	require.True(t, changed)
	require.Equal(t, truth, ep)
	// More agreement changes nothing.
	_, changed = p.Add(sender(101), truth)
	require.False(t, changed)
}

// A flood of statements from one IP (or one IPv6 /64) is one vote.
func TestFloodFromOneSenderCountsOnce(t *testing.T) {
	for _, tt := range []struct {
		name string
		from func(i int) netip.Addr
	}{
		{"one IPv4", func(int) netip.Addr { return netip.MustParseAddr("192.0.2.1") }},
		{"IPv4-mapped", func(i int) netip.Addr {
			if i%2 == 0 {
				return netip.MustParseAddr("::ffff:192.0.2.1")
			}
			return netip.MustParseAddr("192.0.2.1")
		}},
		{"one IPv6 /64", func(i int) netip.Addr {
			return netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 8: byte(i >> 8), 15: byte(i)})
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := New(Config{Clock: new(clock.Simulated)})
			for i := range 1000 {
				_, changed := p.Add(tt.from(i), lie)
				require.False(t, changed)
			}
			require.False(t, p.Predict().IsValid())
		})
	}
}

// Liars in the minority never flip an established prediction, however
// often they repeat themselves.
func TestLyingMinorityNoFlip(t *testing.T) {
	clk := new(clock.Simulated)
	p := New(Config{Clock: clk})
	for i := range 12 {
		p.Add(sender(i), truth)
	}
	require.Equal(t, truth, p.Predict())
	for round := range 20 {
		for i := range 11 { // 11 liars ≥ threshold, but 12 honest senders
			_, changed := p.Add(sender(1000+i), lie)
			require.False(t, changed, "round %d", round)
		}
		for i := range 12 {
			p.Add(sender(i), truth) // honest senders keep talking
		}
		clk.Run(30 * time.Second)
	}
	require.Equal(t, truth, p.Predict())
}

// A real change of address: once a majority reports the new endpoint, the
// prediction moves.
func TestMajorityMoves(t *testing.T) {
	clk := new(clock.Simulated)
	p := New(Config{Clock: clk})
	for i := range 10 {
		p.Add(sender(i), truth)
	}
	require.Equal(t, truth, p.Predict())
	moved := netip.MustParseAddrPort("203.0.113.8:30303")
	changes := 0
	for i := range 11 {
		if _, changed := p.Add(sender(i+50), moved); changed {
			changes++
		}
	}
	require.Equal(t, 1, changes)
	require.Equal(t, moved, p.Predict())
}

// Statements expire after the window: old votes do not add up with new
// ones, and an expired prediction is kept until something beats it.
func TestWindow(t *testing.T) {
	clk := new(clock.Simulated)
	p := New(Config{Clock: clk, Window: time.Minute})
	for i := range 5 {
		p.Add(sender(i), truth)
	}
	clk.Run(time.Minute)
	for i := range 9 {
		_, changed := p.Add(sender(100+i), truth)
		require.False(t, changed, "expired votes counted")
	}
	_, changed := p.Add(sender(200), truth)
	require.True(t, changed)
	clk.Run(time.Hour)
	require.Equal(t, truth, p.Predict())
	// Nine liars after expiry: below the threshold, no flip.
	for i := range 9 {
		p.Add(sender(300+i), lie)
	}
	require.Equal(t, truth, p.Predict())
}

// Random source ports (symmetric NAT, sigp discv5#275): no endpoint ever
// gets enough votes, so nothing is predicted.
func TestSymmetricNATNeverConverges(t *testing.T) {
	p := New(Config{Clock: new(clock.Simulated)})
	for i := range 100 {
		_, changed := p.Add(sender(i), netip.AddrPortFrom(truth.Addr(), uint16(20000+i)))
		require.False(t, changed)
	}
}

func TestMaxSenders(t *testing.T) {
	clk := new(clock.Simulated)
	p := New(Config{Clock: clk, MaxSenders: 16})
	for i := range 1000 {
		p.Add(sender(i), netip.AddrPortFrom(truth.Addr(), uint16(1+i)))
		clk.Run(time.Millisecond)
	}
	p.mu.Lock()
	n := len(p.votes)
	p.mu.Unlock()
	require.Equal(t, 16, n)
}

func TestInvalidStatementsIgnored(t *testing.T) {
	p := New(Config{Clock: new(clock.Simulated), MinStatements: 1})
	for _, ep := range []netip.AddrPort{{}, netip.MustParseAddrPort("0.0.0.0:30303"), netip.MustParseAddrPort("[::]:1"), netip.MustParseAddrPort("203.0.113.1:0")} {
		t.Run(fmt.Sprint(ep), func(t *testing.T) {
			_, changed := p.Add(sender(1), ep)
			require.False(t, changed)
		})
	}
	_, changed := p.Add(netip.Addr{}, truth)
	require.False(t, changed)
	// An IPv4-mapped claim is the IPv4 endpoint.
	ep, changed := p.Add(sender(1), netip.MustParseAddrPort("[::ffff:203.0.113.7]:30303"))
	require.True(t, changed)
	require.Equal(t, truth, ep)
}

func BenchmarkAdd(b *testing.B) {
	p := New(Config{Clock: new(clock.Simulated)})
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		p.Add(sender(i%DefaultMaxSenders), truth)
	}
}
