package interop

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gdiscover "github.com/ethereum/go-ethereum/p2p/discover"
	"github.com/ethereum/go-ethereum/p2p/enode"
	"github.com/ethereum/go-ethereum/p2p/netutil"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/discovertest"
	"github.com/devp2p-go/devp2p/internal/endpoint"
)

// listenAt attaches a conn at a chosen address, so that a test can give
// nodes distinct IPs (the in-memory network routes by address only).
func (mn *memNet) listenAt(ap netip.AddrPort) *discovertest.Conn {
	mn.tb.Helper()
	c, err := mn.net.Listen(ap)
	if err != nil {
		mn.tb.Fatal(err)
	}
	return c
}

// TestGethLearnsOurExternalEndpoint: our node sits behind a "NAT" — it
// believes its address is 127.0.0.1 while the network sees it at
// 11.0.0.77:30303. It pings ten go-ethereum nodes at distinct IPs; their
// Pongs tell it the address they saw, and once ten agree its record says
// so. A go-ethereum node then learns that endpoint the way it learns any
// change: the enr-seq in our Pong (EIP-868) and the record it fetches.
// Everything runs on the in-memory network: no datagram leaves the process
// (11.0.0.77 is not a documentation address because go-ethereum refuses
// those in a record).
func TestGethLearnsOurExternalEndpoint(t *testing.T) {
	mn := newMemNet(t)
	external := netip.MustParseAddrPort("11.0.0.77:30303")

	key, _ := secp256k1.GeneratePrivateKey()
	ln := discover.NewLocalNode(key, nil)
	ln.SetIP(netip.MustParseAddr("127.0.0.1"))
	ln.SetUDP(external.Port())
	ours, err := discover.Listen(mn.listenAt(external), key, discover.Config{LocalNode: ln})
	if err != nil {
		t.Fatal(err)
	}
	defer ours.Close()
	before := ours.Self()

	var sent atomic.Int64
	var tripped atomic.Bool
	geths := make([]*gdiscover.UDPv4, 10)
	for i := range geths {
		addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 0, 0, byte(i + 1)}), 30303)
		gkey, db, gln := newGethLocalNode(t, addr)
		t.Cleanup(db.Close)
		udp, err := gdiscover.ListenV4(newGuardConn(mn.listenAt(addr), &sent, &tripped), gln, gdiscover.Config{PrivateKey: gkey})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(udp.Close)
		geths[i] = udp
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i, g := range geths {
		gn, err := discover.ParseNode(g.Self().String())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ours.Ping(ctx, gn); err != nil {
			t.Fatalf("ping geth %d: %v", i, err)
		}
		if i < 9 && ours.Self().Seq() != before.Seq() {
			t.Fatalf("record changed after %d statements", i+1)
		}
	}
	self := ours.Self()
	if self.IP() != external.Addr() || self.UDP() != external.Port() || self.Seq() <= before.Seq() {
		t.Fatalf("record %v (seq %d), want %v with seq > %d", self.UDPAddr(), self.Seq(), external, before.Seq())
	}

	// go-ethereum's view, starting from our old record at the address it
	// can reach us on.
	g := geths[0]
	old := enode.NewV4(&toGethKey(t, key).PublicKey, net.IP(external.Addr().AsSlice()), 0, int(external.Port()))
	pong, err := g.Ping(old)
	if err != nil {
		t.Fatal(err)
	}
	if pong.ENRSeq != self.Seq() {
		t.Fatalf("our pong announces seq %d, want %d", pong.ENRSeq, self.Seq())
	}
	got, err := g.RequestENR(old)
	if err != nil {
		t.Fatal(err)
	}
	ep, ok := got.UDPEndpoint()
	if !ok || ep != external || got.Seq() != self.Seq() {
		t.Fatalf("go-ethereum sees %v seq %d, want %v seq %d", ep, got.Seq(), external, self.Seq())
	}
	if tripped.Load() {
		t.Fatal("a go-ethereum node's guard tripped")
	}
}

func toGethKey(t *testing.T, k *secp256k1.PrivateKey) *ecdsa.PrivateKey {
	t.Helper()
	gk, err := gcrypto.ToECDSA(k.Serialize())
	if err != nil {
		t.Fatal(err)
	}
	return gk
}

// TestPredictorAgreesWithIPTracker feeds the same statements to our
// predictor and go-ethereum's netutil.IPTracker (10 statements). Whenever
// IPTracker has a clear prediction (one endpoint named by strictly more
// senders than any other, at least 10), ours must be the same; and ours
// may change only to what IPTracker predicts. Where IPTracker's answer is
// a tie decided by map order, or below the threshold after a change of
// mind, ours keeps its current prediction by design: those states are not
// compared. A run takes milliseconds, well inside both 5-minute windows
// (IPTracker's clock cannot be replaced from outside its package, so
// expiry is covered by our own tests only).
func TestPredictorAgreesWithIPTracker(t *testing.T) {
	const window, minStatements = 5 * time.Minute, 10
	for seed := range uint64(100) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x1da7))
			it := netutil.NewIPTracker(window, window, minStatements)
			p := endpoint.New(endpoint.Config{Window: window, MinStatements: minStatements})

			// A few candidate endpoints with random popularity; senders
			// repeat themselves and change their minds.
			eps := []netip.AddrPort{
				netip.MustParseAddrPort("203.0.113.1:30303"),
				netip.MustParseAddrPort("203.0.113.1:40000"),
				netip.MustParseAddrPort("198.51.100.9:30303"),
				netip.MustParseAddrPort("192.0.2.4:1"),
			}
			weights := []int{rng.IntN(10) + 1, rng.IntN(8) + 1, rng.IntN(4) + 1, rng.IntN(3) + 1}
			total := 0
			for _, w := range weights {
				total += w
			}
			pick := func() netip.AddrPort {
				n := rng.IntN(total)
				for i, w := range weights {
					if n < w {
						return eps[i]
					}
					n -= w
				}
				panic("unreachable")
			}
			senders := rng.IntN(80) + 5
			latest := make(map[netip.Addr]netip.AddrPort) // the statements both keep
			compared := 0
			for step := range 300 {
				s := rng.IntN(senders)
				from := netip.AddrFrom4([4]byte{10, 1, byte(s >> 8), byte(s)})
				claim := pick()
				latest[from] = claim

				it.AddStatement(from, claim)
				prev := p.Predict()
				got, changed := p.Add(from, claim)
				want := it.PredictEndpoint()
				clear := isClear(latest, want, minStatements)
				if clear {
					compared++
					if got != want {
						t.Fatalf("step %d: ours %v, IPTracker %v", step, got, want)
					}
				}
				if changed && (!clear || got != want) {
					t.Fatalf("step %d: ours changed %v → %v where IPTracker has no clear prediction (%v)", step, prev, got, want)
				}
			}
			t.Logf("%d of 300 states compared", compared)
		})
	}
}

// isClear reports whether want is named by at least min senders and by
// strictly more than any other endpoint.
func isClear(latest map[netip.Addr]netip.AddrPort, want netip.AddrPort, min int) bool {
	if !want.IsValid() {
		return false
	}
	counts := make(map[netip.AddrPort]int)
	for _, ep := range latest {
		counts[ep]++
	}
	for ep, n := range counts {
		if ep != want && n >= counts[want] {
			return false
		}
	}
	return counts[want] >= min
}

// BenchmarkEndpointPrediction: one statement plus the prediction after
// it, as each side does per pong (go-ethereum's LocalNode calls
// PredictEndpoint on every statement), with 100 senders in the window.
func BenchmarkEndpointPrediction(b *testing.B) {
	type statement struct {
		from netip.Addr
		ep   netip.AddrPort
	}
	sts := make([]statement, 100)
	for i := range sts {
		ep := netip.MustParseAddrPort("11.0.0.77:30303")
		if i%4 == 0 {
			ep = netip.AddrPortFrom(ep.Addr(), uint16(40000+i))
		}
		sts[i] = statement{netip.AddrFrom4([4]byte{10, 1, 0, byte(i)}), ep}
	}
	b.Run("ours", func(b *testing.B) {
		p := endpoint.New(endpoint.Config{})
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			s := sts[i%len(sts)]
			p.Add(s.from, s.ep)
		}
	})
	b.Run("geth", func(b *testing.B) {
		it := netutil.NewIPTracker(5*time.Minute, 10*time.Minute, 10)
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			s := sts[i%len(sts)]
			it.AddStatement(s.from, s.ep)
			it.PredictEndpoint()
		}
	})
}
