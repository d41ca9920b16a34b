package discover

import (
	"net/netip"
	"sync"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/nodeid"
)

// LocalNode is our own node record. Setters change the record's entries;
// the next call to Node bumps the sequence number, re-signs the record and
// returns the new *Node. Entries set to their current value change nothing.
//
// The sequence number survives restarts when a DB is given: it is loaded
// at construction and stored on every bump. Without a DB (or for a key the
// DB has never seen) it starts from the current Unix time in milliseconds,
// so that a restarted node still publishes a higher seq than before.
//
// LocalNode is safe for concurrent use.
type LocalNode struct {
	// Immutable.
	key *secp256k1.PrivateKey
	id  nodeid.ID
	db  *DB

	mu     sync.Mutex
	static [2]bool    // [0] IPv4, [1] IPv6: the IP was set by SetStaticIP
	rec    enr.Record // signed iff cur is current
	cur    *Node      // the last signed node
	seq    uint64     // seq of cur
	err    error      // the last signing failure, reported by Err
	dirt   bool       // entries changed since cur was made
}

// NewLocalNode makes our record for priv. db may be nil. The record starts
// with the "id" and "secp256k1" entries only; set the endpoint with SetIP,
// SetUDP and SetTCP.
func NewLocalNode(priv *secp256k1.PrivateKey, db *DB) *LocalNode {
	ln := &LocalNode{key: priv, id: nodeid.FromPubkey(ethcrypto.PubkeyOf(priv)), db: db}
	seq := uint64(time.Now().UnixMilli())
	if db != nil {
		if stored := db.LocalSeq(ln.id); stored != 0 {
			// Content may differ from what we published last time: never
			// reuse a seq.
			seq = stored + 1
		}
	}
	if err := ln.sign(seq); err != nil {
		panic("discover: cannot sign a minimal record: " + err.Error()) // unreachable
	}
	return ln
}

// ID returns our node ID.
func (ln *LocalNode) ID() nodeid.ID { return ln.id }

// PrivateKey returns the key the record is signed with.
func (ln *LocalNode) PrivateKey() *secp256k1.PrivateKey { return ln.key }

// Node returns the current signed node, signing a new version first if
// entries changed since the last call.
//
// Should the changed record exceed enr.MaxSize (possible only when entries
// set with Set leave almost no room), the change is undone, Node returns
// the last valid version and Err reports the failure.
func (ln *LocalNode) Node() *Node {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if ln.dirt {
		if err := ln.sign(ln.seq + 1); err != nil {
			ln.err = err
			ln.rec, ln.dirt = *ln.cur.rec.Clone(), false
		}
	}
	return ln.cur
}

// Seq returns the sequence number of the current record, signing a new
// version first if entries changed.
func (ln *LocalNode) Seq() uint64 { return ln.Node().Seq() }

// Err returns the error of the last failed signing, or nil.
func (ln *LocalNode) Err() error {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	return ln.err
}

// SetIP sets the "ip" entry for an IPv4 address or "ip6" for an IPv6 one.
func (ln *LocalNode) SetIP(ip netip.Addr) { ln.edit(func(r *enr.Record) { r.SetIP(ip) }) }

// SetStaticIP sets the "ip" or "ip6" entry like SetIP and marks it as
// known for certain (configured, or reported by a NAT gateway): endpoint
// predictions from peers' statements no longer change that family's
// address or UDP port.
func (ln *LocalNode) SetStaticIP(ip netip.Addr) {
	ip = ip.Unmap()
	ln.edit(func(r *enr.Record) {
		ln.static[family(ip)] = true
		r.SetIP(ip)
	})
}

// SetPredicted sets the IP and UDP port of ep's family ("ip" and "udp",
// or "ip6" and "udp6") to what peers tell us, unless SetStaticIP fixed
// that family. It reports whether it changed anything.
func (ln *LocalNode) SetPredicted(ep netip.AddrPort) bool {
	ip := ep.Addr().Unmap()
	changed := false
	ln.edit(func(r *enr.Record) {
		if ln.static[family(ip)] {
			return
		}
		var oldIP netip.Addr
		var oldPort uint16
		if ip.Is4() {
			oldIP, _ = r.IP4()
			oldPort, _ = r.UDP()
			r.SetUDP(ep.Port())
		} else {
			oldIP, _ = r.IP6()
			oldPort, _ = r.UDP6()
			r.SetUDP6(ep.Port())
		}
		r.SetIP(ip)
		changed = oldIP != ip || oldPort != ep.Port()
	})
	return changed
}

func family(ip netip.Addr) int {
	if ip.Is4() {
		return 0
	}
	return 1
}

// SetUDP sets the discovery port ("udp").
func (ln *LocalNode) SetUDP(port uint16) { ln.edit(func(r *enr.Record) { r.SetUDP(port) }) }

// SetTCP sets the RLPx port ("tcp").
func (ln *LocalNode) SetTCP(port uint16) { ln.edit(func(r *enr.Record) { r.SetTCP(port) }) }

// SetUDP6 sets the "udp6" entry.
func (ln *LocalNode) SetUDP6(port uint16) { ln.edit(func(r *enr.Record) { r.SetUDP6(port) }) }

// SetTCP6 sets the "tcp6" entry.
func (ln *LocalNode) SetTCP6(port uint16) { ln.edit(func(r *enr.Record) { r.SetTCP6(port) }) }

// Set stores an arbitrary entry; value must be one RLP item (see
// enr.Record.Set). It returns enr.ErrTooBig, changing nothing, when the
// signed record would exceed enr.MaxSize. Setting "id" or "secp256k1" has
// no lasting effect: they are rewritten on signing.
func (ln *LocalNode) Set(key string, value []byte) error {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	trial := ln.rec.Clone()
	if err := trial.Set(key, value); err != nil {
		return err
	}
	if trial.Signed() {
		return nil // same value
	}
	trial.SetSeq(^uint64(0)) // the largest seq encoding
	if err := trial.SignV4(ln.key); err != nil {
		return err
	}
	ln.rec.Set(key, value)
	ln.dirt = true
	return nil
}

// Delete removes an entry.
func (ln *LocalNode) Delete(key string) {
	ln.edit(func(r *enr.Record) { r.Delete(key) })
}

// edit applies change; the record needs re-signing if it is no longer
// signed afterwards.
func (ln *LocalNode) edit(change func(r *enr.Record)) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	change(&ln.rec)
	if !ln.rec.Signed() {
		ln.dirt = true
	}
}

// sign signs the entries at seq and makes them current. Called with mu held
// (or before ln is shared).
func (ln *LocalNode) sign(seq uint64) error {
	r := ln.rec.Clone()
	r.SetSeq(seq)
	if err := r.SignV4(ln.key); err != nil {
		return err
	}
	n, err := NewNode(r)
	if err != nil {
		return err
	}
	ln.rec, ln.cur, ln.seq, ln.dirt, ln.err = *r, n, seq, false, nil
	if ln.db != nil {
		// Best effort: a failed store only risks reusing a seq after a
		// restart, which the time-based start makes unlikely.
		_ = ln.db.StoreLocalSeq(ln.id, seq)
	}
	return nil
}
