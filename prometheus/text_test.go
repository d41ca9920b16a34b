package prometheus

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/metrics"
	dto "github.com/prometheus/client_model/go"
	"github.com/stretchr/testify/require"
)

// TestWriteTextPromtool lints metrics.WriteText's exposition, the one the
// library serves without client_golang, with promtool.
func TestWriteTextPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("DEVP2P_REQUIRE_PROMTOOL") != "" {
			t.Fatal("DEVP2P_REQUIRE_PROMTOOL is set but promtool is not on PATH")
		}
		t.Skip("promtool not installed (Debian package prometheus; .ci/run installs it)")
	}
	var buf bytes.Buffer
	require.NoError(t, metrics.WriteText(&buf, newNode(t).Snapshot()))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = &buf
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "promtool check metrics:\n%s", out)
	require.Empty(t, strings.TrimSpace(string(out)), "promtool reported problems")
}

// TestWriteTextMatchesCollector parses metrics.WriteText's output with
// Prometheus's own parser and finds exactly what the collector exports:
// the same families, help, types, label sets and values.
func TestWriteTextMatchesCollector(t *testing.T) {
	reg := newNode(t)
	var buf bytes.Buffer
	require.NoError(t, metrics.WriteText(&buf, reg.Snapshot()))
	got := parse(t, buf.String())
	want := parse(t, scrape(t, reg, Config{}))
	require.Len(t, got, len(want))
	for name, wf := range want {
		gf, ok := got[name]
		require.True(t, ok, "family %s missing", name)
		require.Equal(t, canonical(wf).String(), canonical(gf).String(), "family %s", name)
	}
}

// canonical drops, in place, what the two expositions may legitimately
// differ in: the order of labels and series (client_golang sorts both) and
// the created timestamps client_golang may add.
func canonical(f *dto.MetricFamily) *dto.MetricFamily {
	for _, m := range f.GetMetric() {
		slices.SortFunc(m.Label, func(a, b *dto.LabelPair) int { return strings.Compare(a.GetName(), b.GetName()) })
	}
	key := func(m *dto.Metric) string {
		var b strings.Builder
		for _, l := range m.GetLabel() {
			b.WriteString(l.GetName() + "=" + l.GetValue() + ",")
		}
		return b.String()
	}
	slices.SortFunc(f.Metric, func(a, b *dto.Metric) int { return strings.Compare(key(a), key(b)) })
	for _, m := range f.GetMetric() {
		if m.Counter != nil {
			m.Counter.CreatedTimestamp = nil
		}
		if m.Histogram != nil {
			m.Histogram.CreatedTimestamp = nil
		}
	}
	return f
}
