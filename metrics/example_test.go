package metrics_test

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/devp2p-go/devp2p/metrics"
)

// A node's metrics: the owner creates the registry and the node's families,
// hands each part to the layer that updates it, and reads a snapshot.
func ExampleNewNode() {
	reg := metrics.NewRegistry()
	m, err := metrics.NewNode(reg, []metrics.Protocol{{Name: "eth", Version: 68, Length: 17}})
	if err != nil {
		panic(err)
	}

	// What the layers do as things happen.
	m.Server.Inbound(metrics.ConnThrottled)
	m.Server.Disconnect(0x04, true) // the remote said "too many peers"
	m.Dial.Done(metrics.DialStatic, metrics.ConnOK)
	eth := m.Traffic.Protocol("eth", 68) // once per peer
	eth.Received(0x10, 1000, 420)        // per message: code, decoded size, wire size
	eth.Received(0x99, 10, 10)           // a code beyond Length counts as "other"
	m.Discovery.PacketIn(metrics.DiscV4, 1)
	m.Discovery.LookupDone(metrics.DiscV4, 1500*time.Millisecond)

	s := reg.Snapshot()
	for _, q := range []struct {
		name   string
		labels []string
	}{
		{metrics.NameInbound, []string{"throttled"}},
		{metrics.NameDisconnects, []string{"too_many_peers", "remote"}},
		{metrics.NameDials, []string{"static", "ok"}},
		{metrics.NameMessageBytes, []string{"in", "eth", "68", "0x10"}},
		{metrics.NameMessageWireBytes, []string{"in", "eth", "68", "0x10"}},
		{metrics.NameMessages, []string{"in", "eth", "68", "other"}},
		{metrics.NameDiscoverPackets, []string{"in", "v4", "ping"}},
	} {
		v, _ := s.Value(q.name, q.labels...)
		fmt.Println(q.name, q.labels, v)
	}
	f, _ := s.Family(metrics.NameDiscoverLookupDuration)
	sm, _ := f.Sample("v4")
	fmt.Println(f.Name, "count", sm.Histogram.Count, "sum", sm.Histogram.Sum)
	// Output:
	// devp2p_inbound_connections_total [throttled] 1
	// devp2p_disconnects_total [too_many_peers remote] 1
	// devp2p_dials_total [static ok] 1
	// devp2p_message_bytes_total [in eth 68 0x10] 1000
	// devp2p_message_wire_bytes_total [in eth 68 0x10] 420
	// devp2p_messages_total [in eth 68 other] 1
	// devp2p_discover_packets_total [in v4 ping] 1
	// devp2p_discover_lookup_duration_seconds count 1 sum 1.5
}

// Any code can register its own families in the registry it is given, and a
// snapshot marshals to JSON as is.
func ExampleRegistry() {
	reg := metrics.NewRegistry()
	requests, err := reg.NewCounterVec("myapp_requests_total", "Requests served, by kind.",
		[]string{"kind"}, metrics.Series([]string{"headers", "bodies"}))
	if err != nil {
		panic(err)
	}
	requests.At(1).Add(3) // "bodies"

	b, _ := json.MarshalIndent(reg.Snapshot(), "", "  ")
	fmt.Println(string(b))
	// Output:
	// {
	//   "families": [
	//     {
	//       "name": "myapp_requests_total",
	//       "help": "Requests served, by kind.",
	//       "type": "counter",
	//       "labels": [
	//         "kind"
	//       ],
	//       "samples": [
	//         {
	//           "label_values": [
	//             "headers"
	//           ],
	//           "value": 0
	//         },
	//         {
	//           "label_values": [
	//             "bodies"
	//           ],
	//           "value": 3
	//         }
	//       ]
	//     }
	//   ]
	// }
}
