package metrics

import (
	"math"
	"sync/atomic"
	"time"
)

// Counter is a count that only goes up. Updates are atomic, safe for
// concurrent use and allocate nothing. A nil *Counter ignores updates and
// reads zero, so a layer whose metrics are off calls the same methods.
type Counter struct {
	v atomic.Uint64
}

// Inc adds one.
func (c *Counter) Inc() {
	if c != nil {
		c.v.Add(1)
	}
}

// Add adds n.
func (c *Counter) Add(n uint64) {
	if c != nil {
		c.v.Add(n)
	}
}

// Value returns the current count.
func (c *Counter) Value() uint64 {
	if c == nil {
		return 0
	}
	return c.v.Load()
}

// Gauge is a value that goes up and down, such as a number of peers.
// Updates are atomic, safe for concurrent use and allocate nothing. A nil
// *Gauge ignores updates and reads zero.
type Gauge struct {
	v atomic.Int64
}

// Set sets the gauge to v.
func (g *Gauge) Set(v int64) {
	if g != nil {
		g.v.Store(v)
	}
}

// Add adds d, which may be negative.
func (g *Gauge) Add(d int64) {
	if g != nil {
		g.v.Add(d)
	}
}

// Inc adds one.
func (g *Gauge) Inc() { g.Add(1) }

// Dec subtracts one.
func (g *Gauge) Dec() { g.Add(-1) }

// Value returns the current value.
func (g *Gauge) Value() int64 {
	if g == nil {
		return 0
	}
	return g.v.Load()
}

// Histogram counts observations in fixed buckets chosen at registration,
// in base units (seconds, bytes). Bucket i counts the observations
// v ≤ Buckets[i]; one more bucket counts the rest (+Inf). It also keeps the
// sum of all observations. Updates are atomic, safe for concurrent use and
// allocate nothing. Histograms come from a Registry; a nil or zero
// Histogram ignores observations.
type Histogram struct {
	bounds  []float64       // strictly increasing upper bounds; immutable
	counts  []atomic.Uint64 // len(bounds)+1; counts[len(bounds)] is +Inf; not cumulative
	sumBits atomic.Uint64   // math.Float64bits of the sum
}

func newHistogram(bounds []float64) Histogram {
	return Histogram{bounds: bounds, counts: make([]atomic.Uint64, len(bounds)+1)}
}

// Observe records v. NaN and infinite values are ignored: they would make
// the sum meaningless.
func (h *Histogram) Observe(v float64) {
	if h == nil || len(h.counts) == 0 || math.IsNaN(v) || math.IsInf(v, 0) {
		return
	}
	// First bound ≥ v, by binary search; len(bounds) is the +Inf bucket.
	lo, hi := 0, len(h.bounds)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if h.bounds[m] < v {
			lo = m + 1
		} else {
			hi = m
		}
	}
	h.counts[lo].Add(1)
	for {
		old := h.sumBits.Load()
		sum := math.Float64bits(math.Float64frombits(old) + v)
		if h.sumBits.CompareAndSwap(old, sum) {
			return
		}
	}
}

// ObserveDuration records d in seconds, the base unit of time.
func (h *Histogram) ObserveDuration(d time.Duration) {
	h.Observe(d.Seconds())
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 {
	if h == nil {
		return 0
	}
	var n uint64
	for i := range h.counts {
		n += h.counts[i].Load()
	}
	return n
}

// Sum returns the sum of all observations.
func (h *Histogram) Sum() float64 {
	if h == nil {
		return 0
	}
	return math.Float64frombits(h.sumBits.Load())
}

// snapshot reads the histogram. Buckets are read once each, so the count
// (the +Inf bucket) always equals the last cumulative bucket; the sum is read
// separately and may include an observation the buckets do not yet show.
func (h *Histogram) snapshot() *HistogramValue {
	out := &HistogramValue{Buckets: make([]Bucket, len(h.bounds))}
	var cum uint64
	for i, b := range h.bounds {
		cum += h.counts[i].Load()
		out.Buckets[i] = Bucket{UpperBound: b, Count: cum}
	}
	cum += h.counts[len(h.bounds)].Load()
	out.Count = cum
	out.Sum = h.Sum()
	return out
}

// ExponentialBuckets returns n upper bounds: start, start·factor,
// start·factor², … It returns nil unless start > 0, factor > 1 and n ≥ 1,
// which registration then rejects.
func ExponentialBuckets(start, factor float64, n int) []float64 {
	if !(start > 0) || !(factor > 1) || n < 1 {
		return nil
	}
	b := make([]float64, n)
	for i := range b {
		b[i] = start
		start *= factor
	}
	return b
}
