package interop

import (
	"bytes"
	"crypto/ecdsa"
	"math"
	"math/rand/v2"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethwire "github.com/ethereum/go-ethereum/p2p/discover/v4wire"
	"github.com/ethereum/go-ethereum/p2p/enode"
	gethrlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/rlp"
)

// The v4wire differential tests encode the same discv4 packets with our
// discover/v4wire and go-ethereum's p2p/discover/v4wire. Signatures use
// RFC 6979 nonces on both sides, so the packets must be byte-identical;
// each side must then decode the other's packet to the same fields.

type wireGen struct{ rng *rand.Rand }

func (g wireGen) ip() netip.Addr {
	switch g.rng.IntN(4) {
	case 0:
		return netip.Addr{}
	case 1:
		var a [16]byte
		for i := range a {
			a[i] = byte(g.rng.Uint32())
		}
		a[0] = 0x20 // not IPv4-mapped
		return netip.AddrFrom16(a)
	default:
		var a [4]byte
		for i := range a {
			a[i] = byte(g.rng.Uint32())
		}
		return netip.AddrFrom4(a)
	}
}

func (g wireGen) port() uint16 { return uint16(g.rng.IntN(65536)) }
func (g wireGen) u64() uint64  { return g.rng.Uint64() >> g.rng.IntN(64) }
func (g wireGen) b32() (b [32]byte) {
	for i := range b {
		b[i] = byte(g.rng.Uint32())
	}
	return b
}
func (g wireGen) pub() (k v4wire.Pubkey) {
	for i := range k {
		k[i] = byte(g.rng.Uint32())
	}
	return k
}
func (g wireGen) rest() []rlp.RawValue {
	var out []rlp.RawValue
	for range g.rng.IntN(3) {
		out = append(out, rlp.AppendUint64(nil, g.u64()|1))
	}
	return out
}

func gethIP(ip netip.Addr) net.IP {
	if !ip.IsValid() {
		return net.IP{}
	}
	return net.IP(ip.AsSlice())
}

func gethEndpoint(e v4wire.Endpoint) gethwire.Endpoint {
	return gethwire.Endpoint{IP: gethIP(e.IP), UDP: e.UDP, TCP: e.TCP}
}

func gethRest(r []rlp.RawValue) []gethrlp.RawValue {
	var out []gethrlp.RawValue
	for _, v := range r {
		out = append(out, gethrlp.RawValue(v))
	}
	return out
}

// pair returns the same random packet in both libraries' types.
func (g wireGen) pair(t *testing.T, key *secp256k1.PrivateKey) (v4wire.Packet, gethwire.Packet) {
	ep := func() v4wire.Endpoint { return v4wire.Endpoint{IP: g.ip(), UDP: g.port(), TCP: g.port()} }
	switch g.rng.IntN(6) {
	case 0:
		p := &v4wire.Ping{Version: 4, From: ep(), To: ep(), Expiration: g.u64(), ENRSeq: g.u64()}
		if p.ENRSeq != 0 {
			p.Rest = g.rest() // rest after an absent enr-seq would take its slot
		}
		return p, &gethwire.Ping{Version: uint(p.Version), From: gethEndpoint(p.From), To: gethEndpoint(p.To),
			Expiration: p.Expiration, ENRSeq: p.ENRSeq, Rest: gethRest(p.Rest)}
	case 1:
		p := &v4wire.Pong{To: ep(), ReplyTok: g.b32(), Expiration: g.u64(), ENRSeq: g.u64()}
		if p.ENRSeq != 0 {
			p.Rest = g.rest()
		}
		return p, &gethwire.Pong{To: gethEndpoint(p.To), ReplyTok: p.ReplyTok[:], Expiration: p.Expiration,
			ENRSeq: p.ENRSeq, Rest: gethRest(p.Rest)}
	case 2:
		p := &v4wire.Findnode{Target: g.pub(), Expiration: g.u64(), Rest: g.rest()}
		return p, &gethwire.Findnode{Target: gethwire.Pubkey(p.Target), Expiration: p.Expiration, Rest: gethRest(p.Rest)}
	case 3:
		p := &v4wire.Neighbors{Expiration: g.u64(), Rest: g.rest(), Nodes: []v4wire.Node{}}
		gp := &gethwire.Neighbors{Expiration: p.Expiration, Rest: gethRest(p.Rest), Nodes: []gethwire.Node{}}
		for range g.rng.IntN(v4wire.MaxNeighbors + 1) {
			n := v4wire.Node{IP: g.ip(), UDP: g.port(), TCP: g.port(), ID: g.pub()}
			p.Nodes = append(p.Nodes, n)
			gp.Nodes = append(gp.Nodes, gethwire.Node{IP: gethIP(n.IP), UDP: n.UDP, TCP: n.TCP, ID: gethwire.Pubkey(n.ID)})
		}
		return p, gp
	case 4:
		p := &v4wire.ENRRequest{Expiration: g.u64(), Rest: g.rest()}
		return p, &gethwire.ENRRequest{Expiration: p.Expiration, Rest: gethRest(p.Rest)}
	default:
		spec := randomSpec(g.rng)
		spec.key = key
		p := &v4wire.ENRResponse{ReplyTok: g.b32(), Record: *spec.ours(t), Rest: g.rest()}
		return p, &gethwire.ENRResponse{ReplyTok: p.ReplyTok[:], Record: *spec.geth(t), Rest: gethRest(p.Rest)}
	}
}

func gethKey(t testing.TB, key *secp256k1.PrivateKey) *ecdsa.PrivateKey {
	k, err := gethcrypto.ToECDSA(key.Serialize())
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestV4WireDiff(t *testing.T) {
	g := wireGen{rand.New(rand.NewPCG(11, 12))}
	key := secp256k1.PrivKeyFromBytes(bytes.Repeat([]byte{0x31}, 32))
	gkey := gethKey(t, key)
	for i := range 600 {
		ours, geth := g.pair(t, key)
		ourPkt, ourHash, err := v4wire.Encode(key, ours)
		if err != nil {
			t.Fatal(err)
		}
		gethPkt, gethHash, err := gethwire.Encode(gkey, geth)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ourPkt, gethPkt) || !bytes.Equal(ourHash[:], gethHash) {
			t.Fatalf("packet %d (%s): encodings differ\nours %x\ngeth %x", i, ours.Name(), ourPkt, gethPkt)
		}

		// geth decodes ours (identical bytes, but check the fields anyway).
		gp, gsender, _, err := gethwire.Decode(ourPkt)
		if err != nil {
			t.Fatalf("packet %d: geth rejects ours: %v", i, err)
		}
		// We decode geth's.
		op, osender, _, err := v4wire.Decode(gethPkt)
		if err != nil {
			t.Fatalf("packet %d: we reject geth's: %v", i, err)
		}
		if osender != v4wire.Pubkey(gsender) {
			t.Fatal("senders differ")
		}
		if !sameFields(op, gp) {
			t.Fatalf("packet %d: decoded fields differ:\nours %+v\ngeth %+v", i, op, gp)
		}
	}
}

// sameFields compares a decoded packet of ours with geth's by re-encoding
// both bodies with geth's rlp.
func sameFields(ours v4wire.Packet, geth gethwire.Packet) bool {
	key := secp256k1.PrivKeyFromBytes(bytes.Repeat([]byte{0x42}, 32))
	a, _, err1 := v4wire.Encode(key, ours)
	gk, _ := gethcrypto.ToECDSA(key.Serialize())
	b, _, err2 := gethwire.Encode(gk, geth)
	return err1 == nil && err2 == nil && bytes.Equal(a, b)
}

// TestV4WireDiffVerdicts decodes mutated bodies with both decoders. The only
// allowed disagreement is the lenient enr-seq we chose: a non-integer in
// the enr-seq slot of Ping/Pong is accepted by us and rejected by geth.
// Because each mutated body is signed again, the verdicts are about the body
// alone.
func TestV4WireDiffVerdicts(t *testing.T) {
	g := wireGen{rand.New(rand.NewPCG(13, 14))}
	key := secp256k1.PrivKeyFromBytes(bytes.Repeat([]byte{0x31}, 32))
	gkey := gethKey(t, key)
	var same, lenient, strict int
	for range 3000 {
		ours, _ := g.pair(t, key)
		pkt, _, err := v4wire.Encode(key, ours)
		if err != nil {
			t.Fatal(err)
		}
		body := bytes.Clone(pkt[98:])
		switch g.rng.IntN(3) {
		case 0:
			body[g.rng.IntN(len(body))] ^= byte(1 << g.rng.IntN(8))
		case 1:
			body = body[:g.rng.IntN(len(body))]
		default:
			body = append(body, byte(g.rng.Uint32()))
		}
		kind := pkt[97]
		resigned := resign(t, gkey, kind, body)
		_, _, _, ourErr := v4wire.Decode(resigned)
		gethErr := gethDecode(resigned)
		if (ourErr == nil) == (gethErr == nil) {
			same++
			continue
		}
		if ourErr == nil && (kind == v4wire.PingPacket || kind == v4wire.PongPacket) && lenientSeq(t, resigned) {
			lenient++
			continue
		}
		// EIP-8 leniency we extend to nested endpoint/node lists; geth's
		// Endpoint and Node structs have no tail field.
		if ourErr == nil && strings.Contains(gethErr.Error(), "too many elements for v4wire.") {
			lenient++
			continue
		}
		// A reply token that is not 32 bytes: geth decodes it but can never
		// match it to a request, so its transport drops the packet too.
		if ourErr != nil && gethErr == nil && badReplyTok(resigned) {
			strict++
			continue
		}
		t.Errorf("verdicts differ on %s body %x: ours %v, geth %v", ours.Name(), body, ourErr, gethErr)
	}
	t.Logf("same verdict: %d, documented leniency (we accept): %d, reply tokens not 32 bytes (we reject): %d", same, lenient, strict)
}

// resign builds a packet around an arbitrary body, as geth would sign it.
func resign(t *testing.T, key *ecdsa.PrivateKey, kind byte, body []byte) []byte {
	pkt := make([]byte, 97, 98+len(body))
	pkt = append(append(pkt, kind), body...)
	sig, err := gethcrypto.Sign(gethcrypto.Keccak256(pkt[97:]), key)
	if err != nil {
		t.Fatal(err)
	}
	copy(pkt[32:], sig)
	copy(pkt, gethcrypto.Keccak256(pkt[32:]))
	return pkt
}

// lenientSeq reports whether our decode left the enr-seq slot to Rest,
// i.e. the slot held something geth's strict uint64 rejects.
func lenientSeq(t *testing.T, pkt []byte) bool {
	p, _, _, err := v4wire.Decode(pkt)
	if err != nil {
		return false
	}
	switch p := p.(type) {
	case *v4wire.Ping:
		return p.ENRSeq == 0 && len(p.Rest) > 0
	case *v4wire.Pong:
		return p.ENRSeq == 0 && len(p.Rest) > 0
	}
	return false
}

func badReplyTok(pkt []byte) bool {
	p, _, _, err := gethwire.Decode(pkt)
	if err != nil {
		return false
	}
	switch p := p.(type) {
	case *gethwire.Pong:
		return len(p.ReplyTok) != 32
	case *gethwire.ENRResponse:
		return len(p.ReplyTok) != 32
	}
	return false
}

// gethDecode is geth's verdict on a packet, including the record check its
// transport applies to an ENRResponse (enode.New); our v4wire.Decode
// verifies the record itself.
func gethDecode(pkt []byte) error {
	p, _, _, err := gethwire.Decode(pkt)
	if err != nil {
		return err
	}
	if r, ok := p.(*gethwire.ENRResponse); ok {
		_, err = enode.New(enode.ValidSchemes, &r.Record)
	}
	return err
}

func BenchmarkV4Wire(b *testing.B) {
	key := secp256k1.PrivKeyFromBytes(bytes.Repeat([]byte{0x31}, 32))
	gkey := gethKey(b, key)
	rng := wireGen{rand.New(rand.NewPCG(1, 1))}
	nodes := []v4wire.Node{}
	gnodes := []gethwire.Node{}
	for range v4wire.MaxNeighbors {
		n := v4wire.Node{IP: netip.AddrFrom4([4]byte{10, 0, 0, 1}), UDP: 30303, TCP: 30303, ID: rng.pub()}
		nodes = append(nodes, n)
		gnodes = append(gnodes, gethwire.Node{IP: net.IP{10, 0, 0, 1}, UDP: 30303, TCP: 30303, ID: gethwire.Pubkey(n.ID)})
	}
	ping := &v4wire.Ping{Version: 4, From: v4wire.Endpoint{IP: netip.AddrFrom4([4]byte{1, 2, 3, 4}), UDP: 30303, TCP: 30303},
		To: v4wire.Endpoint{IP: netip.AddrFrom4([4]byte{5, 6, 7, 8}), UDP: 30303}, Expiration: 1 << 40, ENRSeq: 7}
	gping := &gethwire.Ping{Version: 4, From: gethEndpoint(ping.From), To: gethEndpoint(ping.To), Expiration: 1 << 40, ENRSeq: 7}
	cases := []struct {
		name string
		ours v4wire.Packet
		geth gethwire.Packet
	}{
		{"ping", ping, gping},
		{"neighbors12", &v4wire.Neighbors{Nodes: nodes, Expiration: 1 << 40}, &gethwire.Neighbors{Nodes: gnodes, Expiration: 1 << 40}},
	}
	for _, c := range cases {
		pkt, _, err := v4wire.Encode(key, c.ours)
		if err != nil {
			b.Fatal(err)
		}
		b.Run("encode/"+c.name+"/ours", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				v4wire.Encode(key, c.ours)
			}
		})
		b.Run("encode/"+c.name+"/geth", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				gethwire.Encode(gkey, c.geth)
			}
		})
		b.Run("decode/"+c.name+"/ours", func(b *testing.B) {
			b.ReportAllocs()
			cpu := rlpxStartCPU()
			for b.Loop() {
				if _, _, _, err := v4wire.Decode(pkt); err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b, 0)
		})
		b.Run("decode/"+c.name+"/geth", func(b *testing.B) {
			b.ReportAllocs()
			cpu := rlpxStartCPU()
			for b.Loop() {
				if _, _, _, err := gethwire.Decode(pkt); err != nil {
					b.Fatal(err)
				}
			}
			cpu.report(b, 0)
		})
	}
}

// TestV4ExpiredDiff checks that our expiration check agrees with
// go-ethereum's, which reads the field as a signed Unix time: values of
// 2^63 and above are in the past, and so are those too late for time.Time,
// which its conversion wraps around. Values within a few seconds of now are
// left out, since go-ethereum reads the clock itself.
func TestV4ExpiredDiff(t *testing.T) {
	const maxUnix = math.MaxInt64 - 62135596800 // the latest time.Time holds
	now := uint64(time.Now().Unix())
	for _, ts := range []uint64{0, 1, now - 3600, now + 3600, 1 << 40, maxUnix - 1, maxUnix, maxUnix + 1, math.MaxInt64, 1 << 63, 1<<63 + 1, math.MaxUint64 - 1, math.MaxUint64} {
		if got, want := v4wire.Expired(ts, time.Now()), gethwire.Expired(ts); got != want {
			t.Errorf("Expired(%d) = %v, go-ethereum says %v", ts, got, want)
		}
	}
}
