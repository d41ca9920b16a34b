package interop

import (
	"context"
	"crypto/ecdsa"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/ethereum/go-ethereum/common/mclock"
	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gdiscover "github.com/ethereum/go-ethereum/p2p/discover"
	gv5wire "github.com/ethereum/go-ethereum/p2p/discover/v5wire"
	"github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/discovertest"
	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/nodeid"
)

var (
	benchAddrA = netip.MustParseAddrPort("127.0.0.1:30301")
	benchAddrB = netip.MustParseAddrPort("127.0.0.1:30302")
)

// ourCodecNode is one side of the codec benchmarks, ours.
type ourCodecNode struct {
	key   *secp256k1.PrivateKey
	pub   *secp256k1.PublicKey // known from the node's record, as a transport has it
	id    nodeid.ID
	codec *v5wire.Codec
}

func newOurCodecNode(b *testing.B, addr netip.AddrPort) *ourCodecNode {
	key, _ := secp256k1.GeneratePrivateKey()
	rec := new(enr.Record)
	rec.SetSeq(1)
	rec.SetIP(addr.Addr())
	rec.SetUDP(addr.Port())
	if err := rec.SignV4(key); err != nil {
		b.Fatal(err)
	}
	c, err := v5wire.NewCodec(key, func() *enr.Record { return rec }, v5wire.CodecConfig{})
	if err != nil {
		b.Fatal(err)
	}
	return &ourCodecNode{key: key, pub: key.PubKey(), id: nodeid.FromPubkey(key.PubKey()), codec: c}
}

// ourHandshake runs random packet, WHOAREYOU and handshake between a and
// c (each encoded and decoded), leaving a session on both sides.
func ourHandshake(b *testing.B, a, c *ourCodecNode) {
	a.codec.DeleteSession(c.id, benchAddrB)
	c.codec.DeleteSession(a.id, benchAddrA)
	ping := &v5wire.Ping{ReqID: []byte{1, 2, 3, 4}, ENRSeq: 1}
	pkt, nonce, err := a.codec.EncodeMessage(c.id, benchAddrB, ping)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, _, err := c.codec.Decode(pkt, benchAddrA); err != nil {
		b.Fatal(err)
	}
	who, err := c.codec.EncodeWhoareyou(a.id, benchAddrA, nonce, nil)
	if err != nil {
		b.Fatal(err)
	}
	_, _, w, err := a.codec.Decode(who, benchAddrB)
	if err != nil {
		b.Fatal(err)
	}
	hs, _, err := a.codec.EncodeHandshake(c.id, benchAddrB, c.pub, w.(*v5wire.Whoareyou), ping)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, _, err := c.codec.Decode(hs, benchAddrA); err != nil {
		b.Fatal(err)
	}
}

// gethCodecNode is one side of the codec benchmarks, go-ethereum's.
type gethCodecNode struct {
	ln    *enode.LocalNode
	db    *enode.DB
	codec *gv5wire.Codec
	addr  string
}

func newGethCodecNode(b *testing.B, addr netip.AddrPort) *gethCodecNode {
	key, db, ln := newGethLocalNode(b, addr)
	b.Cleanup(db.Close)
	return &gethCodecNode{ln: ln, db: db, codec: gv5wire.NewCodec(ln, key, mclock.System{}, nil), addr: addr.String()}
}

func gethHandshake(b *testing.B, a, c *gethCodecNode) {
	ping := &gv5wire.Ping{ReqID: []byte{1, 2, 3, 4}, ENRSeq: 1}
	idA, idC := a.ln.ID(), c.ln.ID()
	pkt, nonce, err := a.codec.Encode(idC, c.addr, ping, nil)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, _, err := c.codec.Decode(pkt, a.addr); err != nil {
		b.Fatal(err)
	}
	challenge := &gv5wire.Whoareyou{Nonce: nonce, IDNonce: [16]byte{1}}
	who, _, err := c.codec.Encode(idA, a.addr, challenge, nil)
	if err != nil {
		b.Fatal(err)
	}
	_, _, w, err := a.codec.Decode(who, c.addr)
	if err != nil {
		b.Fatal(err)
	}
	wa := w.(*gv5wire.Whoareyou)
	wa.Node = c.ln.Node()
	hs, _, err := a.codec.Encode(idC, c.addr, ping, wa)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, _, err := c.codec.Decode(hs, a.addr); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkV5Codec compares the discv5 packet codecs: a PING encoded and
// decoded under an established session, and a full handshake (random
// packet, WHOAREYOU, handshake packet with the initiator's record, each
// encoded and decoded).
func BenchmarkV5Codec(b *testing.B) {
	b.Run("session/ours", func(b *testing.B) {
		a, c := newOurCodecNode(b, benchAddrA), newOurCodecNode(b, benchAddrB)
		ourHandshake(b, a, c)
		ping := &v5wire.Ping{ReqID: []byte{1, 2, 3, 4}, ENRSeq: 1}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			pkt, _, err := a.codec.EncodeMessage(c.id, benchAddrB, ping)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, _, err := c.codec.Decode(pkt, benchAddrA); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("session/geth", func(b *testing.B) {
		a, c := newGethCodecNode(b, benchAddrA), newGethCodecNode(b, benchAddrB)
		gethHandshake(b, a, c)
		ping := &gv5wire.Ping{ReqID: []byte{1, 2, 3, 4}, ENRSeq: 1}
		b.ReportAllocs()
		b.ResetTimer()
		for b.Loop() {
			pkt, _, err := a.codec.Encode(c.ln.ID(), c.addr, ping, nil)
			if err != nil {
				b.Fatal(err)
			}
			if _, _, _, err := c.codec.Decode(pkt, a.addr); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("handshake/ours", func(b *testing.B) {
		a, c := newOurCodecNode(b, benchAddrA), newOurCodecNode(b, benchAddrB)
		b.ReportAllocs()
		for b.Loop() {
			ourHandshake(b, a, c)
		}
	})
	b.Run("handshake/geth", func(b *testing.B) {
		a, c := newGethCodecNode(b, benchAddrA), newGethCodecNode(b, benchAddrB)
		b.ReportAllocs()
		for b.Loop() {
			gethHandshake(b, a, c)
		}
	})
}

// BenchmarkLookupV5_256 is BenchmarkLookup256 over discv5: the same
// network shape (memNet, batches, warm-up), lookups for the node ID of
// each target key. go-ethereum answers FINDNODE only with nodes its
// revalidation has checked, which after the warm-up are few, so its
// lookups end early; "geth-relay-all" (NoFindnodeLivenessCheck) relays
// its whole table, closer to our rule (nodes seen live: handshaken,
// answering, or revalidated).
func BenchmarkLookupV5_256(b *testing.B) {
	targets := make([]*ecdsa.PublicKey, 251)
	for i := range targets {
		k, err := gcrypto.GenerateKey()
		if err != nil {
			b.Fatal(err)
		}
		targets[i] = &k.PublicKey
	}
	for _, side := range []struct {
		name  string
		build func(b *testing.B, size int, sent *atomic.Int64) lookupNet
	}{
		{"ours", newOurV5LookupNet},
		{"geth", newGethV5LookupNet(false)},
		{"geth-relay-all", newGethV5LookupNet(true)},
	} {
		var sent atomic.Int64
		net := side.build(b, lookupNetSize, &sent)
		next := 0
		b.Run(side.name, func(b *testing.B) {
			sent.Store(0)
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				net.lookup(next%lookupNetSize, targets[next%len(targets)])
				next++
			}
			b.StopTimer()
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N), "ns/lookup")
			b.ReportMetric(float64(sent.Load())/float64(b.N), "packets/lookup")
		})
		net.close()
	}
}

type ourV5LookupNet struct {
	nodes     []*discover.UDPv5
	closeOnce sync.Once
}

func newOurV5LookupNet(b *testing.B, size int, sent *atomic.Int64) lookupNet {
	b.Helper()
	mn := newMemNet(b)
	keys, conns := ourLookupIdentities(b, mn, size)
	locals := make([]*discover.LocalNode, size)
	for i := range keys {
		locals[i] = discover.NewLocalNode(keys[i], nil)
		locals[i].SetIP(conns[i].Addr().Addr())
		locals[i].SetUDP(conns[i].Addr().Port())
	}
	n := &ourV5LookupNet{}
	b.Cleanup(n.close)
	bootstrap(b, n, size, func(i int, bootIdx []int) error {
		var boot []*discover.Node
		for _, j := range bootIdx {
			boot = append(boot, locals[j].Node())
		}
		u, err := discover.ListenV5(countConn{conns[i], sent}, keys[i], discover.Config{
			LocalNode: locals[i], V5: discover.V5Config{Bootnodes: boot},
		})
		if err != nil {
			return err
		}
		n.nodes = append(n.nodes, u)
		return nil
	})
	return n
}

func (n *ourV5LookupNet) lookup(i int, target *ecdsa.PublicKey) {
	n.nodes[i].Lookup(context.Background(), nodeid.ID(enode.PubkeyToIDV4(target)))
}

func (n *ourV5LookupNet) check(testing.TB) {}

func (n *ourV5LookupNet) close() { n.closeOnce.Do(func() { closeAll(n.nodes) }) }

// gethV5LookupNet is a network of go-ethereum's discv5 nodes; discv5 has
// no NTP check, so they run on counting conns without a guard.
type gethV5LookupNet struct {
	nodes     []*gdiscover.UDPv5
	dbs       []*enode.DB
	closeOnce sync.Once
}

func newGethV5LookupNet(relayAll bool) func(b *testing.B, size int, sent *atomic.Int64) lookupNet {
	return func(b *testing.B, size int, sent *atomic.Int64) lookupNet {
		return buildGethV5LookupNet(b, size, sent, relayAll)
	}
}

func buildGethV5LookupNet(b *testing.B, size int, sent *atomic.Int64, relayAll bool) lookupNet {
	b.Helper()
	mn := newMemNet(b)
	n := &gethV5LookupNet{}
	b.Cleanup(n.close)
	keys := make([]*ecdsa.PrivateKey, size)
	locals := make([]*enode.LocalNode, size)
	conns := make([]*discovertest.Conn, size)
	for i := range keys {
		conns[i] = mn.listen()
		var db *enode.DB
		keys[i], db, locals[i] = newGethLocalNode(b, conns[i].Addr())
		n.dbs = append(n.dbs, db)
	}
	bootstrap(b, n, size, func(i int, bootIdx []int) error {
		var boot []*enode.Node
		for _, j := range bootIdx {
			boot = append(boot, locals[j].Node())
		}
		u, err := gdiscover.ListenV5(countConn{conns[i], sent}, locals[i], gdiscover.Config{PrivateKey: keys[i], Bootnodes: boot, NoFindnodeLivenessCheck: relayAll})
		if err != nil {
			return err
		}
		n.nodes = append(n.nodes, u)
		return nil
	})
	return n
}

func (n *gethV5LookupNet) lookup(i int, target *ecdsa.PublicKey) {
	n.nodes[i].Lookup(enode.PubkeyToIDV4(target))
}

func (n *gethV5LookupNet) check(testing.TB) {}

func (n *gethV5LookupNet) close() {
	n.closeOnce.Do(func() {
		closeAll(n.nodes)
		closeAll(n.dbs)
	})
}
