package metrics

import (
	"bufio"
	"io"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// TextContentType is the HTTP Content-Type of WriteText's output: the
// Prometheus text exposition format, version 0.0.4
// (https://prometheus.io/docs/instrumenting/exposition_formats/).
const TextContentType = "text/plain; version=0.0.4; charset=utf-8"

// WriteText writes s in the Prometheus text exposition format 0.0.4: for
// each family a HELP and a TYPE line, then one line per sample; a
// histogram has cumulative _bucket lines (le="+Inf" last), _sum and _count.
// It is what a Prometheus server scrapes, without the client_golang
// dependency; the nested module github.com/devp2p-go/devp2p/prometheus
// offers a prometheus.Collector instead, with the same names and values.
func WriteText(w io.Writer, s Snapshot) error {
	bw := bufio.NewWriter(w)
	var b []byte
	for _, f := range s.Families {
		b = b[:0]
		b = append(b, "# HELP "...)
		b = append(b, f.Name...)
		b = append(b, ' ')
		b = appendEscaped(b, f.Help, false)
		b = append(b, "\n# TYPE "...)
		b = append(b, f.Name...)
		b = append(b, ' ')
		b = append(b, f.Type...)
		b = append(b, '\n')
		for _, smp := range f.Samples {
			if smp.Histogram == nil {
				b = appendSample(b, f.Name, "", f.Labels, smp.LabelValues, "", smp.Value)
				continue
			}
			h := smp.Histogram
			for _, bk := range h.Buckets {
				b = appendSample(b, f.Name, "_bucket", f.Labels, smp.LabelValues, formatFloat(bk.UpperBound), float64(bk.Count))
			}
			b = appendSample(b, f.Name, "_bucket", f.Labels, smp.LabelValues, "+Inf", float64(h.Count))
			b = appendSample(b, f.Name, "_sum", f.Labels, smp.LabelValues, "", h.Sum)
			b = appendSample(b, f.Name, "_count", f.Labels, smp.LabelValues, "", float64(h.Count))
		}
		if _, err := bw.Write(b); err != nil {
			return err
		}
	}
	return bw.Flush()
}

// Handler returns an http.Handler that serves r's metrics in the text
// exposition format, a fresh snapshot per request: mount it at /metrics.
func Handler(r *Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", TextContentType)
		WriteText(w, r.Snapshot())
	})
}

// appendSample appends one sample line: name+suffix, the labels (and le,
// if not empty) and the value.
func appendSample(b []byte, name, suffix string, labels, values []string, le string, v float64) []byte {
	b = append(b, name...)
	b = append(b, suffix...)
	if len(labels) > 0 || le != "" {
		b = append(b, '{')
		for i, l := range labels {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, l...)
			b = append(b, `="`...)
			if i < len(values) {
				b = appendEscaped(b, values[i], true)
			}
			b = append(b, '"')
		}
		if le != "" {
			if len(labels) > 0 {
				b = append(b, ',')
			}
			b = append(b, `le="`...)
			b = append(b, le...)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = append(b, formatFloat(v)...)
	return append(b, '\n')
}

// appendEscaped escapes s as the format requires: backslash and line feed
// everywhere, and double quotes in label values.
func appendEscaped(b []byte, s string, quote bool) []byte {
	if !strings.ContainsAny(s, "\\\n\"") {
		return append(b, s...)
	}
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\\':
			b = append(b, `\\`...)
		case c == '\n':
			b = append(b, `\n`...)
		case c == '"' && quote:
			b = append(b, `\"`...)
		default:
			b = append(b, c)
		}
	}
	return b
}

// formatFloat formats v as the format's Go-style floats, with +Inf, -Inf
// and NaN spelt as Prometheus expects.
func formatFloat(v float64) string {
	switch {
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	case math.IsNaN(v):
		return "NaN"
	}
	return strconv.FormatFloat(v, 'g', -1, 64)
}
