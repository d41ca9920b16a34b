// Package discover finds devp2p peers with the discv4 and discv5
// protocols: node identities and records, the UDP transports, the Kademlia
// table, lookups and the node database.
//
// Specs: devp2p discv4.md (https://github.com/ethereum/devp2p/blob/master/discv4.md),
// discv5/discv5-wire.md and discv5-theory.md, enr.md / EIP-778 (node
// records), EIP-8 (forward compatibility) and EIP-868 (ENR requests).
//
// # Usage map
//
//   - Identities: nodes are named by nodeid.ID (distances are
//     nodeid.LogDist and nodeid.DistCmp); Node (NewNode, NewV4, ParseNode);
//     LocalNode for our own signed record; records themselves live in
//     package discover/enr and packets in discover/v4wire.
//   - Transport: Listen(conn, key, Config) returns a *UDPv4. Ping, FindNode and
//     RequestENR talk to one node; Lookup walks the network toward a target;
//     Resolve refreshes a node's record; RandomNodes yields nodes for a
//     dialer; Close stops everything.
//   - discv5: ListenV5(conn, key, Config) returns a standalone *UDPv5;
//     Config.V5.Enable makes Listen run discv5 on the discv4 socket too
//     (UDPv4.V5), sharing the table, database and record. Ping, FindNode
//     (by distances), RequestENR, TalkRequest and RegisterTalkHandler talk
//     to one node; Lookup, RandomNodes and Resolve work as for discv4.
//     Packets live in discover/v5wire.
//   - Iterators: Iterator, ReadNodes, FilterIter, SliceIter, FairMix.
//   - Storage: OpenDB opens the node database (in memory for "").
//
// # Endpoint proof
//
// A node answers FindNode and ENRRequest only from a sender that has
// answered its ping from the same IP within Config.BondExpiration (12 h):
// this stops the protocol from being used to amplify traffic toward spoofed
// addresses. Before asking another node, UDPv4 pings it first when that
// node may not hold such a proof for us.
//
// # Goroutines and limits
//
// A UDPv4 runs three goroutines: the read loop (decodes and answers
// packets), the reply loop (owns the requests waiting for replies and their
// timeouts) and the table loop (owns the buckets, and starts at most one
// revalidation and one refresh goroutine at a time). Lookups run on the
// caller's goroutine plus at most three query goroutines that they join.
// Close stops and joins all of them.
//
// A UDPv5 runs a read loop, a dispatch loop (owns the sessions, the
// handshake challenges and the calls in flight, one active per node) and
// at most V5Config.MaxTalkWorkers TALKREQ handlers; standalone, it also
// has its own table loop.
//
// Packets over 1280 bytes are dropped unread; at most
// Config.MaxPendingReplies requests wait for replies; a Neighbors reply
// counts at most 16 nodes per request; buckets hold 16 entries and 10
// replacements with at most 2 per /24 (IPv4) or /56 (IPv6) per bucket and
// 10 per table, loopback and LAN addresses exempt.
package discover
