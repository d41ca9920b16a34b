package prometheus_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/devp2p-go/devp2p/metrics"
	"github.com/devp2p-go/devp2p/prometheus"
)

// Serve a node's metrics to Prometheus on /metrics.
func ExampleHandler() {
	reg := metrics.NewRegistry() // a server owns one for its node
	m, err := metrics.NewNode(reg, nil)
	if err != nil {
		panic(err)
	}
	m.Server.Inbound(metrics.ConnThrottled)

	h, err := prometheus.Handler(reg, prometheus.Config{})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", h)
	srv := httptest.NewServer(mux) // on 127.0.0.1; an embedder uses http.Server
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		panic(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(body), "\n") {
		if strings.HasPrefix(line, "devp2p_inbound_connections_total") && !strings.HasSuffix(line, " 0") {
			fmt.Println(line)
		}
	}
	// Output:
	// devp2p_inbound_connections_total{result="throttled"} 1
}
