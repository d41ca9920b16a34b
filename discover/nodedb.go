package discover

// The node database remembers the nodes discovery has seen so that a
// restarted node can bootstrap from them, and the per-endpoint facts the
// transport needs across restarts (bonds, findnode failures).
//
// # Schema (version 1)
//
// Both backends (a map in memory, a bbolt file on disk) hold the same bytes
// in four buckets. All integers are big-endian; times are Unix milliseconds
// as int64, with 0 meaning "never".
//
//	bucket "meta"
//	  "version"            → 1 byte, the schema version (1). On a mismatch the
//	                         other buckets are emptied.
//	bucket "nodes"         key: node ID (32 bytes)
//	  lastSeen(8) ‖ form(1) ‖ payload
//	    form 1: payload is the node's signed ENR (RLP, ≤ 300 bytes)
//	    form 2: payload is pubkey(64, X‖Y) ‖ tcp(2) ‖ udp(2) ‖ ip(0, 4 or 16)
//	bucket "endpoints"     key: node ID (32) ‖ IP (16; IPv4 in IPv4-mapped form)
//	  lastPingReceived(8) ‖ lastPongReceived(8) ‖ findnodeFailures(4)
//	bucket "local"         key: node ID (32) of one of our own keys
//	  seq(8): the last sequence number we signed a record with
//
// Every value is validated when read. A value of the wrong length, a record
// or key that does not verify, an ID that does not match its key or an IP
// of the wrong size is treated as absent, never trusted and never a panic
// (go-ethereum once panicked on an invalid stored IP, #21981).

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/nodeid"
)

// NodeExpiration is how long a node stays in the database without being
// seen; Expire removes older ones.
const NodeExpiration = 24 * time.Hour

const (
	dbVersion = 1

	bucketMeta      = "meta"
	bucketNodes     = "nodes"
	bucketEndpoints = "endpoints"
	bucketLocal     = "local"

	formENR = 1
	formV4  = 2

	nodeHeaderSize = 8 + 1
	endpointSize   = 8 + 8 + 4
)

var keyVersion = []byte("version")

// ErrInvalidIP is returned when an endpoint fact is stored for an invalid IP.
var ErrInvalidIP = errors.New("discover: invalid IP address")

// DB is the node database. It is safe for concurrent use. It never reads
// the clock: every timestamp is passed in by the caller, and it starts no
// goroutines.
type DB struct {
	kv kvStore

	closeOnce sync.Once
	closeErr  error
}

// OpenDB opens the node database. An empty path gives a fresh in-memory
// database. Otherwise path names a bbolt file, created if missing; when
// path is an existing directory the file is "nodes.db" inside it. A file
// that is not a valid database is renamed to "<file>.corrupt" and replaced
// by an empty one. OpenDB waits at most a second for another process to
// release the file.
func OpenDB(path string) (*DB, error) {
	var kv kvStore
	if path == "" {
		kv = newMemStore()
	} else {
		s, err := openBoltStore(path)
		if err != nil {
			return nil, err
		}
		kv = s
	}
	db := &DB{kv: kv}
	if err := db.checkVersion(); err != nil {
		kv.close()
		return nil, err
	}
	return db, nil
}

// checkVersion empties a database written with another schema version.
func (db *DB) checkVersion() error {
	v := db.kv.get(bucketMeta, keyVersion)
	if len(v) == 1 && v[0] == dbVersion {
		return nil
	}
	all := func(k, v []byte) bool { return true }
	for _, b := range []string{bucketNodes, bucketEndpoints, bucketLocal} {
		if err := db.kv.deleteIf(b, nil, all); err != nil {
			return fmt.Errorf("discover: reset node database: %w", err)
		}
	}
	return db.kv.put(bucketMeta, keyVersion, []byte{dbVersion})
}

// Close closes the database. It is idempotent; later calls return the
// first call's result.
func (db *DB) Close() error {
	db.closeOnce.Do(func() { db.closeErr = db.kv.close() })
	return db.closeErr
}

// ----- nodes -----

// UpdateNode stores n (its record when it has one, its enode form
// otherwise). A non-zero seen also sets the node's last-seen time; a zero
// seen keeps the stored one.
func (db *DB) UpdateNode(n *Node, seen time.Time) error {
	payload, form, err := encodeNode(n)
	if err != nil {
		return err
	}
	id := n.ID()
	return db.kv.update(bucketNodes, id[:], func(old []byte) []byte {
		v := make([]byte, nodeHeaderSize, nodeHeaderSize+len(payload))
		if seen.IsZero() && len(old) >= 8 {
			copy(v, old[:8])
		} else {
			putTime(v, seen)
		}
		v[8] = form
		return append(v, payload...)
	})
}

// UpdateLastSeen sets the last-seen time of a stored node. It does nothing
// for a node that is not stored.
func (db *DB) UpdateLastSeen(id nodeid.ID, seen time.Time) error {
	return db.kv.update(bucketNodes, id[:], func(old []byte) []byte {
		if len(old) < nodeHeaderSize {
			return old // absent (nil: stays absent) or invalid: untouched
		}
		putTime(old, seen)
		return old
	})
}

// Node returns the stored node with the given ID, or nil when there is none
// or its stored form is invalid.
func (db *DB) Node(id nodeid.ID) *Node {
	v := db.kv.get(bucketNodes, id[:])
	n, _, err := decodeNodeValue(id, v)
	if err != nil {
		return nil
	}
	return n
}

// LastSeen returns when the node was last seen, or the zero time.
func (db *DB) LastSeen(id nodeid.ID) time.Time {
	v := db.kv.get(bucketNodes, id[:])
	if len(v) < nodeHeaderSize {
		return time.Time{}
	}
	return getTime(v)
}

// DeleteNode removes the node and all its endpoint facts.
func (db *DB) DeleteNode(id nodeid.ID) error {
	if err := db.kv.update(bucketNodes, id[:], func([]byte) []byte { return nil }); err != nil {
		return err
	}
	return db.kv.deleteIf(bucketEndpoints, id[:], func(k, v []byte) bool { return true })
}

// QuerySeeds returns up to n distinct nodes, chosen at random among those
// seen within maxAge before now. Invalid entries are skipped.
func (db *DB) QuerySeeds(n int, maxAge time.Duration, now time.Time) []*Node {
	if n <= 0 {
		return nil
	}
	cutoff := now.Add(-maxAge)
	// Reservoir-sample the raw entries first; only the chosen ones pay for
	// record verification. Sample more than n to make up for invalid ones.
	want := 2 * n
	type entry struct{ k, v []byte }
	var (
		sample []entry
		seen   int
	)
	db.kv.forEach(bucketNodes, nil, func(k, v []byte) bool {
		if len(k) != len(nodeid.ID{}) || len(v) < nodeHeaderSize || getTime(v).Before(cutoff) {
			return true
		}
		seen++
		if len(sample) < want {
			sample = append(sample, entry{k, v})
		} else if j := rand.IntN(seen); j < want {
			sample[j] = entry{k, v}
		}
		return true
	})
	rand.Shuffle(len(sample), func(i, j int) { sample[i], sample[j] = sample[j], sample[i] })

	nodes := make([]*Node, 0, min(n, len(sample)))
	for _, e := range sample {
		if len(nodes) == n {
			break
		}
		if node, _, err := decodeNodeValue(nodeid.ID(e.k), e.v); err == nil {
			nodes = append(nodes, node)
		}
	}
	return nodes
}

// Expire removes nodes not seen within NodeExpiration before now, with their
// endpoint facts, and endpoint facts of nodes never stored whose last ping
// and pong are that old. Invalid entries are removed too.
// The caller (the table's goroutine) calls it periodically.
func (db *DB) Expire(now time.Time) error {
	cutoff := now.Add(-NodeExpiration)
	expired := make(map[nodeid.ID]bool)
	err := db.kv.deleteIf(bucketNodes, nil, func(k, v []byte) bool {
		switch {
		case len(k) != len(nodeid.ID{}):
			return true
		case len(v) < nodeHeaderSize || getTime(v).Before(cutoff):
			expired[nodeid.ID(k)] = true
			return true
		default:
			return false
		}
	})
	if err != nil {
		return err
	}
	// Endpoint facts go with their node; those of nodes never stored live
	// 24 h from their last ping or pong.
	known := make(map[nodeid.ID]bool)
	db.kv.forEach(bucketNodes, nil, func(k, v []byte) bool {
		if len(k) == len(nodeid.ID{}) {
			known[nodeid.ID(k)] = true
		}
		return true
	})
	return db.kv.deleteIf(bucketEndpoints, nil, func(k, v []byte) bool {
		if len(k) != len(nodeid.ID{})+16 || len(v) != endpointSize {
			return true
		}
		id := nodeid.ID(k[:32])
		switch {
		case expired[id]:
			return true
		case known[id]:
			return false
		default:
			return getTime(v[0:]).Before(cutoff) && getTime(v[8:]).Before(cutoff)
		}
	})
}

// ----- endpoint facts -----

// LastPingReceived returns when we last received a ping from the node at
// ip, or the zero time.
func (db *DB) LastPingReceived(id nodeid.ID, ip netip.Addr) time.Time {
	v := db.endpoint(id, ip)
	if v == nil {
		return time.Time{}
	}
	return getTime(v[0:])
}

// UpdateLastPingReceived records a ping from the node at ip.
func (db *DB) UpdateLastPingReceived(id nodeid.ID, ip netip.Addr, t time.Time) error {
	return db.updateEndpoint(id, ip, func(v []byte) { putTime(v[0:], t) })
}

// LastPongReceived returns when we last received a pong from the node at
// ip, that is when the endpoint proof (bond) was last renewed, or the zero
// time.
func (db *DB) LastPongReceived(id nodeid.ID, ip netip.Addr) time.Time {
	v := db.endpoint(id, ip)
	if v == nil {
		return time.Time{}
	}
	return getTime(v[8:])
}

// UpdateLastPongReceived records a valid pong from the node at ip.
func (db *DB) UpdateLastPongReceived(id nodeid.ID, ip netip.Addr, t time.Time) error {
	return db.updateEndpoint(id, ip, func(v []byte) { putTime(v[8:], t) })
}

// FindFails returns the number of consecutive findnode failures recorded
// for the node at ip.
func (db *DB) FindFails(id nodeid.ID, ip netip.Addr) int {
	v := db.endpoint(id, ip)
	if v == nil {
		return 0
	}
	return int(binary.BigEndian.Uint32(v[16:]))
}

// UpdateFindFails stores the findnode failure count for the node at ip.
// Negative counts are stored as 0.
func (db *DB) UpdateFindFails(id nodeid.ID, ip netip.Addr, fails int) error {
	fails = max(0, min(fails, 1<<31-1))
	return db.updateEndpoint(id, ip, func(v []byte) { binary.BigEndian.PutUint32(v[16:], uint32(fails)) })
}

func endpointKey(id nodeid.ID, ip netip.Addr) ([]byte, bool) {
	ip = ip.Unmap()
	if !ip.IsValid() {
		return nil, false
	}
	a := ip.As16()
	return append(id[:len(id):len(id)], a[:]...), true
}

// endpoint returns the stored value, or nil when absent or invalid.
func (db *DB) endpoint(id nodeid.ID, ip netip.Addr) []byte {
	key, ok := endpointKey(id, ip)
	if !ok {
		return nil
	}
	v := db.kv.get(bucketEndpoints, key)
	if len(v) != endpointSize {
		return nil
	}
	return v
}

func (db *DB) updateEndpoint(id nodeid.ID, ip netip.Addr, edit func(v []byte)) error {
	key, ok := endpointKey(id, ip)
	if !ok {
		return fmt.Errorf("%w: %v", ErrInvalidIP, ip)
	}
	return db.kv.update(bucketEndpoints, key, func(old []byte) []byte {
		if len(old) != endpointSize {
			old = make([]byte, endpointSize) // absent or invalid: start over
		}
		edit(old)
		return old
	})
}

// ----- our own records -----

// LocalSeq returns the last sequence number stored for our record with the
// given ID, or 0.
func (db *DB) LocalSeq(id nodeid.ID) uint64 {
	v := db.kv.get(bucketLocal, id[:])
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

// StoreLocalSeq stores the sequence number of our record with the given ID.
func (db *DB) StoreLocalSeq(id nodeid.ID, seq uint64) error {
	return db.kv.put(bucketLocal, id[:], binary.BigEndian.AppendUint64(nil, seq))
}

// ----- value encoding -----

func putTime(b []byte, t time.Time) {
	var ms int64
	if !t.IsZero() {
		ms = t.UnixMilli()
	}
	binary.BigEndian.PutUint64(b, uint64(ms))
}

func getTime(b []byte) time.Time {
	ms := int64(binary.BigEndian.Uint64(b))
	if ms == 0 {
		return time.Time{}
	}
	return time.UnixMilli(ms)
}

func encodeNode(n *Node) (payload []byte, form byte, err error) {
	if n.rec != nil {
		payload, err = n.rec.AppendRLP(nil)
		return payload, formENR, err
	}
	key := n.PubkeyBytes()
	payload = make([]byte, 0, 64+4+16)
	payload = append(payload, key[:]...)
	payload = binary.BigEndian.AppendUint16(payload, n.tcp)
	payload = binary.BigEndian.AppendUint16(payload, n.udp)
	if n.ip.IsValid() {
		payload = append(payload, n.ip.AsSlice()...)
	}
	return payload, formV4, nil
}

var errBadValue = errors.New("discover: invalid stored node")

// decodeNodeValue decodes a "nodes" value and checks it against its key.
func decodeNodeValue(id nodeid.ID, v []byte) (*Node, time.Time, error) {
	if len(v) < nodeHeaderSize {
		return nil, time.Time{}, errBadValue
	}
	seen, form, payload := getTime(v), v[8], v[nodeHeaderSize:]
	var (
		n   *Node
		err error
	)
	switch form {
	case formENR:
		var rec *enr.Record
		if rec, err = enr.Decode(payload); err == nil {
			n, err = NewNode(rec)
		}
	case formV4:
		n, err = decodeV4Payload(payload)
	default:
		err = errBadValue
	}
	if err != nil {
		return nil, time.Time{}, err
	}
	if n.ID() != id {
		return nil, time.Time{}, errBadValue
	}
	return n, seen, nil
}

func decodeV4Payload(p []byte) (*Node, error) {
	if len(p) < 68 {
		return nil, errBadValue
	}
	pub, err := ethcrypto.UnmarshalPubkey(p[:64])
	if err != nil {
		return nil, err
	}
	tcp := binary.BigEndian.Uint16(p[64:])
	udp := binary.BigEndian.Uint16(p[66:])
	var ip netip.Addr
	switch raw := p[68:]; len(raw) {
	case 0:
	case 4:
		ip = netip.AddrFrom4([4]byte(raw))
	case 16:
		ip = netip.AddrFrom16([16]byte(raw))
	default:
		return nil, errBadValue
	}
	return NewV4(pub, ip, tcp, udp), nil
}
