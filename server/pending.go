package server

import (
	"context"
	"net/netip"
	"slices"
	"sync"
)

// pendingCaps are the limits on inbound connections in their handshakes:
// in total, and per source address and per subnet (see subnetOf), with
// separate, more generous values for LAN and loopback sources.
type pendingCaps struct {
	total            int
	perIP, perSubnet int // public addresses
	lanIP, lanSubnet int // netutil.IsLAN addresses
}

// pendingConn is an inbound connection between accept and the
// post-handshake checkpoint: once it has passed it, it holds a slot in the
// peer set (reserved by peerSet.reserve), which bounds it from then on; if
// refused there, it keeps its pending slot until the refusal has been sent.
type pendingConn struct {
	// Immutable.
	ip     netip.Addr
	subnet netip.Prefix
	authed func() bool // whether the remote has sent its complete auth
	evict  func()      // closes the connection, failing its handshake

	evicted  bool // protected by pendingSet.mu
	released bool // protected by pendingSet.mu
}

// admitResult is the pending set's decision on a new connection.
type admitResult int

const (
	pendingAdmitted     admitResult = iota
	pendingIPFull                   // its address holds its share, none of it evictable for it
	pendingSubnetFull               // its subnet holds its share, none of it evictable for it
	pendingFull                     // every slot is taken, none evictable for it
	pendingTooManyEvict             // too many evicted connections still closing
)

func (r admitResult) String() string {
	switch r {
	case pendingAdmitted:
		return "admitted"
	case pendingIPFull:
		return "too many pending handshakes from this address"
	case pendingSubnetFull:
		return "too many pending handshakes from this subnet"
	case pendingFull:
		return "every pending handshake slot taken"
	case pendingTooManyEvict:
		return "too many evicted handshakes still closing"
	}
	return "unknown"
}

// pendingSet holds the inbound connections in their handshakes and decides
// which new ones get a slot. There are three caps: per address, per subnet
// and in total. When a new connection would exceed one, it may take the
// slot of a connection that has not yet sent its complete auth
// (rlpx.Conn.AuthReceived), which is then closed; otherwise it is refused.
// The candidate comes from the narrowest scope that is full (the address,
// else the subnet, else the whole set), and within it from the subnet
// holding the most slots, then the address holding the most; it is the
// oldest of those. It gives way only to a newcomer from its own address or
// from a less busy source (yields): a newcomer never takes the slot of a
// source that holds no more slots than its own.
//
// An honest initiator sends its auth at once, so eviction only ever hits a
// connection that is silent or trickling; and it hits the sources holding
// the most slots first, so a client that has just connected from an
// address of its own is not pushed out by a stream of stalled connections
// from addresses that hold many slots, however fast they reconnect, while
// such a stream is mostly refused, which costs us no goroutine.
//
// The accept loop calls admit, which never waits: each connection is
// admitted, admitted in place of another, or refused at once. Evicted
// connections leave the set at once; their goroutines, which exit as soon
// as they run (their read has failed), are counted until they call
// release. While the total cap of them are still exiting, admit makes no
// further eviction, and the accept loop waits (waitEvictions) before it
// accepts again: so there are at most twice the total cap of setup
// goroutines before the post-handshake checkpoint (after it, the peer set
// bounds them), and under a flood of connections the loop accepts no
// faster than evicted goroutines end.
//
// Concurrency: all methods are safe for concurrent use; mu guards the
// fields below it.
type pendingSet struct {
	// Immutable.
	caps  pendingCaps
	isLAN func(netip.Addr) bool

	mu       sync.Mutex
	conns    []*pendingConn // in admission order, oldest first
	byIP     map[netip.Addr]int
	bySubnet map[netip.Prefix]int
	evicting int           // evicted, but not yet released
	drained  chan struct{} // if not nil, closed once evicting is below the total cap
}

func newPendingSet(caps pendingCaps, isLAN func(netip.Addr) bool) *pendingSet {
	return &pendingSet{
		caps:     caps,
		isLAN:    isLAN,
		byIP:     make(map[netip.Addr]int),
		bySubnet: make(map[netip.Prefix]int),
	}
}

// admit decides on pc. If it is admitted in place of another connection,
// that one is returned as victim, already out of the set; the caller must
// call victim.evict. Every admitted connection must be released once it
// has reserved a peer slot or its setup has ended.
func (ps *pendingSet) admit(pc *pendingConn) (victim *pendingConn, res admitResult) {
	perIP, perSubnet := ps.caps.perIP, ps.caps.perSubnet
	if ps.isLAN(pc.ip) {
		perIP, perSubnet = ps.caps.lanIP, ps.caps.lanSubnet
	}

	ps.mu.Lock()
	defer ps.mu.Unlock()
	// The narrowest full scope decides: a victim from it frees a slot in
	// every wider one too.
	res = pendingAdmitted
	switch {
	case ps.byIP[pc.ip] >= perIP:
		victim, res = ps.victim(func(c *pendingConn) bool { return c.ip == pc.ip }), pendingIPFull
	case ps.bySubnet[pc.subnet] >= perSubnet:
		victim, res = ps.victim(func(c *pendingConn) bool { return c.subnet == pc.subnet }), pendingSubnetFull
	case len(ps.conns) >= ps.caps.total:
		victim, res = ps.victim(nil), pendingFull
	}
	if res != pendingAdmitted {
		if victim == nil || !ps.yields(victim, pc) {
			return nil, res
		}
		if ps.evicting >= ps.caps.total {
			return nil, pendingTooManyEvict
		}
		ps.remove(victim)
		victim.evicted = true
		ps.evicting++
	}
	ps.conns = append(ps.conns, pc)
	ps.byIP[pc.ip]++
	ps.bySubnet[pc.subnet]++
	return victim, pendingAdmitted
}

// yields reports whether the pending connection v gives its slot to the
// newcomer pc: when v comes from the same address (a stalled connection
// makes way for a newer one), or from a busier source, one whose subnet
// holds more slots than pc's, or as many with an address holding more. A
// newcomer from a source at least as busy as any evictable one is refused
// instead: it would only take a slot from a source that holds no more.
// Caller holds mu.
func (ps *pendingSet) yields(v, pc *pendingConn) bool {
	if v.ip == pc.ip {
		return true
	}
	vs, ns := ps.bySubnet[v.subnet], ps.bySubnet[pc.subnet]
	return vs > ns || vs == ns && ps.byIP[v.ip] > ps.byIP[pc.ip]
}

// victim picks the connection to evict: among those that match (all if
// match is nil) and have not sent their auth, one from the subnet holding
// the most slots, then from the address holding the most, then the
// oldest. It returns nil if there is none. Caller holds mu.
func (ps *pendingSet) victim(match func(*pendingConn) bool) *pendingConn {
	var (
		best                 *pendingConn
		bestSubnet, bestAddr int
	)
	for _, pc := range ps.conns { // oldest first: a later one must be strictly ahead
		if match != nil && !match(pc) {
			continue
		}
		ns, na := ps.bySubnet[pc.subnet], ps.byIP[pc.ip]
		if best != nil && (ns < bestSubnet || ns == bestSubnet && na <= bestAddr) {
			continue
		}
		if pc.authed() {
			continue
		}
		best, bestSubnet, bestAddr = pc, ns, na
	}
	return best
}

// release ends pc's stay in the set, whether it was evicted or not. Calls
// after the first have no effect.
func (ps *pendingSet) release(pc *pendingConn) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if pc.released {
		return
	}
	pc.released = true
	if pc.evicted {
		ps.evicting--
		if ps.drained != nil && ps.evicting < ps.caps.total {
			close(ps.drained)
			ps.drained = nil
		}
		return
	}
	ps.remove(pc)
}

// remove takes pc out of conns and the counters. Caller holds mu.
func (ps *pendingSet) remove(pc *pendingConn) {
	i := slices.Index(ps.conns, pc)
	if i < 0 {
		return
	}
	ps.conns = slices.Delete(ps.conns, i, i+1)
	if ps.byIP[pc.ip]--; ps.byIP[pc.ip] == 0 {
		delete(ps.byIP, pc.ip)
	}
	if ps.bySubnet[pc.subnet]--; ps.bySubnet[pc.subnet] == 0 {
		delete(ps.bySubnet, pc.subnet)
	}
}

// waitEvictions returns once fewer than the total cap of evicted
// connections are still closing, or with ctx's error once ctx is done. The
// wait depends on our own goroutines only: an evicted connection is closed,
// so its goroutine's read has already failed.
func (ps *pendingSet) waitEvictions(ctx context.Context) error {
	ps.mu.Lock()
	if ps.evicting < ps.caps.total {
		ps.mu.Unlock()
		return nil
	}
	if ps.drained == nil {
		ps.drained = make(chan struct{})
	}
	ch := ps.drained
	ps.mu.Unlock()
	select {
	case <-ch:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// counts returns the number of pending connections and of evicted ones
// still closing.
func (ps *pendingSet) counts() (pending, evicting int) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	return len(ps.conns), ps.evicting
}

// loopbackNet is the subnet every loopback address is counted in: they
// all reach this host, so 127.0.0.2 and 127.0.1.2 (and ::1) are one source.
var loopbackNet = netip.MustParsePrefix("127.0.0.0/8")

// subnetOf returns the network ip is counted in for the per-subnet caps:
// its /24 for IPv4, its /64 for IPv6 (the smallest block a site is
// assigned, RFC 6177), loopbackNet for every loopback address. The zero
// Addr (no IP known) gives the zero Prefix, one group of its own.
func subnetOf(ip netip.Addr) netip.Prefix {
	ip = ip.Unmap()
	switch {
	case !ip.IsValid():
		return netip.Prefix{}
	case ip.IsLoopback():
		return loopbackNet
	case ip.Is4():
		p, _ := ip.Prefix(24)
		return p
	default:
		p, _ := ip.Prefix(64)
		return p
	}
}
