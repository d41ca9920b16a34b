// Package dial schedules the outbound connections of a devp2p node.
//
// A [Scheduler] keeps a node connected to its static nodes and fills the
// remaining outbound slots with nodes found by discovery. It decides who to
// dial and when; it does not speak any protocol itself. Each dial hands the
// fresh connection to a [SetupFunc] supplied by the embedder (the server),
// which runs the RLPx and Hello handshakes and admits the peer.
//
// # Candidates
//
//   - Static nodes, added and removed at runtime with [Scheduler.AddStatic] and
//     [Scheduler.RemoveStatic]. A static node is dialled whenever it is not
//     connected, forever: after a failed dial, or after it disconnects, it is
//     redialled following a bounded exponential backoff (see
//     [Config.StaticBackoffMin]). A static node whose dial failed is looked up
//     again through the [Resolver] before the next attempt, so a node that moved
//     to a new address is found there.
//   - Discovered ("dynamic") nodes, read from a [NodeIterator] such as the
//     random-node iterator of package discover.
//
// # Limits
//
//   - At most [Config.MaxActiveDials] dials are in flight at once.
//   - Dynamic dials are started only while dynamic outbound peers plus dynamic
//     dials in flight stay below [Config.MaxDialedConns].
//   - A dynamic candidate dialled within the last [Config.HistoryExpiry]
//     (30 s) is not dialled again. Static nodes follow their backoff instead.
//   - The scheduler never dials its own ID, a connected peer, a node whose
//     inbound handshake is in progress, a node without a TCP endpoint, or an
//     address outside [Config.NetRestrict].
//
// # Concurrency
//
// One goroutine, the loop, owns all scheduling state. The server reports what
// happens to connections through [Scheduler.PeerAdded],
// [Scheduler.PeerRemoved], [Scheduler.InboundPending] and
// [Scheduler.InboundDone]; these and the static-node methods hand a message to
// the loop and return. Discovered nodes are read by a second goroutine that
// blocks while no dynamic slot is free, so the iterator is never drained
// faster than it can be used. Every dial runs in its own goroutine.
// [Scheduler.Stop] cancels the dials, closes the iterator and waits for all of
// these goroutines.
//
// Time comes from [Config.Clock], so tests drive the scheduler on a simulated
// clock without sleeping.
package dial
