package metrics

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"unicode/utf8"
)

// ErrInvalid is wrapped by every registration error: a bad or duplicate
// name, a bad label set, bad histogram buckets.
var ErrInvalid = errors.New("metrics: invalid registration")

// MaxSeries bounds the number of label value sets one family may declare.
const MaxSeries = 10000

// Registry holds metric families. There is no global registry: whoever
// creates one owns it (a server owns one for its node) and hands its
// metrics to the code that updates them. Registration is safe for concurrent
// use with Snapshot; the metrics themselves are updated without the
// registry's lock.
type Registry struct {
	mu       sync.Mutex
	families []*family          // in registration order; guarded by mu
	byName   map[string]*family // guarded by mu
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry {
	return &Registry{byName: make(map[string]*family)}
}

// family is one registered family. Everything but the metric values is
// immutable after registration.
type family struct {
	name, help string
	typ        Type
	labels     []string
	series     [][]string     // label values, one entry per series
	index      map[string]int // seriesKey(label values) → series
	counters   []Counter      // TypeCounter: one per series
	gauges     []Gauge        // TypeGauge: one per series
	hists      []Histogram
}

// Series builds the label value sets of a family from one list of values per
// label: every combination, the first label varying slowest, so with two
// labels of n₀ and n₁ values the series of values (i, j) is at index i·n₁+j.
func Series(values ...[]string) [][]string {
	out := [][]string{{}}
	for _, vs := range values {
		next := make([][]string, 0, len(out)*len(vs))
		for _, prefix := range out {
			for _, v := range vs {
				s := make([]string, len(prefix), len(prefix)+1)
				copy(s, prefix)
				next = append(next, append(s, v))
			}
		}
		out = next
	}
	return out
}

// NewCounter registers a counter without labels. Its name must end in
// "_total".
func (r *Registry) NewCounter(name, help string) (*Counter, error) {
	f, err := r.register(name, help, TypeCounter, nil, [][]string{{}}, nil)
	if err != nil {
		return nil, err
	}
	return &f.counters[0], nil
}

// NewGauge registers a gauge without labels.
func (r *Registry) NewGauge(name, help string) (*Gauge, error) {
	f, err := r.register(name, help, TypeGauge, nil, [][]string{{}}, nil)
	if err != nil {
		return nil, err
	}
	return &f.gauges[0], nil
}

// NewHistogram registers a histogram without labels. buckets are the upper
// bounds, finite and strictly increasing; the +Inf bucket is implicit.
func (r *Registry) NewHistogram(name, help string, buckets []float64) (*Histogram, error) {
	f, err := r.register(name, help, TypeHistogram, nil, [][]string{{}}, buckets)
	if err != nil {
		return nil, err
	}
	return &f.hists[0], nil
}

// CounterVec is a counter family with labels. Its label value sets are
// declared at registration; At selects one by its index in that list.
type CounterVec struct{ f *family }

// GaugeVec is a gauge family with labels, declared like CounterVec.
type GaugeVec struct{ f *family }

// HistogramVec is a histogram family with labels, declared like CounterVec.
type HistogramVec struct{ f *family }

// NewCounterVec registers a counter family whose series are the label value
// sets in series (see Series), each with one value per name in labels.
func (r *Registry) NewCounterVec(name, help string, labels []string, series [][]string) (*CounterVec, error) {
	f, err := r.register(name, help, TypeCounter, labels, series, nil)
	if err != nil {
		return nil, err
	}
	return &CounterVec{f}, nil
}

// NewGaugeVec registers a gauge family; see NewCounterVec.
func (r *Registry) NewGaugeVec(name, help string, labels []string, series [][]string) (*GaugeVec, error) {
	f, err := r.register(name, help, TypeGauge, labels, series, nil)
	if err != nil {
		return nil, err
	}
	return &GaugeVec{f}, nil
}

// NewHistogramVec registers a histogram family; see NewCounterVec and
// NewHistogram.
func (r *Registry) NewHistogramVec(name, help string, buckets []float64, labels []string, series [][]string) (*HistogramVec, error) {
	f, err := r.register(name, help, TypeHistogram, labels, series, buckets)
	if err != nil {
		return nil, err
	}
	return &HistogramVec{f}, nil
}

// At returns the counter of series i, or nil (which ignores updates) if i is
// out of range.
func (v *CounterVec) At(i int) *Counter {
	if v == nil || uint(i) >= uint(len(v.f.counters)) {
		return nil
	}
	return &v.f.counters[i]
}

// Len returns the number of series (0 for a nil CounterVec).
func (v *CounterVec) Len() int {
	if v == nil {
		return 0
	}
	return len(v.f.counters)
}

// Index returns the index of the series with these label values (in label
// order), or -1 if it was not declared. It looks up a map: resolve indexes
// once, then update through At.
func (v *CounterVec) Index(labelValues ...string) int {
	if v == nil {
		return -1
	}
	return v.f.lookup(labelValues)
}

// At returns the gauge of series i, or nil if i is out of range.
func (v *GaugeVec) At(i int) *Gauge {
	if v == nil || uint(i) >= uint(len(v.f.gauges)) {
		return nil
	}
	return &v.f.gauges[i]
}

// Len returns the number of series (0 for a nil GaugeVec).
func (v *GaugeVec) Len() int {
	if v == nil {
		return 0
	}
	return len(v.f.gauges)
}

// Index returns the index of the series with these label values, or -1; see
// CounterVec.Index.
func (v *GaugeVec) Index(labelValues ...string) int {
	if v == nil {
		return -1
	}
	return v.f.lookup(labelValues)
}

// At returns the histogram of series i, or nil if i is out of range.
func (v *HistogramVec) At(i int) *Histogram {
	if v == nil || uint(i) >= uint(len(v.f.hists)) {
		return nil
	}
	return &v.f.hists[i]
}

// Len returns the number of series (0 for a nil HistogramVec).
func (v *HistogramVec) Len() int {
	if v == nil {
		return 0
	}
	return len(v.f.hists)
}

// Index returns the index of the series with these label values, or -1; see
// CounterVec.Index.
func (v *HistogramVec) Index(labelValues ...string) int {
	if v == nil {
		return -1
	}
	return v.f.lookup(labelValues)
}

func (f *family) lookup(labelValues []string) int {
	if i, ok := f.index[seriesKey(labelValues)]; ok {
		return i
	}
	return -1
}

func (r *Registry) register(name, help string, typ Type, labels []string, series [][]string, buckets []float64) (*family, error) {
	if err := checkFamily(name, typ, labels, series, buckets); err != nil {
		return nil, err
	}
	f := &family{
		name:   name,
		help:   help,
		typ:    typ,
		labels: append([]string(nil), labels...),
		series: make([][]string, len(series)),
	}
	f.index = make(map[string]int, len(series))
	for i, s := range series {
		f.series[i] = append([]string(nil), s...)
		f.index[seriesKey(s)] = i
	}
	switch typ {
	case TypeCounter:
		f.counters = make([]Counter, len(series))
	case TypeGauge:
		f.gauges = make([]Gauge, len(series))
	case TypeHistogram:
		bounds := append([]float64(nil), buckets...)
		f.hists = make([]Histogram, len(series))
		for i := range f.hists {
			f.hists[i] = newHistogram(bounds)
		}
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.byName[name]; dup {
		return nil, fmt.Errorf("%w: %s registered twice", ErrInvalid, name)
	}
	r.byName[name] = f
	r.families = append(r.families, f)
	return f, nil
}

// checkFamily enforces the Prometheus data model
// (https://prometheus.io/docs/concepts/data_model/) and naming conventions
// (https://prometheus.io/docs/practices/naming/): valid metric and label
// names, counters ending in _total, no reserved label, and a fixed, bounded,
// duplicate-free set of label values.
func checkFamily(name string, typ Type, labels []string, series [][]string, buckets []float64) error {
	bad := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalid, name, fmt.Sprintf(format, args...))
	}
	if !validName(name, true) {
		return fmt.Errorf("%w: invalid metric name %q", ErrInvalid, name)
	}
	switch typ {
	case TypeCounter:
		if !strings.HasSuffix(name, "_total") {
			return bad("a counter's name ends in _total")
		}
	case TypeHistogram:
		for _, s := range []string{"_total", "_count", "_sum", "_bucket"} {
			if strings.HasSuffix(name, s) {
				return bad("a histogram's name must not end in %s", s)
			}
		}
		if len(buckets) == 0 {
			return bad("no histogram buckets")
		}
		for i, b := range buckets {
			if math.IsNaN(b) || math.IsInf(b, 0) || (i > 0 && b <= buckets[i-1]) {
				return bad("histogram buckets must be finite and strictly increasing")
			}
		}
	}
	seen := make(map[string]bool, len(labels))
	for _, l := range labels {
		switch {
		case !validName(l, false) || strings.HasPrefix(l, "__"):
			return bad("invalid label name %q", l)
		case typ == TypeHistogram && l == "le":
			return bad(`label "le" is reserved for histogram buckets`)
		case seen[l]:
			return bad("label %q twice", l)
		}
		seen[l] = true
	}
	if len(series) == 0 || len(series) > MaxSeries {
		return bad("%d series (want 1 to %d)", len(series), MaxSeries)
	}
	keys := make(map[string]bool, len(series))
	for _, s := range series {
		if len(s) != len(labels) {
			return bad("series %q has %d values for %d labels", s, len(s), len(labels))
		}
		for _, v := range s {
			if !utf8.ValidString(v) {
				return bad("label value %q is not UTF-8", v)
			}
		}
		k := seriesKey(s)
		if keys[k] {
			return bad("series %q declared twice", s)
		}
		keys[k] = true
	}
	return nil
}

// seriesKey joins label values with a byte that valid UTF-8 never holds.
func seriesKey(values []string) string { return strings.Join(values, "\xff") }

// validName reports whether s matches [a-zA-Z_:][a-zA-Z0-9_:]* (metric
// names, colon allowed) or [a-zA-Z_][a-zA-Z0-9_]* (label names).
func validName(s string, colon bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		ok := c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(i > 0 && c >= '0' && c <= '9') || (colon && c == ':')
		if !ok {
			return false
		}
	}
	return true
}

// Snapshot reads every family. Each value is read atomically on its own;
// the snapshot as a whole is not one atomic cut, which is the usual
// contract of a metrics scrape.
func (r *Registry) Snapshot() Snapshot {
	r.mu.Lock()
	fams := append([]*family(nil), r.families...)
	r.mu.Unlock()
	out := Snapshot{Families: make([]Family, len(fams))}
	for i, f := range fams {
		ff := Family{
			Name:    f.name,
			Help:    f.help,
			Type:    f.typ,
			Samples: make([]Sample, len(f.series)),
		}
		if len(f.labels) > 0 {
			ff.Labels = append([]string(nil), f.labels...)
		}
		for j, lv := range f.series {
			s := Sample{}
			if len(lv) > 0 {
				s.LabelValues = append([]string(nil), lv...)
			}
			switch f.typ {
			case TypeCounter:
				s.Value = float64(f.counters[j].Value())
			case TypeGauge:
				s.Value = float64(f.gauges[j].Value())
			case TypeHistogram:
				s.Histogram = f.hists[j].snapshot()
			}
			ff.Samples[j] = s
		}
		out.Families[i] = ff
	}
	return out
}
