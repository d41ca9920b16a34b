package metrics_test

import (
	"os"

	"github.com/devp2p-go/devp2p/metrics"
)

// The text exposition a Prometheus server scrapes; metrics.Handler serves
// the same at /metrics.
func ExampleWriteText() {
	reg := metrics.NewRegistry()
	d, err := metrics.NewDNS(reg)
	if err != nil {
		panic(err)
	}
	d.TreeSynced(nil)
	metrics.WriteText(os.Stdout, reg.Snapshot())
	// Output:
	// # HELP devp2p_dns_tree_syncs_total EIP-1459 DNS tree syncs, by result.
	// # TYPE devp2p_dns_tree_syncs_total counter
	// devp2p_dns_tree_syncs_total{result="ok"} 1
	// devp2p_dns_tree_syncs_total{result="error"} 0
}
