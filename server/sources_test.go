package server

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/dnsdisc"
	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/nodeid"
)

func TestConfigDNSTrees(t *testing.T) {
	cfg := testConfig(t)
	cfg.DNSTrees = []string{"enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@nodes.example.org", "enrtree://bad@x"}
	if _, err := New(cfg); !errors.Is(err, ErrInvalidConfig) || !strings.Contains(err.Error(), "DNSTrees[1]") {
		t.Fatalf("bad URL: got %v", err)
	}
	cfg.DNSTrees = cfg.DNSTrees[:1]
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfg.DNSTrees[0] = "changed"
	if srv.cfg.DNSTrees[0] == "changed" {
		t.Fatal("DNSTrees not copied")
	}
}

// zone serves TXT records from a map.
type zone map[string]string

func (z zone) LookupTXT(_ context.Context, name string) ([]string, error) {
	if text, ok := z[name]; ok {
		return []string{text}, nil
	}
	return nil, fmt.Errorf("%s: not found", name)
}

// recordNode returns srv's node with a signed record of its listen address.
func recordNode(t *testing.T, key *secp256k1.PrivateKey, srv *Server) *discover.Node {
	t.Helper()
	var r enr.Record
	r.SetIP(netip.AddrFrom4([4]byte{127, 0, 0, 1}))
	r.SetTCP(srv.Self().TCP())
	if err := r.SignV4(key); err != nil {
		t.Fatal(err)
	}
	n, err := discover.NewNode(&r)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestDialsDNSAndProtocolCandidates: a server without discv4 dials a node
// it finds in a DNS tree and one a protocol supplies as DialCandidates.
func TestDialsDNSAndProtocolCandidates(t *testing.T) {
	targets := make([]*discover.Node, 2)
	for i := range targets {
		cfg := testConfig(t, newTestProto().protocol())
		cfg.NoDial = true
		srv := startServer(t, cfg)
		targets[i] = recordNode(t, cfg.PrivateKey, srv)
	}
	tree, err := dnsdisc.MakeTree(1, targets[:1], nil)
	if err != nil {
		t.Fatal(err)
	}
	treeKey, _ := secp256k1.GeneratePrivateKey()
	url, err := tree.Sign(treeKey, "nodes.example.org")
	if err != nil {
		t.Fatal(err)
	}

	proto := newTestProto().protocol()
	proto.DialCandidates = discover.SliceIter(targets[1:])
	cfg := testConfig(t, proto)
	cfg.DNSTrees = []string{url}
	cfg.DNS.Resolver = zone(tree.TXT("nodes.example.org"))
	_, events := startWithEvents(t, cfg)
	want := map[nodeid.ID]bool{targets[0].ID(): true, targets[1].ID(): true}
	for len(want) > 0 {
		ev := waitEvent(t, events, PeerAdded)
		if !want[ev.ID] || ev.Inbound {
			t.Fatalf("unexpected peer %v (inbound %v)", ev.ID, ev.Inbound)
		}
		delete(want, ev.ID)
	}
}
