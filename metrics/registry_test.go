package metrics

import (
	"encoding/json"
	"math"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestRegisterRejects(t *testing.T) {
	tooMany := make([][]string, MaxSeries+1)
	for i := range tooMany {
		tooMany[i] = []string{strings.Repeat("x", i)}
	}
	tests := []struct {
		name string
		reg  func(r *Registry) error
	}{
		{"empty name", func(r *Registry) error { _, err := r.NewGauge("", "h"); return err }},
		{"name starts with digit", func(r *Registry) error { _, err := r.NewGauge("1abc", "h"); return err }},
		{"name with dash", func(r *Registry) error { _, err := r.NewGauge("a-b", "h"); return err }},
		{"counter without _total", func(r *Registry) error { _, err := r.NewCounter("a_count", "h"); return err }},
		{"histogram named _total", func(r *Registry) error { _, err := r.NewHistogram("a_total", "h", []float64{1}); return err }},
		{"histogram named _bucket", func(r *Registry) error { _, err := r.NewHistogram("a_bucket", "h", []float64{1}); return err }},
		{"histogram without buckets", func(r *Registry) error { _, err := r.NewHistogram("a_seconds", "h", nil); return err }},
		{"histogram buckets not increasing", func(r *Registry) error {
			_, err := r.NewHistogram("a_seconds", "h", []float64{1, 1})
			return err
		}},
		{"histogram bucket infinite", func(r *Registry) error {
			_, err := r.NewHistogram("a_seconds", "h", []float64{1, math.Inf(1)})
			return err
		}},
		{"histogram bucket NaN", func(r *Registry) error { _, err := r.NewHistogram("a_seconds", "h", []float64{math.NaN()}); return err }},
		{"histogram label le", func(r *Registry) error {
			_, err := r.NewHistogramVec("a_seconds", "h", []float64{1}, []string{"le"}, [][]string{{"x"}})
			return err
		}},
		{"reserved label", func(r *Registry) error {
			_, err := r.NewGaugeVec("a", "h", []string{"__x"}, [][]string{{"x"}})
			return err
		}},
		{"label with colon", func(r *Registry) error {
			_, err := r.NewGaugeVec("a", "h", []string{"a:b"}, [][]string{{"x"}})
			return err
		}},
		{"label twice", func(r *Registry) error {
			_, err := r.NewGaugeVec("a", "h", []string{"x", "x"}, [][]string{{"a", "b"}})
			return err
		}},
		{"series of wrong width", func(r *Registry) error {
			_, err := r.NewGaugeVec("a", "h", []string{"x", "y"}, [][]string{{"a"}})
			return err
		}},
		{"series twice", func(r *Registry) error {
			_, err := r.NewGaugeVec("a", "h", []string{"x"}, [][]string{{"a"}, {"a"}})
			return err
		}},
		{"no series", func(r *Registry) error { _, err := r.NewGaugeVec("a", "h", []string{"x"}, nil); return err }},
		{"too many series", func(r *Registry) error { _, err := r.NewGaugeVec("a", "h", []string{"x"}, tooMany); return err }},
		{"value not UTF-8", func(r *Registry) error {
			_, err := r.NewGaugeVec("a", "h", []string{"x"}, [][]string{{"\xff"}})
			return err
		}},
		{"name twice", func(r *Registry) error {
			if _, err := r.NewGauge("a", "h"); err != nil {
				return nil // the first must succeed; report no error so the test fails
			}
			_, err := r.NewCounterVec("a", "h", []string{"x"}, [][]string{{"y"}})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := NewRegistry()
			require.ErrorIs(t, tt.reg(r), ErrInvalid)
			if tt.name != "name twice" {
				require.Empty(t, r.Snapshot().Families, "a rejected family is not registered")
			}
		})
	}
}

func TestRegisterAccepts(t *testing.T) {
	r := NewRegistry()
	_, err := r.NewGauge("ns:sub_metric_2", "colons are allowed in metric names")
	require.NoError(t, err)
	_, err = r.NewCounterVec("a_total", "", []string{"_x"}, [][]string{{""}, {"é"}})
	require.NoError(t, err, "empty help, a leading underscore and any UTF-8 value are allowed")
}

func TestSeries(t *testing.T) {
	require.Equal(t, [][]string{{}}, Series())
	require.Equal(t, [][]string{{"a", "x"}, {"a", "y"}, {"a", "z"}, {"b", "x"}, {"b", "y"}, {"b", "z"}},
		Series([]string{"a", "b"}, []string{"x", "y", "z"}))
	// The documented index: (i, j) at i·n₁+j.
	s := Series([]string{"a", "b"}, []string{"x", "y", "z"})
	require.Equal(t, []string{"b", "y"}, s[1*3+1])
}

func TestSnapshot(t *testing.T) {
	r := NewRegistry()
	c, err := r.NewCounter("c_total", "a counter")
	require.NoError(t, err)
	g, err := r.NewGauge("g", "a gauge")
	require.NoError(t, err)
	cv, err := r.NewCounterVec("cv_total", "a counter family", []string{"x", "y"}, Series([]string{"a", "b"}, []string{"1", "2"}))
	require.NoError(t, err)
	h, err := r.NewHistogram("h_seconds", "a histogram", []float64{0.1, 1})
	require.NoError(t, err)

	c.Add(3)
	c.Inc()
	g.Set(10)
	g.Dec()
	g.Add(-4)
	cv.At(2).Add(7) // ("b", "1")
	h.Observe(0.05)
	h.ObserveDuration(500 * time.Millisecond)
	h.Observe(2)

	s := r.Snapshot()
	want := Snapshot{Families: []Family{
		{Name: "c_total", Help: "a counter", Type: TypeCounter, Samples: []Sample{{Value: 4}}},
		{Name: "g", Help: "a gauge", Type: TypeGauge, Samples: []Sample{{Value: 5}}},
		{Name: "cv_total", Help: "a counter family", Type: TypeCounter, Labels: []string{"x", "y"}, Samples: []Sample{
			{LabelValues: []string{"a", "1"}},
			{LabelValues: []string{"a", "2"}},
			{LabelValues: []string{"b", "1"}, Value: 7},
			{LabelValues: []string{"b", "2"}},
		}},
		{Name: "h_seconds", Help: "a histogram", Type: TypeHistogram, Samples: []Sample{{Histogram: &HistogramValue{
			Count: 3, Sum: 2.55,
			Buckets: []Bucket{{UpperBound: 0.1, Count: 1}, {UpperBound: 1, Count: 2}},
		}}}},
	}}
	require.Equal(t, want, s)

	v, ok := s.Value("cv_total", "b", "1")
	require.True(t, ok)
	require.Equal(t, 7.0, v)
	v, ok = s.Value("h_seconds")
	require.True(t, ok)
	require.Equal(t, 3.0, v, "a histogram reads as its count")
	_, ok = s.Value("cv_total", "c", "1")
	require.False(t, ok)
	_, ok = s.Value("nope")
	require.False(t, ok)

	// The snapshot is plain data: it survives a JSON round trip unchanged.
	b, err := json.Marshal(s)
	require.NoError(t, err)
	var back Snapshot
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, s, back)
	require.Contains(t, string(b), `{"name":"c_total","help":"a counter","type":"counter","samples":[{"value":4}]}`)
	require.Contains(t, string(b), `"buckets":[{"le":0.1,"count":1},{"le":1,"count":2}]`)

	// A snapshot is a copy: later updates do not change it.
	c.Inc()
	require.Equal(t, 4.0, s.Families[0].Samples[0].Value)
}

func TestHistogramBuckets(t *testing.T) {
	r := NewRegistry()
	h, err := r.NewHistogram("size_bytes", "", ExponentialBuckets(64, 4, 3)) // 64, 256, 1024
	require.NoError(t, err)
	for _, v := range []float64{0, 64, 65, 256, 1024, 1025, 1e9, math.NaN(), math.Inf(1), math.Inf(-1)} {
		h.Observe(v)
	}
	hv := r.Snapshot().Families[0].Samples[0].Histogram
	require.Equal(t, []Bucket{{64, 2}, {256, 4}, {1024, 5}}, hv.Buckets, "a value equal to a bound is in that bound's bucket")
	require.Equal(t, uint64(7), hv.Count, "NaN and infinities are ignored")
	require.Equal(t, 0+64+65+256+1024+1025+1e9, hv.Sum)
	require.Equal(t, hv.Count, h.Count())
	require.Equal(t, hv.Sum, h.Sum())
}

func TestExponentialBuckets(t *testing.T) {
	require.Equal(t, []float64{0.5, 1, 2, 4}, ExponentialBuckets(0.5, 2, 4))
	require.Nil(t, ExponentialBuckets(0, 2, 4))
	require.Nil(t, ExponentialBuckets(1, 1, 4))
	require.Nil(t, ExponentialBuckets(1, 2, 0))
}

func TestNilMetrics(t *testing.T) {
	var (
		c  *Counter
		g  *Gauge
		h  *Histogram
		cv *CounterVec
		gv *GaugeVec
		hv *HistogramVec
	)
	c.Inc()
	c.Add(2)
	g.Set(1)
	g.Inc()
	g.Dec()
	h.Observe(1)
	h.ObserveDuration(time.Second)
	var zero Histogram // not from a registry: ignores observations too
	zero.Observe(1)
	require.Zero(t, zero.Count())
	require.Zero(t, c.Value())
	require.Zero(t, g.Value())
	require.Zero(t, h.Count())
	require.Zero(t, h.Sum())
	require.Nil(t, cv.At(0))
	require.Nil(t, gv.At(0))
	require.Nil(t, hv.At(0))
	require.Equal(t, -1, cv.Index("a"))
	require.Equal(t, -1, gv.Index("a"))
	require.Equal(t, -1, hv.Index("a"))
	require.Zero(t, cv.Len()+gv.Len()+hv.Len())
}

func TestVecAtOutOfRange(t *testing.T) {
	r := NewRegistry()
	cv, err := r.NewCounterVec("a_total", "", []string{"x"}, [][]string{{"a"}, {"b"}})
	require.NoError(t, err)
	gv, err := r.NewGaugeVec("b", "", []string{"x"}, [][]string{{"a"}})
	require.NoError(t, err)
	hv, err := r.NewHistogramVec("c_seconds", "", []float64{1}, []string{"x"}, [][]string{{"a"}})
	require.NoError(t, err)
	require.Equal(t, 1, cv.Index("b"))
	require.Equal(t, -1, cv.Index("c"))
	require.Equal(t, -1, cv.Index("a", "b"))
	require.Equal(t, 0, gv.Index("a"))
	require.Equal(t, 0, hv.Index("a"))
	require.Equal(t, -1, hv.Index())
	require.Equal(t, 2, cv.Len())
	require.Equal(t, 1, gv.Len())
	require.Equal(t, 1, hv.Len())
	require.NotNil(t, cv.At(1))
	for _, i := range []int{-1, 2, math.MaxInt} {
		require.Nil(t, cv.At(i))
		cv.At(i).Inc() // a no-op, not a panic
	}
	require.Nil(t, gv.At(1))
	require.Nil(t, hv.At(-1))
}

// TestConcurrentUpdates checks that concurrent updates are neither lost nor
// racy (run with -race), also while snapshots are taken.
func TestConcurrentUpdates(t *testing.T) {
	r := NewRegistry()
	c, err := r.NewCounter("c_total", "")
	require.NoError(t, err)
	g, err := r.NewGauge("g", "")
	require.NoError(t, err)
	h, err := r.NewHistogram("h_seconds", "", []float64{1, 2})
	require.NoError(t, err)

	const workers, perWorker = 8, 1000
	var wg sync.WaitGroup
	stop := make(chan struct{})
	snapshotsDone := make(chan struct{})
	go func() {
		defer close(snapshotsDone)
		for {
			select {
			case <-stop:
				return
			default:
				s := r.Snapshot()
				hv := s.Families[2].Samples[0].Histogram
				if hv.Buckets[0].Count > hv.Buckets[1].Count || hv.Buckets[1].Count > hv.Count {
					t.Error("cumulative buckets decrease or exceed the count")
				}
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range perWorker {
				c.Inc()
				g.Inc()
				g.Dec()
				h.Observe(float64(i % 3))
			}
		}()
	}
	wg.Wait()
	close(stop)
	<-snapshotsDone

	require.Equal(t, uint64(workers*perWorker), c.Value())
	require.Zero(t, g.Value())
	require.Equal(t, uint64(workers*perWorker), h.Count())
	// Each worker observes 0,1,2 in turn: 333 full rounds plus a 0.
	require.Equal(t, float64(workers*(333*3)), h.Sum())
}

// TestRegisterWhileSnapshotting checks registration and Snapshot may run
// concurrently (run with -race).
func TestRegisterWhileSnapshotting(t *testing.T) {
	r := NewRegistry()
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 100 {
			_, err := r.NewGauge("g"+strings.Repeat("_", i), "")
			if err != nil {
				t.Error(err)
			}
		}
	}()
	for range 100 {
		r.Snapshot()
	}
	<-done
	require.Len(t, r.Snapshot().Families, 100)
}
