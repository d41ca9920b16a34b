package prometheus

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/metrics"
	prom "github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"github.com/stretchr/testify/require"
)

// newNode returns a node's registry with a little of everything recorded.
func newNode(t *testing.T) *metrics.Registry {
	t.Helper()
	reg := metrics.NewRegistry()
	n, err := metrics.NewNode(reg, []metrics.Protocol{{Name: "eth", Version: 68, Length: 17}, {Name: "snap", Version: 1, Length: 8}})
	require.NoError(t, err)
	n.Server.SetPeers(metrics.PeerCounts{Inbound: 2, Outbound: 3, Trusted: 1})
	n.Server.Inbound(metrics.ConnThrottled)
	n.Server.HandshakeDone(metrics.Inbound, 40*time.Millisecond)
	n.Server.Disconnect(0x04, true)
	n.Dial.Done(metrics.DialStatic, metrics.ConnDialError)
	n.Traffic.Protocol("eth", 68).Received(0x10, 1000, 420)
	n.Discovery.PacketIn(metrics.DiscV4, 1)
	n.Discovery.LookupDone(metrics.DiscV4, 1200*time.Millisecond)
	return reg
}

// scrape serves reg on a loopback HTTP server and fetches /metrics once.
func scrape(t *testing.T, reg *metrics.Registry, cfg Config) string {
	t.Helper()
	h, err := Handler(reg, cfg)
	require.NoError(t, err)
	mux := http.NewServeMux()
	mux.Handle("/metrics", h)
	srv := httptest.NewServer(mux) // listens on 127.0.0.1
	defer srv.Close()

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/metrics", nil)
	require.NoError(t, err)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, string(body))
	require.True(t, strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain"), resp.Header.Get("Content-Type"))
	return string(body)
}

func parse(t *testing.T, text string) map[string]*dto.MetricFamily {
	t.Helper()
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(text))
	require.NoError(t, err)
	return fams
}

// find returns the metric of family name whose labels include want.
func find(t *testing.T, fams map[string]*dto.MetricFamily, name string, want map[string]string) *dto.Metric {
	t.Helper()
	f, ok := fams[name]
	require.True(t, ok, "family %s missing", name)
outer:
	for _, m := range f.GetMetric() {
		got := map[string]string{}
		for _, lp := range m.GetLabel() {
			got[lp.GetName()] = lp.GetValue()
		}
		for k, v := range want {
			if got[k] != v {
				continue outer
			}
		}
		return m
	}
	t.Fatalf("%s%v missing", name, want)
	return nil
}

// TestScrape fetches /metrics over HTTP on loopback and finds every family
// of the snapshot, with the snapshot's values.
func TestScrape(t *testing.T) {
	reg := newNode(t)
	fams := parse(t, scrape(t, reg, Config{}))

	snap := reg.Snapshot()
	require.Len(t, fams, len(snap.Families))
	for _, f := range snap.Families {
		t.Run(f.Name, func(t *testing.T) {
			pf, ok := fams[f.Name]
			require.True(t, ok)
			require.Equal(t, f.Help, pf.GetHelp())
			require.Equal(t, strings.ToUpper(string(f.Type)), pf.GetType().String())
			require.Len(t, pf.GetMetric(), len(f.Samples))
		})
	}

	tests := []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{metrics.NamePeers, map[string]string{"direction": "outbound"}, 3},
		{metrics.NamePeersTrusted, nil, 1},
		{metrics.NameInbound, map[string]string{"result": "throttled"}, 1},
		{metrics.NameDisconnects, map[string]string{"reason": "too_many_peers", "side": "remote"}, 1},
		{metrics.NameDials, map[string]string{"kind": "static", "result": "dial_error"}, 1},
		{metrics.NameMessageWireBytes, map[string]string{"direction": "in", "protocol": "eth", "version": "68", "code": "0x10"}, 420},
		{metrics.NameDiscoverPackets, map[string]string{"direction": "in", "version": "v4", "type": "ping"}, 1},
	}
	for _, tt := range tests {
		t.Run("value "+tt.name, func(t *testing.T) {
			m := find(t, fams, tt.name, tt.labels)
			switch {
			case m.Counter != nil:
				require.Equal(t, tt.want, m.GetCounter().GetValue())
			default:
				require.Equal(t, tt.want, m.GetGauge().GetValue())
			}
		})
	}

	h := find(t, fams, metrics.NameDiscoverLookupDuration, map[string]string{"version": "v4"}).GetHistogram()
	require.Equal(t, uint64(1), h.GetSampleCount())
	require.Equal(t, 1.2, h.GetSampleSum())
	for _, b := range h.GetBucket() {
		want := uint64(0)
		if b.GetUpperBound() >= 2.5 {
			want = 1
		}
		require.Equal(t, want, b.GetCumulativeCount(), "le=%v", b.GetUpperBound())
	}
}

// TestPromtool checks the exposition with Prometheus's own linter.
func TestPromtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		if os.Getenv("DEVP2P_REQUIRE_PROMTOOL") != "" {
			t.Fatal("DEVP2P_REQUIRE_PROMTOOL is set but promtool is not on PATH")
		}
		t.Skip("promtool not installed (Debian package prometheus; .ci/run installs it): cannot lint the exposition")
	}
	text := scrape(t, newNode(t), Config{ConstLabels: map[string]string{"node": "a"}, Runtime: true})

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(text)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Run(), "promtool check metrics:\n%s", out.String())
	require.Empty(t, strings.TrimSpace(out.String()), "promtool reported problems")

	// The check can fail: promtool rejects a counter without _total.
	bad := "# HELP x_count a counter\n# TYPE x_count counter\nx_count 1\n"
	cmd = exec.CommandContext(ctx, promtool, "check", "metrics")
	cmd.Stdin = strings.NewReader(bad)
	outBad, err := cmd.CombinedOutput()
	require.Error(t, err, "promtool accepted a bad exposition: %s", outBad)
}

// TestNoDoubleBookkeeping checks that each scrape reads the registry anew.
func TestNoDoubleBookkeeping(t *testing.T) {
	reg := metrics.NewRegistry()
	c, err := reg.NewCounter("test_events_total", "Events.")
	require.NoError(t, err)
	col, err := NewCollector(reg, Config{})
	require.NoError(t, err)
	pr := prom.NewPedanticRegistry()
	require.NoError(t, pr.Register(col))

	value := func() float64 {
		fams, err := pr.Gather()
		require.NoError(t, err)
		require.Len(t, fams, 1)
		return fams[0].GetMetric()[0].GetCounter().GetValue()
	}
	require.Zero(t, value())
	c.Add(5)
	require.Equal(t, 5.0, value())

	// A family registered after the collector is exported too.
	g, err := reg.NewGauge("test_level", "Level.")
	require.NoError(t, err)
	g.Set(-2)
	fams, err := pr.Gather()
	require.NoError(t, err)
	require.Len(t, fams, 2)
}

// TestTwoNodes exports two nodes' registries into one Prometheus registry,
// told apart by a const label.
func TestTwoNodes(t *testing.T) {
	pr := prom.NewRegistry()
	for _, name := range []string{"a", "b"} {
		reg := metrics.NewRegistry()
		d, err := metrics.NewDial(reg)
		require.NoError(t, err)
		if name == "b" {
			d.Done(metrics.DialDynamic, metrics.ConnOK)
		}
		col, err := NewCollector(reg, Config{ConstLabels: map[string]string{"node": name}})
		require.NoError(t, err)
		require.NoError(t, pr.Register(col))
	}
	fams, err := pr.Gather()
	require.NoError(t, err)
	require.Len(t, fams, 1)
	var total float64
	for _, m := range fams[0].GetMetric() {
		total += m.GetCounter().GetValue()
	}
	require.Equal(t, 1.0, total)
	require.Len(t, fams[0].GetMetric(), 2*2*14, "two nodes × two kinds × fourteen results")
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		reg  *metrics.Registry
		cfg  Config
	}{
		{"nil registry", nil, Config{}},
		{"empty label name", metrics.NewRegistry(), Config{ConstLabels: map[string]string{"": "x"}}},
		{"reserved label name", metrics.NewRegistry(), Config{ConstLabels: map[string]string{"__name__": "x"}}},
		{"label name with dash", metrics.NewRegistry(), Config{ConstLabels: map[string]string{"a-b": "x"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewCollector(tt.reg, tt.cfg)
			require.ErrorIs(t, err, ErrInvalidConfig)
			_, err = Handler(tt.reg, tt.cfg)
			require.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
}

// TestConstLabelClash checks a const label that clashes with a family's
// label fails the scrape with an error instead of exporting garbage.
func TestConstLabelClash(t *testing.T) {
	reg := metrics.NewRegistry()
	_, err := metrics.NewDial(reg) // has label "kind"
	require.NoError(t, err)
	h, err := Handler(reg, Config{ConstLabels: map[string]string{"kind": "x"}})
	require.NoError(t, err)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	require.Equal(t, http.StatusInternalServerError, rec.Code)
	require.Contains(t, rec.Body.String(), "kind")
}
