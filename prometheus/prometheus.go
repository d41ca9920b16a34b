// Package prometheus exports a devp2p metrics.Registry to Prometheus.
//
// It lives in its own module, github.com/devp2p-go/devp2p/prometheus, so that
// the devp2p module itself does not depend on
// github.com/prometheus/client_golang. The Collector keeps no counters of
// its own: each scrape takes a metrics.Snapshot and turns it into constant
// Prometheus metrics, so the values Prometheus sees are exactly the values
// the snapshot API returns.
//
// Serve a registry (reg, a *metrics.Registry) on /metrics:
//
//	h, err := prometheus.Handler(reg, prometheus.Config{})
//	if err != nil { … }
//	mux.Handle("/metrics", h)
//
// or register a Collector in a Prometheus registry of your own.
package prometheus

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/devp2p-go/devp2p/metrics"
	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// ErrInvalidConfig is wrapped by the error NewCollector returns for a bad
// Config.
var ErrInvalidConfig = errors.New("prometheus: invalid config")

// Config tunes a Collector. The zero value works.
type Config struct {
	// ConstLabels are added to every exported sample, for example
	// {"node": "a"} to tell apart two nodes registered in one Prometheus
	// registry (their family names are the same). Default: none. A label
	// name must match [a-zA-Z_][a-zA-Z0-9_]* and not start with "__".
	ConstLabels map[string]string

	// Runtime adds the Go runtime and process collectors (go_*, process_*)
	// to the registry Handler builds. Default: off. NewCollector ignores it.
	Runtime bool
}

// Collector is a prometheus.Collector that reads a metrics.Registry.
//
// It is an unchecked collector: Describe sends no descriptors, because the
// families of a Registry may grow after the Collector is registered (an
// embedder registers its own). Prometheus then checks each scrape instead of
// the registration.
type Collector struct {
	reg    *metrics.Registry
	labels prom.Labels

	mu    sync.Mutex
	descs map[string]famDesc // by family name; families never change once registered
}

// famDesc is the descriptor of a family, or why it cannot be exported.
type famDesc struct {
	desc *prom.Desc
	err  error
}

// NewCollector returns a Collector of reg.
func NewCollector(reg *metrics.Registry, cfg Config) (*Collector, error) {
	if reg == nil {
		return nil, fmt.Errorf("%w: nil registry", ErrInvalidConfig)
	}
	labels := make(prom.Labels, len(cfg.ConstLabels))
	for k, v := range cfg.ConstLabels {
		if !validLabelName(k) {
			return nil, fmt.Errorf("%w: ConstLabels: invalid label name %q", ErrInvalidConfig, k)
		}
		labels[k] = v
	}
	return &Collector{reg: reg, labels: labels, descs: make(map[string]famDesc)}, nil
}

// Describe implements prometheus.Collector. It sends nothing: see Collector.
func (c *Collector) Describe(chan<- *prom.Desc) {}

// Collect implements prometheus.Collector: it takes one snapshot of the
// registry and sends each of its samples. A family that cannot be exported
// (one of its labels is also a const label) is sent as one invalid metric,
// which fails the scrape with an error naming the label.
func (c *Collector) Collect(ch chan<- prom.Metric) {
	for _, f := range c.reg.Snapshot().Families {
		d := c.desc(f)
		if d.err != nil {
			ch <- prom.NewInvalidMetric(d.desc, d.err)
			continue
		}
		for _, s := range f.Samples {
			ch <- c.metric(d.desc, f.Type, s)
		}
	}
}

func (c *Collector) desc(f metrics.Family) famDesc {
	c.mu.Lock()
	defer c.mu.Unlock()
	d, ok := c.descs[f.Name]
	if !ok {
		d.desc = prom.NewDesc(f.Name, f.Help, f.Labels, c.labels)
		for _, l := range f.Labels {
			if _, clash := c.labels[l]; clash {
				// A plain descriptor, so the scrape reports our error
				// rather than the descriptor's own.
				d.desc = prom.NewDesc(f.Name, f.Help, nil, nil)
				d.err = fmt.Errorf("prometheus: const label %q is also a label of %s", l, f.Name)
				break
			}
		}
		c.descs[f.Name] = d
	}
	return d
}

func (c *Collector) metric(desc *prom.Desc, typ metrics.Type, s metrics.Sample) prom.Metric {
	var (
		m   prom.Metric
		err error
	)
	switch typ {
	case metrics.TypeCounter:
		m, err = prom.NewConstMetric(desc, prom.CounterValue, s.Value, s.LabelValues...)
	case metrics.TypeGauge:
		m, err = prom.NewConstMetric(desc, prom.GaugeValue, s.Value, s.LabelValues...)
	case metrics.TypeHistogram:
		h := s.Histogram
		if h == nil {
			err = errors.New("histogram sample without a histogram")
			break
		}
		buckets := make(map[float64]uint64, len(h.Buckets))
		for _, b := range h.Buckets {
			buckets[b.UpperBound] = b.Count
		}
		m, err = prom.NewConstHistogram(desc, h.Count, h.Sum, buckets, s.LabelValues...)
	default:
		err = fmt.Errorf("unknown metric type %q", typ)
	}
	if err != nil {
		return prom.NewInvalidMetric(desc, err)
	}
	return m
}

// Handler returns an http.Handler that serves reg in the Prometheus
// exposition formats, from a Prometheus registry of its own holding the
// Collector (and, with cfg.Runtime, the Go runtime and process collectors).
// A scrape that fails is answered with HTTP 500 and the error.
func Handler(reg *metrics.Registry, cfg Config) (http.Handler, error) {
	c, err := NewCollector(reg, cfg)
	if err != nil {
		return nil, err
	}
	pr := prom.NewRegistry()
	if err := pr.Register(c); err != nil {
		return nil, err
	}
	if cfg.Runtime {
		if err := pr.Register(collectors.NewGoCollector()); err != nil {
			return nil, err
		}
		if err := pr.Register(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})); err != nil {
			return nil, err
		}
	}
	return promhttp.HandlerFor(pr, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}), nil
}

// validLabelName reports whether s is a label name of the Prometheus data
// model (https://prometheus.io/docs/concepts/data_model/), not reserved.
func validLabelName(s string) bool {
	if s == "" || (len(s) >= 2 && s[:2] == "__") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (i > 0 && c >= '0' && c <= '9')) {
			return false
		}
	}
	return true
}
