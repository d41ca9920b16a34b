package discover

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover/discovertest"
)

// countingConn counts the packets a transport sends.
type countingConn struct {
	*discovertest.Conn
	sent *atomic.Int64
}

func (c countingConn) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	c.sent.Add(1)
	return c.Conn.WriteToUDPAddrPort(b, to)
}

// BenchmarkLookup256 measures lookups in a 256-node in-process network on
// the packet pipe: latency per lookup (ns/op) and packets sent per lookup.
// Tables are filled and bonds made by a warm-up round first.
func BenchmarkLookup256(b *testing.B) {
	const size = 256
	pn := newPipeNet(b)
	var sent atomic.Int64
	nodes := make([]*UDPv4, size)
	for i := range nodes {
		key, _ := secp256k1.GeneratePrivateKey()
		conn := pn.listen(fmt.Sprintf("127.0.%d.%d:30303", i/250, i%250+1))
		u, err := Listen(countingConn{conn, &sent}, key, Config{})
		if err != nil {
			b.Fatal(err)
		}
		nodes[i] = u
	}
	defer func() {
		for _, n := range nodes {
			n.Close()
		}
	}()
	for _, n := range nodes {
		n.tab.waitInit(context.Background())
	}
	for i, n := range nodes {
		for j := 1; j <= 32; j++ {
			n.tab.addFound(nodes[(i+j*7)%size].Self())
		}
	}
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() { defer wg.Done(); n.LookupRandom(context.Background()) }()
	}
	wg.Wait()

	sent.Store(0)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		nodes[i%size].LookupRandom(context.Background())
	}
	b.StopTimer()
	b.ReportMetric(float64(sent.Load())/float64(b.N), "packets/lookup")
}
