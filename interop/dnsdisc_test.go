package interop

import (
	"context"
	"crypto/sha256"
	"fmt"
	"net"
	"slices"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gdnsdisc "github.com/ethereum/go-ethereum/p2p/dnsdisc"
	genode "github.com/ethereum/go-ethereum/p2p/enode"
	genr "github.com/ethereum/go-ethereum/p2p/enr"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/dnsdisc"
	"github.com/devp2p-go/devp2p/discover/enr"
)

// txtZone serves TXT records from a map; both clients take it as their
// resolver (the interfaces have the same method).
type txtZone map[string]string

func (z txtZone) LookupTXT(_ context.Context, name string) ([]string, error) {
	if text, ok := z[name]; ok {
		return []string{text}, nil
	}
	return nil, fmt.Errorf("%s: not found", name)
}

func dnsKey(seed string) *secp256k1.PrivateKey {
	h := sha256.Sum256([]byte(seed))
	return secp256k1.PrivKeyFromBytes(h[:])
}

// dnsTestNodes returns n nodes signed by go-ethereum, and the same records
// parsed by us.
func dnsTestNodes(t *testing.T, n int) ([]*genode.Node, []*discover.Node) {
	t.Helper()
	var gnodes []*genode.Node
	var ours []*discover.Node
	for i := range n {
		key, err := gcrypto.ToECDSA(dnsKey(fmt.Sprint("dnsnode", i)).Serialize())
		if err != nil {
			t.Fatal(err)
		}
		var r genr.Record
		r.Set(genr.IPv4(net.IPv4(10, 0, byte(i>>8), byte(i))))
		r.Set(genr.TCP(30303))
		r.Set(genr.UDP(30303 + i))
		if err := genode.SignV4(&r, key); err != nil {
			t.Fatal(err)
		}
		gn, err := genode.New(genode.ValidSchemes, &r)
		if err != nil {
			t.Fatal(err)
		}
		rec, err := enr.Parse(gn.String())
		if err != nil {
			t.Fatal(err)
		}
		on, err := discover.NewNode(rec)
		if err != nil {
			t.Fatal(err)
		}
		gnodes, ours = append(gnodes, gn), append(ours, on)
	}
	return gnodes, ours
}

var dnsLinks = []string{
	"enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@nodes.example.org",
	"enrtree://AM5FCQLWIZX2QFPNJAP7VUERCCRNGRHWZG3YYHIUV7BVDQ5FDPRT2@morenodes.example.org",
}

func gethIDs(nodes []*genode.Node) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, n.ID().String())
	}
	slices.Sort(out)
	return out
}

func ourIDs(nodes []*discover.Node) []string {
	var out []string
	for _, n := range nodes {
		out = append(out, n.ID().String())
	}
	slices.Sort(out)
	return out
}

// TestDNSTreeInterop builds and signs trees of several sizes on both sides
// and syncs each with the other side's client: both find the same nodes
// and links. The branch layout does not differ: both pack 13 hashes per
// branch in node-ID order, and RFC 6979 signatures are deterministic, so
// the two sides publish identical TXT records for the same input.
func TestDNSTreeInterop(t *testing.T) {
	const domain = "all.example.org"
	for _, n := range []int{1, 13, 40, 200} {
		t.Run(fmt.Sprint(n, " nodes"), func(t *testing.T) {
			gnodes, ours := dnsTestNodes(t, n)
			key := dnsKey("tree")
			gkey, err := gcrypto.ToECDSA(key.Serialize())
			if err != nil {
				t.Fatal(err)
			}

			gtree, err := gdnsdisc.MakeTree(9, gnodes, dnsLinks)
			if err != nil {
				t.Fatal(err)
			}
			gurl, err := gtree.Sign(gkey, domain)
			if err != nil {
				t.Fatal(err)
			}
			otree, err := dnsdisc.MakeTree(9, ours, dnsLinks)
			if err != nil {
				t.Fatal(err)
			}
			ourl, err := otree.Sign(key, domain)
			if err != nil {
				t.Fatal(err)
			}
			if gurl != ourl {
				t.Fatalf("URLs differ: geth %s, ours %s", gurl, ourl)
			}
			gzone, ozone := txtZone(gtree.ToTXT(domain)), txtZone(otree.TXT(domain))
			if fmt.Sprint(map[string]string(gzone)) != fmt.Sprint(map[string]string(ozone)) {
				t.Errorf("the two sides publish different records:\ngeth %v\nours %v", gzone, ozone)
			}
			wantIDs := gethIDs(gnodes)
			slices.Sort(dnsLinks)

			t.Run("geth tree, our client", func(t *testing.T) {
				c, err := dnsdisc.New(dnsdisc.Config{Resolver: gzone, RateLimit: 1e6, RateBurst: 1e6})
				if err != nil {
					t.Fatal(err)
				}
				tree, err := c.SyncTree(context.Background(), gurl)
				if err != nil {
					t.Fatal(err)
				}
				if got := ourIDs(tree.Nodes()); !slices.Equal(got, wantIDs) {
					t.Errorf("nodes: got %v, want %v", got, wantIDs)
				}
				if got := tree.Links(); !slices.Equal(got, dnsLinks) {
					t.Errorf("links: got %v, want %v", got, dnsLinks)
				}
			})
			t.Run("our tree, geth client", func(t *testing.T) {
				c := gdnsdisc.NewClient(gdnsdisc.Config{Resolver: ozone, RateLimit: 1e6})
				tree, err := c.SyncTree(ourl)
				if err != nil {
					t.Fatal(err)
				}
				if got := gethIDs(tree.Nodes()); !slices.Equal(got, wantIDs) {
					t.Errorf("nodes: got %v, want %v", got, wantIDs)
				}
				links := tree.Links()
				slices.Sort(links)
				if !slices.Equal(links, dnsLinks) {
					t.Errorf("links: got %v, want %v", links, dnsLinks)
				}
			})
		})
	}
}

// BenchmarkDNSSyncTree syncs a 200-node tree from memory with a fresh
// client each time (empty cache): hash checks, record decoding and one
// signature check per record, and the root's.
func BenchmarkDNSSyncTree(b *testing.B) {
	t := &testing.T{}
	gnodes, _ := dnsTestNodes(t, 200)
	gkey, _ := gcrypto.ToECDSA(dnsKey("tree").Serialize())
	gtree, _ := gdnsdisc.MakeTree(1, gnodes, dnsLinks)
	url, _ := gtree.Sign(gkey, "all.example.org")
	zone := txtZone(gtree.ToTXT("all.example.org"))
	b.Run("ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c, _ := dnsdisc.New(dnsdisc.Config{Resolver: zone, RateLimit: 1e9, RateBurst: 1e9})
			if _, err := c.SyncTree(context.Background(), url); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			c := gdnsdisc.NewClient(gdnsdisc.Config{Resolver: zone, RateLimit: 1e9})
			if _, err := c.SyncTree(url); err != nil {
				b.Fatal(err)
			}
		}
	})
}
