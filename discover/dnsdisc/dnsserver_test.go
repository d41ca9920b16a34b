package dnsdisc

import (
	"context"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover"
)

// dnsServer is a real DNS server on 127.0.0.1 (UDP and TCP, same port)
// answering TXT queries from a zone map, which tests may change while it
// runs. Texts over 255 bytes are sent as several character-strings, the
// way zone files hold them.
type dnsServer struct {
	addr string
	mu   sync.Mutex
	zone map[string]string // name without the final dot → text
	udp  *dns.Server
	tcp  *dns.Server
	done sync.WaitGroup
}

func startDNSServer(t *testing.T, zones ...map[string]string) *dnsServer {
	t.Helper()
	s := &dnsServer{zone: map[string]string{}}
	s.update(zones...)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	ln, err := net.Listen("tcp", pc.LocalAddr().String())
	require.NoError(t, err)
	s.addr = pc.LocalAddr().String()
	s.udp = &dns.Server{PacketConn: pc, Handler: s}
	s.tcp = &dns.Server{Listener: ln, Handler: s}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		s.done.Add(1)
		go func() {
			defer s.done.Done()
			srv.ActivateAndServe()
		}()
		<-started
	}
	t.Cleanup(func() {
		s.udp.Shutdown()
		s.tcp.Shutdown()
		s.done.Wait()
	})
	return s
}

func (s *dnsServer) update(zones ...map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, z := range zones {
		for k, v := range z {
			s.zone[k] = v
		}
	}
}

func (s *dnsServer) remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.zone, name)
}

// ServeDNS implements dns.Handler.
func (s *dnsServer) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	resp := new(dns.Msg)
	resp.SetReply(req)
	resp.Authoritative = true
	if len(req.Question) == 1 && req.Question[0].Qtype == dns.TypeTXT {
		q := req.Question[0]
		s.mu.Lock()
		text, ok := s.zone[strings.TrimSuffix(q.Name, ".")]
		s.mu.Unlock()
		if ok {
			var parts []string
			for len(text) > 255 {
				parts, text = append(parts, text[:255]), text[255:]
			}
			resp.Answer = append(resp.Answer, &dns.TXT{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
				Txt: append(parts, text),
			})
		} else {
			resp.Rcode = dns.RcodeNameError
		}
	}
	w.WriteMsg(resp)
}

// resolver returns a net.Resolver that sends every query to s.
func (s *dnsServer) resolver() *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, s.addr)
		},
	}
}

// TestDNSServerTreeWithLink resolves, over real DNS, a tree of 30 nodes
// with records over 255 bytes (so three levels of entries under the root,
// and TXT records of two character-strings) that links to a second tree.
func TestDNSServerTreeWithLink(t *testing.T) {
	nodesA, nodesB := testNodes(t, "dnsA", 30, 100), testNodes(t, "dnsB", 4, 0)
	kb := seededKey("B")
	treeB, urlB := signedTree(t, kb, "b.example.org", 3, nodesB, nil)
	treeA, urlA := signedTree(t, testKey(t), "a.example.org", 1, nodesA, []string{urlB})
	long := 0
	for _, text := range treeA.TXT("") {
		long = max(long, len(text))
	}
	require.Greater(t, long, 255, "some records need two character-strings")

	srv := startDNSServer(t, treeA.TXT("a.example.org"), treeB.TXT("b.example.org"))
	c := newTestClient(t, srv.resolver(), Config{Timeout: 10 * time.Second})
	ctx := context.Background()

	got, err := c.SyncTree(ctx, urlA)
	require.NoError(t, err)
	require.Equal(t, nodeIDs(nodesA), nodeIDs(got.Nodes()))
	require.Equal(t, []string{urlB}, got.Links())
	require.Equal(t, treeA.TXT("x"), got.TXT("x"))

	it, err := c.NewIterator(urlA)
	require.NoError(t, err)
	defer it.Close()
	want := nodeIDs(append(append([]*discover.Node{}, nodesA...), nodesB...))
	require.Equal(t, want, nodeIDs(discover.ReadNodes(it, len(want))))
}

// TestDNSServerRootUpdate republishes a tree with a higher sequence number
// while an iterator walks it.
func TestDNSServerRootUpdate(t *testing.T) {
	v1, v2 := testNodes(t, "dns-v1", 20, 0), testNodes(t, "dns-v2", 20, 0)
	t1, url := signedTree(t, testKey(t), "n.example.org", 1, v1, nil)
	t2, _ := signedTree(t, testKey(t), "n.example.org", 2, v2, nil)
	srv := startDNSServer(t, t1.TXT("n.example.org"))
	clk := new(clock.Simulated)
	c := newTestClient(t, srv.resolver(), Config{Timeout: 10 * time.Second, Clock: clk, RecheckInterval: time.Minute})

	it, err := c.NewIterator(url)
	require.NoError(t, err)
	defer it.Close()
	require.Equal(t, nodeIDs(v1), nodeIDs(discover.ReadNodes(it, 20)))

	srv.update(t2.TXT("n.example.org"))
	clk.Run(time.Minute)
	require.Equal(t, nodeIDs(v2), nodeIDs(discover.ReadNodes(it, 20)))

	got, err := c.SyncTree(context.Background(), url)
	require.NoError(t, err)
	require.Equal(t, uint64(2), got.Seq())
}

// TestDNSServerRecordRemoved removes a leaf after the root was read:
// SyncTree fails naming the entry, the iterator yields the other nodes.
func TestDNSServerRecordRemoved(t *testing.T) {
	nodes := testNodes(t, "dns-rm", 20, 0)
	tree, url := signedTree(t, testKey(t), "n.example.org", 1, nodes, nil)
	srv := startDNSServer(t, tree.TXT("n.example.org"))
	c := newTestClient(t, srv.resolver(), Config{Timeout: 10 * time.Second})

	it, err := c.NewIterator(url)
	require.NoError(t, err)
	defer it.Close()
	require.True(t, it.Next(), "the root and first entries are read")
	first := it.Node()
	victim := nodes[0]
	if victim.ID() == first.ID() {
		victim = nodes[1]
	}
	gone := hashOf(victim.String()) + ".n.example.org"
	srv.remove(gone)

	var rest []*discover.Node
	for _, n := range discover.ReadNodes(it, 19) {
		if n.ID() != first.ID() {
			rest = append(rest, n)
		}
	}
	want := map[string]bool{}
	for _, n := range nodes {
		if n.ID() != victim.ID() && n.ID() != first.ID() {
			want[n.ID().String()] = true
		}
	}
	require.Equal(t, want, nodeIDs(rest[:len(want)]))

	_, err = newTestClient(t, srv.resolver(), Config{Timeout: 10 * time.Second}).SyncTree(context.Background(), url)
	var ee *EntryError
	require.ErrorAs(t, err, &ee)
	require.Equal(t, gone, ee.Name)
}
