// Package metrics counts what a devp2p node does: counters, gauges and
// histograms with fixed label sets, read as a plain Snapshot.
//
// There is no global state. A Registry belongs to whoever creates it — a
// server owns one for its node — and every metric is registered in it
// explicitly. Families with labels declare every label value set up front,
// so the number of series is fixed at registration and nothing read from the
// network can add one: message codes are sized from each protocol's Length,
// discovery packet types and disconnect reasons from the specs, and any
// value outside the declared set counts as "other".
//
// Updates are atomic operations on preallocated values: safe for concurrent
// use, free of allocation and locks, and no-ops on a nil metric, so a layer
// that was given no metrics calls the same methods.
//
// # The node's metrics
//
// NewNode registers the families of a devp2p node (see the Name* constants
// for the full list) and returns them grouped by the layer that updates
// them: Server, Dial, Traffic, Discovery, DNS and NAT. Names follow the
// Prometheus conventions (https://prometheus.io/docs/practices/naming/):
// devp2p_ prefix, _total counters, seconds and bytes.
//
// # Reading
//
// Registry.Snapshot returns every family with its help text, type, label
// names and samples, ready for encoding/json. The nested module
// github.com/devp2p-go/devp2p/prometheus exports a Registry to Prometheus
// without adding a dependency to this module.
package metrics
