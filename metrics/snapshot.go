package metrics

import "slices"

// Type is the kind of a metric family, named as in the Prometheus exposition
// format.
type Type string

// The family types.
const (
	TypeCounter   Type = "counter"
	TypeGauge     Type = "gauge"
	TypeHistogram Type = "histogram"
)

// Snapshot is the value of every family of a Registry at one moment: plain
// data, safe to keep, compare and marshal (encoding/json gives the field
// names in the tags below). Families come in registration order, samples in
// the order their label values were declared.
type Snapshot struct {
	Families []Family `json:"families"` // every family of the Registry, in registration order
}

// Family is one metric family: a name (for example devp2p_dials_total), its
// help text, its type, the names of its labels and one sample per declared
// set of label values. Every declared sample is present, including those
// still at zero.
type Family struct {
	Name    string   `json:"name"`             // the metric name, e.g. devp2p_dials_total
	Help    string   `json:"help"`             // one line saying what is measured
	Type    Type     `json:"type"`             // counter, gauge or histogram
	Labels  []string `json:"labels,omitempty"` // label names; empty for a family of one unlabelled sample
	Samples []Sample `json:"samples"`          // one per declared set of label values, in declaration order
}

// Sample is one series of a family. LabelValues match Family.Labels one for
// one. A counter or gauge sample has its Value; a histogram sample has
// Histogram instead (and a zero Value).
type Sample struct {
	LabelValues []string        `json:"label_values,omitempty"` // one per Family.Labels, in the same order
	Value       float64         `json:"value"`                  // a counter's or gauge's value; 0 for a histogram
	Histogram   *HistogramValue `json:"histogram,omitempty"`    // a histogram's state; nil for a counter or gauge
}

// HistogramValue is a histogram's state. Buckets are cumulative, in
// increasing UpperBound order, as in Prometheus: Buckets[i].Count is the
// number of observations ≤ Buckets[i].UpperBound. The implicit +Inf bucket
// is Count, so no infinity has to be marshalled.
type HistogramValue struct {
	Count   uint64   `json:"count"`   // observations in all, the implicit +Inf bucket
	Sum     float64  `json:"sum"`     // sum of the observed values, in the family's unit (seconds for durations)
	Buckets []Bucket `json:"buckets"` // cumulative buckets by increasing UpperBound, without +Inf
}

// Bucket is one cumulative histogram bucket.
type Bucket struct {
	UpperBound float64 `json:"le"`    // the bucket's inclusive upper bound, in the family's unit
	Count      uint64  `json:"count"` // observations ≤ UpperBound (cumulative)
}

// Family returns the family called name.
func (s Snapshot) Family(name string) (Family, bool) {
	for _, f := range s.Families {
		if f.Name == name {
			return f, true
		}
	}
	return Family{}, false
}

// Sample returns the sample whose label values are labelValues, in the
// order of f.Labels.
func (f Family) Sample(labelValues ...string) (Sample, bool) {
	for _, s := range f.Samples {
		if slices.Equal(s.LabelValues, labelValues) {
			return s, true
		}
	}
	return Sample{}, false
}

// Value returns the value of the counter or gauge sample called name with
// the given label values (in the family's label order). It reports false if
// there is no such sample; a histogram sample reads as its count.
func (s Snapshot) Value(name string, labelValues ...string) (float64, bool) {
	f, ok := s.Family(name)
	if !ok {
		return 0, false
	}
	sm, ok := f.Sample(labelValues...)
	if !ok {
		return 0, false
	}
	if sm.Histogram != nil {
		return float64(sm.Histogram.Count), true
	}
	return sm.Value, true
}
