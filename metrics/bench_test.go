package metrics

import (
	"testing"
	"time"
)

// The hot-path updates, alone and from every P (b.RunParallel) on the same
// series: the contended case a busy node with many peers meets.

func BenchmarkCounterInc(b *testing.B) {
	var c Counter
	b.ReportAllocs()
	for b.Loop() {
		c.Inc()
	}
}

func BenchmarkCounterIncParallel(b *testing.B) {
	var c Counter
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Inc()
		}
	})
}

func BenchmarkHistogramObserve(b *testing.B) {
	h := newHistogram(LookupBuckets())
	b.ReportAllocs()
	for b.Loop() {
		h.ObserveDuration(300 * time.Millisecond)
	}
}

func BenchmarkHistogramObserveParallel(b *testing.B) {
	h := newHistogram(LookupBuckets())
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			h.ObserveDuration(300 * time.Millisecond)
		}
	})
}

// BenchmarkTrafficReceived is the per-message cost a peer pays: three
// counters of one protocol and code.
func BenchmarkTrafficReceived(b *testing.B) {
	_, n := newTestNode(b)
	eth := n.Traffic.Protocol("eth", 68)
	b.ReportAllocs()
	for b.Loop() {
		eth.Received(0x10, 1024, 600)
	}
}

func BenchmarkTrafficReceivedParallel(b *testing.B) {
	_, n := newTestNode(b)
	eth := n.Traffic.Protocol("eth", 68)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			eth.Received(0x10, 1024, 600)
		}
	})
}

// BenchmarkTrafficReceivedOff is the same call with metrics off (a nil
// ProtocolTraffic), for comparison.
func BenchmarkTrafficReceivedOff(b *testing.B) {
	var eth *ProtocolTraffic
	b.ReportAllocs()
	for b.Loop() {
		eth.Received(0x10, 1024, 600)
	}
}

func BenchmarkDiscoveryPacketInParallel(b *testing.B) {
	_, n := newTestNode(b)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n.Discovery.PacketIn(DiscV4, 1)
		}
	})
}

// BenchmarkSnapshot is the cost of one scrape of a node with eth and snap.
func BenchmarkSnapshot(b *testing.B) {
	r, _ := newTestNode(b)
	b.ReportAllocs()
	for b.Loop() {
		r.Snapshot()
	}
}
