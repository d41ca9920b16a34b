package interop

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sort"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	"github.com/ethereum/go-ethereum/p2p/enode"
	gethenr "github.com/ethereum/go-ethereum/p2p/enr"
	gethrlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/rlp"
)

// The ENR and enode differential tests build the same records and nodes with
// our discover/enr and go-ethereum's p2p/enr + p2p/enode. Both sign with
// RFC 6979 deterministic nonces, so the signed records must be byte-identical,
// and each side must accept and read the other's.

// recordSpec is a record's content, applied to both implementations.
type recordSpec struct {
	seq        uint64
	ip4, ip6   netip.Addr
	tcp, udp   *uint16
	tcp6, udp6 *uint16
	custom     map[string][]byte // key → RLP value
	key        *secp256k1.PrivateKey
}

func randomSpec(rng *rand.Rand) recordSpec {
	var kb [32]byte
	for i := range kb {
		kb[i] = byte(rng.Uint32())
	}
	kb[0] = 0x01 | kb[0]&0x7f // below the group order
	s := recordSpec{seq: rng.Uint64() >> rng.IntN(64), key: secp256k1.PrivKeyFromBytes(kb[:])}
	port := func() *uint16 {
		if rng.IntN(2) == 0 {
			return nil
		}
		p := uint16(rng.IntN(65536))
		return &p
	}
	if rng.IntN(3) > 0 {
		var a [4]byte
		for i := range a {
			a[i] = byte(rng.Uint32())
		}
		s.ip4 = netip.AddrFrom4(a)
	}
	if rng.IntN(3) == 0 {
		var a [16]byte
		a[0] = 0x20
		for i := 1; i < 16; i++ {
			a[i] = byte(rng.Uint32())
		}
		s.ip6 = netip.AddrFrom16(a)
	}
	s.tcp, s.udp, s.tcp6, s.udp6 = port(), port(), port(), port()
	s.custom = map[string][]byte{}
	for range rng.IntN(3) {
		k := fmt.Sprintf("x%d", rng.IntN(100))
		v := make([]byte, rng.IntN(40))
		for i := range v {
			v[i] = byte(rng.Uint32())
		}
		s.custom[k] = rlp.AppendBytes(nil, v)
	}
	return s
}

func (s recordSpec) ours(t *testing.T) *enr.Record {
	var r enr.Record
	r.SetSeq(s.seq)
	if s.ip4.IsValid() {
		r.SetIP(s.ip4)
	}
	if s.ip6.IsValid() {
		r.SetIP(s.ip6)
	}
	for _, p := range []struct {
		v   *uint16
		set func(uint16)
	}{{s.tcp, r.SetTCP}, {s.udp, r.SetUDP}, {s.tcp6, r.SetTCP6}, {s.udp6, r.SetUDP6}} {
		if p.v != nil {
			p.set(*p.v)
		}
	}
	for k, v := range s.custom {
		if err := r.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.SignV4(s.key); err != nil {
		t.Fatal(err)
	}
	return &r
}

func (s recordSpec) geth(t *testing.T) *gethenr.Record {
	var r gethenr.Record
	r.SetSeq(s.seq)
	if s.ip4.IsValid() {
		r.Set(gethenr.IPv4(net.IP(s.ip4.AsSlice())))
	}
	if s.ip6.IsValid() {
		r.Set(gethenr.IPv6(net.IP(s.ip6.AsSlice())))
	}
	if s.tcp != nil {
		r.Set(gethenr.TCP(*s.tcp))
	}
	if s.udp != nil {
		r.Set(gethenr.UDP(*s.udp))
	}
	if s.tcp6 != nil {
		r.Set(gethenr.TCP6(*s.tcp6))
	}
	if s.udp6 != nil {
		r.Set(gethenr.UDP6(*s.udp6))
	}
	keys := make([]string, 0, len(s.custom))
	for k := range s.custom {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r.Set(gethenr.WithEntry(k, gethrlp.RawValue(s.custom[k])))
	}
	priv, err := gethcrypto.ToECDSA(s.key.Serialize())
	if err != nil {
		t.Fatal(err)
	}
	if err := enode.SignV4(&r, priv); err != nil {
		t.Fatal(err)
	}
	return &r
}

func TestENRDiff(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for i := range 300 {
		spec := randomSpec(rng)
		ours := spec.ours(t)
		geth := spec.geth(t)

		ourEnc, err := ours.AppendRLP(nil)
		if err != nil {
			t.Fatal(err)
		}
		gethEnc, err := gethrlp.EncodeToBytes(geth)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ourEnc, gethEnc) {
			t.Fatalf("record %d: encodings differ\nours %x\ngeth %x", i, ourEnc, gethEnc)
		}

		// geth reads ours.
		gn, err := enode.Parse(enode.ValidSchemes, ours.String())
		if err != nil {
			t.Fatalf("record %d: geth rejects ours: %v", i, err)
		}
		// We read geth's.
		gethText := gn.String()
		on, err := discover.ParseNode(gethText)
		if err != nil {
			t.Fatalf("record %d: we reject geth's %s: %v", i, gethText, err)
		}
		if on.ID() != nodeid.ID(gn.ID()) || on.Seq() != gn.Seq() {
			t.Fatalf("record %d: identity differs", i)
		}
		// Both pick the same endpoint from the record.
		if on.IP() != gn.IPAddr() || int(on.UDP()) != gn.UDP() || int(on.TCP()) != gn.TCP() {
			t.Fatalf("record %d: endpoint differs: ours %v udp %d tcp %d, geth %v udp %d tcp %d",
				i, on.IP(), on.UDP(), on.TCP(), gn.IPAddr(), gn.UDP(), gn.TCP())
		}
	}
}

// TestENRDiffRejects checks that both implementations reject the same
// malformed records.
func TestENRDiffRejects(t *testing.T) {
	spec := randomSpec(rand.New(rand.NewPCG(1, 2)))
	good, err := spec.ours(t).AppendRLP(nil)
	if err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	agree, total := 0, 0
	for range 2000 {
		b := bytes.Clone(good)
		switch rng.IntN(3) {
		case 0:
			b[rng.IntN(len(b))] ^= byte(1 << rng.IntN(8))
		case 1:
			b = b[:rng.IntN(len(b))]
		default:
			b = append(b, byte(rng.Uint32()))
		}
		_, ourErr := enr.Decode(b)
		var gr gethenr.Record
		gethErr := gethrlp.DecodeBytes(b, &gr)
		if gethErr == nil {
			_, gethErr = enode.New(enode.ValidSchemes, &gr)
		}
		total++
		if (ourErr == nil) == (gethErr == nil) {
			agree++
			continue
		}
		t.Errorf("verdicts differ on %x: ours %v, geth %v", b, ourErr, gethErr)
	}
	t.Logf("%d/%d mutated records: same verdict", agree, total)
}

func TestEnodeURLDiff(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	for i := range 200 {
		spec := randomSpec(rng)
		ip := spec.ip4
		if !ip.IsValid() || rng.IntN(3) == 0 {
			ip = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(i)})
		}
		tcp, udp := uint16(rng.IntN(65536)), uint16(rng.IntN(65536))
		if rng.IntN(2) == 0 {
			udp = tcp
		}
		ours := discover.NewV4(spec.key.PubKey(), ip, tcp, udp)
		gpub, err := gethcrypto.ToECDSA(spec.key.Serialize())
		if err != nil {
			t.Fatal(err)
		}
		geth := enode.NewV4(&gpub.PublicKey, net.IP(ip.AsSlice()), int(tcp), int(udp))
		if ours.URLv4() != geth.URLv4() {
			t.Fatalf("URLs differ:\nours %s\ngeth %s", ours.URLv4(), geth.URLv4())
		}
		if ours.ID() != nodeid.ID(geth.ID()) {
			t.Fatal("IDs differ")
		}
		back, err := enode.ParseV4(ours.URLv4())
		if err != nil || back.ID() != geth.ID() {
			t.Fatalf("geth cannot parse %s: %v", ours.URLv4(), err)
		}
	}
}

// BenchmarkENR decodes and verifies the same record with both libraries.
func BenchmarkENR(b *testing.B) {
	spec := randomSpec(rand.New(rand.NewPCG(5, 6)))
	t := &testing.T{}
	rec := spec.ours(t)
	enc, err := rec.AppendRLP(nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("decode/ours", func(b *testing.B) {
		b.ReportAllocs()
		cpu := rlpxStartCPU()
		for b.Loop() {
			if _, err := enr.Decode(enc); err != nil {
				b.Fatal(err)
			}
		}
		cpu.report(b, 0)
	})
	b.Run("decode/geth", func(b *testing.B) {
		b.ReportAllocs()
		cpu := rlpxStartCPU()
		for b.Loop() {
			var r gethenr.Record
			if err := gethrlp.DecodeBytes(enc, &r); err != nil {
				b.Fatal(err)
			}
			if _, err := enode.New(enode.ValidSchemes, &r); err != nil {
				b.Fatal(err)
			}
		}
		cpu.report(b, 0)
	})
	b.Run("sign/ours", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			rec.SetSeq(uint64(i))
			if err := rec.SignV4(spec.key); err != nil {
				b.Fatal(err)
			}
		}
	})
	g := spec.geth(t)
	gkey := gethKey(b, spec.key)
	b.Run("sign/geth", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			g.SetSeq(uint64(i))
			if err := enode.SignV4(g, gkey); err != nil {
				b.Fatal(err)
			}
		}
	})
}
