package peer

import (
	"crypto/rand"
	"sync/atomic"
	"testing"
)

// benchPair runs two peers on mk's connections. The client's protocol hands
// its MsgReadWriter to the benchmark; server runs on the other side.
func benchPair(b *testing.B, mk pairFunc, server func(rw MsgReadWriter) error) MsgReadWriter {
	rwc := make(chan MsgReadWriter, 1)
	release := make(chan struct{})
	client := Protocol{Name: "bench", Version: 1, Length: 4, Run: func(_ *Peer, rw MsgReadWriter) error {
		rwc <- rw
		<-release
		return nil
	}}
	srv := Protocol{Name: "bench", Version: 1, Length: 4, Run: func(_ *Peer, rw MsgReadWriter) error { return server(rw) }}
	pa, pb := startPair(b, mk, []Protocol{client}, []Protocol{srv})
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

// BenchmarkRoundTrip measures one small message to the other peer and its
// echo back.
func BenchmarkRoundTrip(b *testing.B) {
	for _, bp := range benchPairs {
		b.Run(bp.name, func(b *testing.B) {
			rw := benchPair(b, bp.mk, func(rw MsgReadWriter) error {
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
	}
}

// BenchmarkThroughput1KiB streams 1 KiB messages of random bytes (so snappy
// cannot shrink them) from one peer to the other.
func BenchmarkThroughput1KiB(b *testing.B) {
	for _, bp := range benchPairs {
		b.Run(bp.name, func(b *testing.B) {
			var target, count atomic.Int64
			done := make(chan struct{}, 1)
			rw := benchPair(b, bp.mk, func(rw MsgReadWriter) error {
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
	}
}
