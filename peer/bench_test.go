package peer

import (
	"crypto/rand"
	"sync/atomic"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/metrics"
)

// benchPair runs two peers on mk's connections, both on cfg. The client's
// protocol hands its MsgReadWriter to the benchmark; server runs on the
// other side.
func benchPair(b *testing.B, mk pairFunc, cfg Config, server func(rw MsgReadWriter) error) MsgReadWriter {
	rwc := make(chan MsgReadWriter, 1)
	release := make(chan struct{})
	client := Protocol{Name: "bench", Version: 1, Length: 4, Run: func(_ *Peer, rw MsgReadWriter) error {
		rwc <- rw
		<-release
		return nil
	}}
	srv := Protocol{Name: "bench", Version: 1, Length: 4, Run: func(_ *Peer, rw MsgReadWriter) error { return server(rw) }}
	pa, pb := startPairConfig(b, mk, []Protocol{client}, []Protocol{srv}, cfg)
	b.Cleanup(func() {
		close(release)
		<-pa.stopped
		<-pb.stopped
	})
	return <-rwc
}

var benchPairs = []struct {
	name string
	mk   pairFunc
}{
	{"rlpx", rlpxPairFunc},
	{"fake", fakePair},
}

// benchMetrics runs f with the node's traffic metrics off (nil) and on,
// as sub-benchmarks "metrics=off" and "metrics=on" of one run, so the
// accounting's cost is their difference.
func benchMetrics(b *testing.B, f func(b *testing.B, cfg Config)) {
	b.Run("metrics=off", func(b *testing.B) { f(b, Config{}) })
	b.Run("metrics=on", func(b *testing.B) {
		node, err := metrics.NewNode(metrics.NewRegistry(), []metrics.Protocol{{Name: "bench", Version: 1, Length: 4}})
		if err != nil {
			b.Fatal(err)
		}
		f(b, Config{Metrics: node.Traffic})
	})
}

// BenchmarkRoundTrip measures one small message to the other peer and its
// echo back.
func BenchmarkRoundTrip(b *testing.B) {
	for _, bp := range benchPairs {
		b.Run(bp.name, func(b *testing.B) {
			benchMetrics(b, func(b *testing.B, cfg Config) {
				rw := benchPair(b, bp.mk, cfg, func(rw MsgReadWriter) error {
					for {
						msg, err := rw.ReadMsg()
						if err != nil {
							return err
						}
						if err := rw.WriteMsg(msg); err != nil {
							return err
						}
					}
				})
				small := []byte{0xc3, 0x01, 0x02, 0x03}
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if err := rw.WriteMsg(NewMsg(1, small)); err != nil {
						b.Fatal(err)
					}
					msg, err := rw.ReadMsg()
					if err != nil {
						b.Fatal(err)
					}
					msg.Discard()
				}
			})
		})
	}
}

// BenchmarkThroughput1KiB streams 1 KiB messages of random bytes (so snappy
// cannot shrink them) from one peer to the other.
func BenchmarkThroughput1KiB(b *testing.B) {
	for _, bp := range benchPairs {
		b.Run(bp.name, func(b *testing.B) {
			benchMetrics(b, func(b *testing.B, cfg Config) {
				var target, count atomic.Int64
				done := make(chan struct{}, 1)
				rw := benchPair(b, bp.mk, cfg, func(rw MsgReadWriter) error {
					for {
						msg, err := rw.ReadMsg()
						if err != nil {
							return err
						}
						msg.Discard()
						if count.Add(1) == target.Load() {
							done <- struct{}{}
						}
					}
				})
				data := make([]byte, 1024)
				rand.Read(data)
				target.Store(int64(b.N))
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				b.ResetTimer()
				for range b.N {
					if err := rw.WriteMsg(NewMsg(0, data)); err != nil {
						b.Fatal(err)
					}
				}
				<-done
			})
		})
	}
}

// BenchmarkMetricsOverhead measures what the traffic metrics cost on the
// round trip and the 1 KiB stream, with a pair of peers without metrics
// and a pair with them running side by side: it alternates batches of
// operations between the two and keeps each one's fastest batch, which
// filters out the noise of a shared machine better than two separate
// benchmarks. It reports ns/op of each and their ratio (on/off).
func BenchmarkMetricsOverhead(b *testing.B) {
	const batch = 500
	node, err := metrics.NewNode(metrics.NewRegistry(), []metrics.Protocol{{Name: "bench", Version: 1, Length: 4}})
	if err != nil {
		b.Fatal(err)
	}
	cfgs := [2]Config{{}, {Metrics: node.Traffic}}
	run := func(b *testing.B, op func(rw MsgReadWriter, n int), server func() func(MsgReadWriter) error) {
		var rws [2]MsgReadWriter
		for i, cfg := range cfgs {
			rws[i] = benchPair(b, rlpxPairFunc, cfg, server())
		}
		best := [2]time.Duration{time.Hour, time.Hour}
		b.ReportAllocs()
		b.ResetTimer()
		for done := 0; done < b.N; done += batch {
			for i, rw := range rws {
				start := time.Now()
				op(rw, batch)
				best[i] = min(best[i], time.Since(start))
			}
		}
		off := float64(best[0].Nanoseconds()) / batch
		on := float64(best[1].Nanoseconds()) / batch
		b.ReportMetric(off, "ns/op-off")
		b.ReportMetric(on, "ns/op-on")
		b.ReportMetric(on/off, "on/off")
	}

	b.Run("roundtrip", func(b *testing.B) {
		small := []byte{0xc3, 0x01, 0x02, 0x03}
		run(b, func(rw MsgReadWriter, n int) {
			for range n {
				if err := rw.WriteMsg(NewMsg(1, small)); err != nil {
					b.Fatal(err)
				}
				msg, err := rw.ReadMsg()
				if err != nil {
					b.Fatal(err)
				}
				msg.Discard()
			}
		}, func() func(MsgReadWriter) error {
			return func(rw MsgReadWriter) error {
				for {
					msg, err := rw.ReadMsg()
					if err != nil {
						return err
					}
					if err := rw.WriteMsg(msg); err != nil {
						return err
					}
				}
			}
		})
	})

	b.Run("stream1KiB", func(b *testing.B) {
		data := make([]byte, 1024)
		rand.Read(data)
		run(b, func(rw MsgReadWriter, n int) {
			for range n {
				if err := rw.WriteMsg(NewMsg(0, data)); err != nil {
					b.Fatal(err)
				}
			}
			// The last message of the batch is a marker the server
			// acknowledges once it has read everything before it.
			if err := rw.WriteMsg(NewMsg(1, nil)); err != nil {
				b.Fatal(err)
			}
			msg, err := rw.ReadMsg()
			if err != nil {
				b.Fatal(err)
			}
			msg.Discard()
		}, func() func(MsgReadWriter) error {
			return func(rw MsgReadWriter) error {
				for {
					msg, err := rw.ReadMsg()
					if err != nil {
						return err
					}
					msg.Discard()
					if msg.Code == 1 {
						if err := rw.WriteMsg(NewMsg(2, nil)); err != nil {
							return err
						}
					}
				}
			}
		})
	})
}
