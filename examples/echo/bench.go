package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"time"
)

// result summarises the round trips of one payload size.
type result struct {
	size     int
	count    int
	elapsed  time.Duration
	p50, p99 time.Duration
}

// bytes is the payload volume echoed (one direction).
func (r result) bytes() int64 { return int64(r.size) * int64(r.count) }

// String formats the result as the one summary line the command prints.
func (r result) String() string {
	rate := float64(r.bytes()) / r.elapsed.Seconds() / (1 << 20)
	return fmt.Sprintf("size=%s count=%d bytes=%d p50=%s p99=%s throughput=%.2fMiB/s",
		formatSize(r.size), r.count, r.bytes(), r.p50.Round(time.Microsecond), r.p99.Round(time.Microsecond), rate)
}

// measure sends n requests of each size, one at a time, checks every reply
// and writes one summary line per size to out.
func measure(ctx context.Context, s *session, n int, sizes []int, out io.Writer) error {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, size := range sizes {
		payload := make([]byte, size)
		for i := range payload {
			payload[i] = byte(rng.Uint32())
		}
		rtts := make([]time.Duration, n)
		start := time.Now()
		for i := range n {
			if size >= 8 {
				binary.BigEndian.PutUint64(payload, uint64(i)) // each request differs
			}
			t := time.Now()
			if err := s.roundTrip(ctx, payload); err != nil {
				return fmt.Errorf("size %d, message %d: %w", size, i, err)
			}
			rtts[i] = time.Since(t)
		}
		r := result{size: size, count: n, elapsed: time.Since(start)}
		slices.Sort(rtts)
		r.p50, r.p99 = percentile(rtts, 50), percentile(rtts, 99)
		fmt.Fprintln(out, r)
	}
	return nil
}

// percentile returns the p-th percentile of sorted (nearest rank).
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := (p*len(sorted) + 99) / 100 // ceil(p/100 * n)
	return sorted[max(rank, 1)-1]
}

func formatSize(n int) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%dMiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%dKiB", n>>10)
	}
	return fmt.Sprintf("%dB", n)
}
