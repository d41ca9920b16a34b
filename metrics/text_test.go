package metrics

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestWriteText checks the exposition of each family type, label escaping
// and the histogram's series, line by line.
func TestWriteText(t *testing.T) {
	reg := NewRegistry()
	c, err := reg.NewCounterVec("test_events_total", "Events,\nby \\kind.", []string{"kind"}, Series([]string{"a", `q"u\o` + "\n"}))
	require.NoError(t, err)
	g, err := reg.NewGauge("test_level", "Level.")
	require.NoError(t, err)
	h, err := reg.NewHistogram("test_duration_seconds", "Durations.", []float64{0.5, 1})
	require.NoError(t, err)
	c.At(0).Add(3)
	g.Set(-2)
	h.Observe(0.25)
	h.Observe(2)

	var buf bytes.Buffer
	require.NoError(t, WriteText(&buf, reg.Snapshot()))
	want := `# HELP test_events_total Events,\nby \\kind.
# TYPE test_events_total counter
test_events_total{kind="a"} 3
test_events_total{kind="q\"u\\o\n"} 0
# HELP test_level Level.
# TYPE test_level gauge
test_level -2
# HELP test_duration_seconds Durations.
# TYPE test_duration_seconds histogram
test_duration_seconds_bucket{le="0.5"} 1
test_duration_seconds_bucket{le="1"} 1
test_duration_seconds_bucket{le="+Inf"} 2
test_duration_seconds_sum 2.25
test_duration_seconds_count 2
`
	require.Equal(t, want, buf.String())
}

// TestHandler scrapes a node's registry over loopback HTTP and finds every
// family with its TYPE line, and a counter's value.
func TestHandler(t *testing.T) {
	reg := NewRegistry()
	n, err := NewNode(reg, []Protocol{{Name: "eth", Version: 68, Length: 17}})
	require.NoError(t, err)
	n.Server.Inbound(ConnThrottled)
	n.Server.HandshakeDone(Inbound, 30*time.Millisecond)

	srv := httptest.NewServer(Handler(reg))
	defer srv.Close()
	resp, err := srv.Client().Get(srv.URL)
	require.NoError(t, err)
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Equal(t, TextContentType, resp.Header.Get("Content-Type"))
	text := string(body)
	for _, f := range reg.Snapshot().Families {
		require.Contains(t, text, "# TYPE "+f.Name+" "+string(f.Type)+"\n")
	}
	require.Contains(t, text, "\n"+NameInbound+`{result="throttled"} 1`+"\n")
	require.Contains(t, text, "\n"+NameHandshakeDuration+`_count{direction="inbound"} 1`+"\n")
	require.False(t, strings.Contains(text, "\n\n"), "blank lines")
}

// BenchmarkWriteText measures the exposition of a node with eth and snap,
// from a snapshot.
func BenchmarkWriteText(b *testing.B) {
	reg := NewRegistry()
	if _, err := NewNode(reg, []Protocol{{Name: "eth", Version: 68, Length: 17}, {Name: "snap", Version: 1, Length: 8}}); err != nil {
		b.Fatal(err)
	}
	snap := reg.Snapshot()
	b.ReportAllocs()
	for range b.N {
		WriteText(io.Discard, snap)
	}
}
