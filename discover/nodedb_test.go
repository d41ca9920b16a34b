package discover

import (
	"encoding/binary"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/stretchr/testify/require"
)

var t0 = clock.SimulatedEpoch

// forEachBackend runs f against an in-memory and an on-disk database.
func forEachBackend(t *testing.T, f func(t *testing.T, db *DB)) {
	for _, name := range []string{"memory", "bbolt"} {
		t.Run(name, func(t *testing.T) {
			path := ""
			if name == "bbolt" {
				path = filepath.Join(t.TempDir(), "nodes.db")
			}
			db, err := OpenDB(path)
			require.NoError(t, err)
			defer db.Close()
			f(t, db)
		})
	}
}

func recordNode(t testing.TB, seed byte, ip string, udp uint16) *Node {
	var r enr.Record
	r.SetSeq(uint64(seed))
	r.SetIP(netip.MustParseAddr(ip))
	r.SetUDP(udp)
	require.NoError(t, r.SignV4(testKey(t, seed)))
	n, err := NewNode(&r)
	require.NoError(t, err)
	return n
}

func v4Node(t testing.TB, seed byte, ip string, udp uint16) *Node {
	var addr netip.Addr
	if ip != "" {
		addr = netip.MustParseAddr(ip)
	}
	return NewV4(testKey(t, seed).PubKey(), addr, udp+1, udp)
}

func sameNode(t *testing.T, want, got *Node) {
	t.Helper()
	if got == nil {
		t.Fatalf("node %v missing", want.ID())
	}
	require.Equal(t, want.ID(), got.ID())
	require.Equal(t, want.String(), got.String())
	require.Equal(t, want.UDPAddr(), got.UDPAddr())
	require.Equal(t, want.TCPAddr(), got.TCPAddr())
	require.Equal(t, want.Seq(), got.Seq())
}

func TestDBNodes(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *DB) {
		nodes := []*Node{
			recordNode(t, 1, "10.0.0.1", 30303),
			v4Node(t, 2, "10.0.0.2", 30303),
			v4Node(t, 3, "2001:db8::3", 9),
			v4Node(t, 4, "", 0), // incomplete
		}
		for i, n := range nodes {
			require.Nil(t, db.Node(n.ID()))
			require.NoError(t, db.UpdateNode(n, t0.Add(time.Duration(i)*time.Minute)))
		}
		for i, n := range nodes {
			sameNode(t, n, db.Node(n.ID()))
			require.True(t, db.LastSeen(n.ID()).Equal(t0.Add(time.Duration(i)*time.Minute)))
		}

		// A zero seen keeps the stored time; a newer record replaces the old.
		newer := recordNode(t, 1, "10.0.0.9", 1)
		require.NoError(t, db.UpdateNode(newer, time.Time{}))
		sameNode(t, newer, db.Node(newer.ID()))
		require.True(t, db.LastSeen(newer.ID()).Equal(t0))

		require.NoError(t, db.UpdateLastSeen(newer.ID(), t0.Add(time.Hour)))
		require.True(t, db.LastSeen(newer.ID()).Equal(t0.Add(time.Hour)))
		// On an unknown node it stores nothing.
		unknown := v4Node(t, 99, "1.1.1.1", 1).ID()
		require.NoError(t, db.UpdateLastSeen(unknown, t0))
		require.True(t, db.LastSeen(unknown).IsZero())
		require.Nil(t, db.Node(unknown))

		require.NoError(t, db.DeleteNode(newer.ID()))
		require.Nil(t, db.Node(newer.ID()))
		require.True(t, db.LastSeen(newer.ID()).IsZero())
	})
}

func TestDBEndpoints(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *DB) {
		id := v4Node(t, 1, "1.2.3.4", 1).ID()
		ipA, ipB := netip.MustParseAddr("1.2.3.4"), netip.MustParseAddr("1.2.3.5")

		require.True(t, db.LastPongReceived(id, ipA).IsZero())
		require.True(t, db.LastPingReceived(id, ipA).IsZero())
		require.Equal(t, 0, db.FindFails(id, ipA))

		require.NoError(t, db.UpdateLastPongReceived(id, ipA, t0))
		require.NoError(t, db.UpdateLastPingReceived(id, ipA, t0.Add(time.Second)))
		require.NoError(t, db.UpdateFindFails(id, ipA, 3))

		require.True(t, db.LastPongReceived(id, ipA).Equal(t0))
		require.True(t, db.LastPingReceived(id, ipA).Equal(t0.Add(time.Second)))
		require.Equal(t, 3, db.FindFails(id, ipA))
		// The same node at another IP has no bond: endpoint proofs are bound to the IP.
		require.True(t, db.LastPongReceived(id, ipB).IsZero())
		require.Equal(t, 0, db.FindFails(id, ipB))
		// An IPv4-mapped address is the same endpoint.
		require.True(t, db.LastPongReceived(id, netip.MustParseAddr("::ffff:1.2.3.4")).Equal(t0))
		// Another node at the same IP has nothing.
		other := v4Node(t, 2, "1.2.3.4", 1).ID()
		require.True(t, db.LastPongReceived(other, ipA).IsZero())

		require.NoError(t, db.UpdateFindFails(id, ipA, -5))
		require.Equal(t, 0, db.FindFails(id, ipA))
		require.ErrorIs(t, db.UpdateLastPongReceived(id, netip.Addr{}, t0), ErrInvalidIP)
		require.True(t, db.LastPongReceived(id, netip.Addr{}).IsZero())

		// Deleting the node deletes its endpoint facts.
		require.NoError(t, db.UpdateNode(v4Node(t, 1, "1.2.3.4", 1), t0))
		require.NoError(t, db.DeleteNode(id))
		require.True(t, db.LastPongReceived(id, ipA).IsZero())
	})
}

func TestDBQuerySeeds(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *DB) {
		now := t0.Add(10 * 24 * time.Hour)
		fresh := map[nodeid.ID]bool{}
		for i := byte(1); i <= 20; i++ {
			n := v4Node(t, i, "10.0.1."+string('0'+rune(i%10)), uint16(i))
			seen := now.Add(-time.Duration(i) * time.Hour) // 1..20 h ago
			if i > 10 {
				seen = now.Add(-6 * 24 * time.Hour) // too old
			} else {
				fresh[n.ID()] = true
			}
			require.NoError(t, db.UpdateNode(n, seen))
		}
		require.Equal(t, 0, len(db.QuerySeeds(0, 5*24*time.Hour, now)))

		got := map[nodeid.ID]int{}
		for range 50 {
			seeds := db.QuerySeeds(4, 5*24*time.Hour, now)
			require.Len(t, seeds, 4)
			distinct := map[nodeid.ID]bool{}
			for _, s := range seeds {
				require.True(t, fresh[s.ID()], "stale or unknown seed %v", s.ID())
				require.False(t, distinct[s.ID()], "duplicate seed")
				distinct[s.ID()] = true
				got[s.ID()]++
			}
		}
		require.Equal(t, len(fresh), len(got), "every fresh node is eventually chosen")

		all := db.QuerySeeds(100, 5*24*time.Hour, now)
		require.Len(t, all, len(fresh))
		recent := db.QuerySeeds(100, 3*time.Hour+time.Minute, now)
		require.Len(t, recent, 3)
	})
}

func TestDBExpire(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *DB) {
		now := t0.Add(48 * time.Hour)
		old := v4Node(t, 1, "10.0.0.1", 1)
		fresh := v4Node(t, 2, "10.0.0.2", 2)
		ip := netip.MustParseAddr("10.0.0.1")
		require.NoError(t, db.UpdateNode(old, now.Add(-25*time.Hour)))
		require.NoError(t, db.UpdateNode(fresh, now.Add(-23*time.Hour)))
		require.NoError(t, db.UpdateLastPongReceived(old.ID(), ip, now.Add(-time.Hour)))
		require.NoError(t, db.UpdateLastPongReceived(fresh.ID(), ip, now.Add(-30*time.Hour)))
		orphanOld := v4Node(t, 3, "", 0).ID()
		orphanNew := v4Node(t, 4, "", 0).ID()
		require.NoError(t, db.UpdateLastPongReceived(orphanOld, ip, now.Add(-25*time.Hour)))
		require.NoError(t, db.UpdateLastPingReceived(orphanNew, ip, now.Add(-time.Hour)))

		require.NoError(t, db.Expire(now))
		require.Nil(t, db.Node(old.ID()))
		require.True(t, db.LastPongReceived(old.ID(), ip).IsZero(), "facts of an expired node go with it")
		sameNode(t, fresh, db.Node(fresh.ID()))
		require.False(t, db.LastPongReceived(fresh.ID(), ip).IsZero(), "facts of a live node stay")
		require.True(t, db.LastPongReceived(orphanOld, ip).IsZero())
		require.False(t, db.LastPingReceived(orphanNew, ip).IsZero())
	})
}

func TestDBLocalSeq(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *DB) {
		id := v4Node(t, 1, "", 0).ID()
		require.Equal(t, uint64(0), db.LocalSeq(id))
		require.NoError(t, db.StoreLocalSeq(id, 42))
		require.Equal(t, uint64(42), db.LocalSeq(id))
	})
}

func TestDBReopen(t *testing.T) {
	dir := t.TempDir()
	n1 := recordNode(t, 1, "10.0.0.1", 30303)
	n2 := v4Node(t, 2, "2001:db8::2", 30303)
	ip := netip.MustParseAddr("10.0.0.1")

	db, err := OpenDB(dir) // a directory: nodes.db inside
	require.NoError(t, err)
	require.NoError(t, db.UpdateNode(n1, t0))
	require.NoError(t, db.UpdateNode(n2, t0.Add(time.Second)))
	require.NoError(t, db.UpdateLastPongReceived(n1.ID(), ip, t0.Add(time.Minute)))
	require.NoError(t, db.UpdateFindFails(n1.ID(), ip, 2))
	require.NoError(t, db.StoreLocalSeq(n2.ID(), 7))
	require.NoError(t, db.Close())
	require.NoError(t, db.Close(), "Close is idempotent")

	_, err = os.Stat(filepath.Join(dir, dbFileName))
	require.NoError(t, err)

	db, err = OpenDB(dir)
	require.NoError(t, err)
	defer db.Close()
	sameNode(t, n1, db.Node(n1.ID()))
	sameNode(t, n2, db.Node(n2.ID()))
	require.True(t, db.LastSeen(n2.ID()).Equal(t0.Add(time.Second)))
	require.True(t, db.LastPongReceived(n1.ID(), ip).Equal(t0.Add(time.Minute)))
	require.Equal(t, 2, db.FindFails(n1.ID(), ip))
	require.Equal(t, uint64(7), db.LocalSeq(n2.ID()))
	require.Len(t, db.QuerySeeds(10, time.Hour, t0.Add(time.Minute)), 2)
}

// TestDBGarbage writes invalid values straight into the bbolt file and
// checks that the database skips them without panicking (go-ethereum #21981).
func TestDBGarbage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodes.db")
	db, err := OpenDB(path)
	require.NoError(t, err)
	good := v4Node(t, 1, "10.0.0.1", 1)
	rec := recordNode(t, 2, "10.0.0.2", 2)
	require.NoError(t, db.UpdateNode(good, t0))
	require.NoError(t, db.UpdateNode(rec, t0))
	require.NoError(t, db.Close())

	seen := binary.BigEndian.AppendUint64(nil, uint64(t0.UnixMilli()))
	v4 := func(seed byte, tail []byte) (nodeid.ID, []byte) {
		n := v4Node(t, seed, "", 0)
		key := n.PubkeyBytes()
		v := append(append(append(append([]byte{}, seen...), formV4), key[:]...), 0, 1, 0, 2)
		return n.ID(), append(v, tail...)
	}
	recEnc, err := rec.AppendRecord(nil)
	require.NoError(t, err)
	badRec := append([]byte{}, recEnc...)
	badRec[10] ^= 0xff // break the signature

	type entry struct {
		name string
		key  []byte
		val  []byte
	}
	var garbage []entry
	add := func(name string, id nodeid.ID, v []byte) { garbage = append(garbage, entry{name, id[:], v}) }
	id3, v3 := v4(3, []byte{1, 2, 3}) // 3-byte IP
	add("ip of 3 bytes", id3, v3)
	id4, v4v := v4(4, nil)
	add("wrong id for key", nodeid.ID{0xaa}, v4v)
	_ = id4
	add("too short", nodeid.ID{0xbb}, []byte{1, 2, 3})
	add("unknown form", nodeid.ID{0xcc}, append(append([]byte{}, seen...), 9, 1, 2))
	add("bad rlp", nodeid.ID{0xdd}, append(append([]byte{}, seen...), formENR, 0xf8, 0xff))
	add("bad signature", rec.ID(), append(append(append([]byte{}, seen...), formENR), badRec...))
	add("pubkey off curve", nodeid.ID{0xee}, append(append(append([]byte{}, seen...), formV4), make([]byte, 68)...))
	// Keys of the wrong size too.
	garbage = append(garbage, entry{"short key", []byte{1}, append(append([]byte{}, seen...), formV4)})

	bdb, err := bolt.Open(path, 0o600, nil)
	require.NoError(t, err)
	require.NoError(t, bdb.Update(func(tx *bolt.Tx) error {
		nodes := tx.Bucket([]byte(bucketNodes))
		for _, g := range garbage {
			if err := nodes.Put(g.key, g.val); err != nil {
				return err
			}
		}
		ep, err := tx.CreateBucketIfNotExists([]byte(bucketEndpoints))
		if err != nil {
			return err
		}
		a := netip.MustParseAddr("10.0.0.1").As16()
		if err := ep.Put(append(good.id[:], a[:]...), []byte{1, 2, 3}); err != nil {
			return err
		}
		if err := ep.Put([]byte{1, 2}, []byte{1}); err != nil {
			return err
		}
		loc, err := tx.CreateBucketIfNotExists([]byte(bucketLocal))
		if err != nil {
			return err
		}
		return loc.Put(good.id[:], []byte{1, 2, 3})
	}))
	require.NoError(t, bdb.Close())

	db, err = OpenDB(path)
	require.NoError(t, err)
	defer db.Close()
	for _, g := range garbage {
		if len(g.key) == 32 {
			require.Nil(t, db.Node(nodeid.ID(g.key)), g.name)
		}
	}
	sameNode(t, good, db.Node(good.ID()))
	seeds := db.QuerySeeds(100, time.Hour, t0)
	require.Len(t, seeds, 1, "only the valid node")
	sameNode(t, good, seeds[0])
	ip := netip.MustParseAddr("10.0.0.1")
	require.True(t, db.LastPongReceived(good.ID(), ip).IsZero())
	require.Equal(t, 0, db.FindFails(good.ID(), ip))
	require.NoError(t, db.UpdateFindFails(good.ID(), ip, 1), "an invalid value is overwritten")
	require.Equal(t, 1, db.FindFails(good.ID(), ip))
	require.Equal(t, uint64(0), db.LocalSeq(good.ID()))
	require.NoError(t, db.Expire(t0.Add(time.Hour)))
	// Invalid entries with a recent time are expired too.
	require.Len(t, db.QuerySeeds(100, 48*time.Hour, t0), 1)
}

func TestDBBadFile(t *testing.T) {
	t.Run("not a database", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nodes.db")
		junk := make([]byte, 64<<10)
		for i := range junk {
			junk[i] = byte(i * 7)
		}
		require.NoError(t, os.WriteFile(path, junk, 0o600))
		db, err := OpenDB(path)
		require.NoError(t, err)
		defer db.Close()
		require.NoError(t, db.UpdateNode(v4Node(t, 1, "10.0.0.1", 1), t0))
		_, err = os.Stat(path + ".corrupt")
		require.NoError(t, err, "the bad file is kept aside")
	})
	t.Run("schema version mismatch", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nodes.db")
		db, err := OpenDB(path)
		require.NoError(t, err)
		n := v4Node(t, 1, "10.0.0.1", 1)
		require.NoError(t, db.UpdateNode(n, t0))
		require.NoError(t, db.kv.put(bucketMeta, keyVersion, []byte{99}))
		require.NoError(t, db.Close())
		db, err = OpenDB(path)
		require.NoError(t, err)
		defer db.Close()
		require.Nil(t, db.Node(n.ID()))
	})
	t.Run("locked by another process", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "nodes.db")
		db, err := OpenDB(path)
		require.NoError(t, err)
		defer db.Close()
		// bbolt's flock is per file description, so a second open in this
		// process waits for the lock like another process would.
		_, err = OpenDB(path)
		require.ErrorIs(t, err, bolt.ErrTimeout)
	})
}

func FuzzNodeDBValue(f *testing.F) {
	n := recordNode(f, 1, "10.0.0.1", 1)
	payload, form, err := encodeNode(n)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(append(append(make([]byte, 8), form), payload...))
	payload, form, _ = encodeNode(v4Node(f, 2, "2001:db8::1", 1))
	f.Add(append(append(make([]byte, 8), form), payload...))
	f.Fuzz(func(t *testing.T, v []byte) {
		for _, id := range []nodeid.ID{n.ID(), {}} {
			if n, _, err := decodeNodeValue(id, v); err == nil && n.ID() != id {
				t.Fatal("decoded a node under the wrong nodeid.ID")
			}
		}
	})
}

func BenchmarkDB(b *testing.B) {
	for _, name := range []string{"memory", "bbolt"} {
		b.Run(name, func(b *testing.B) {
			path := ""
			if name == "bbolt" {
				path = filepath.Join(b.TempDir(), "nodes.db")
			}
			db, err := OpenDB(path)
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			n := recordNode(b, 1, "10.0.0.1", 30303)
			ip := n.IP()
			b.Run("UpdateLastPongReceived", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					db.UpdateLastPongReceived(n.ID(), ip, t0.Add(time.Duration(i)))
				}
			})
			b.Run("LastPongReceived", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					db.LastPongReceived(n.ID(), ip)
				}
			})
			b.Run("UpdateNode", func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; b.Loop(); i++ {
					db.UpdateNode(n, t0.Add(time.Duration(i)))
				}
			})
		})
	}
}

func TestDBConcurrent(t *testing.T) {
	forEachBackend(t, func(t *testing.T, db *DB) {
		nodes := make([]*Node, 8)
		for i := range nodes {
			nodes[i] = v4Node(t, byte(i+1), "10.0.0.1", uint16(i+1))
		}
		ip := netip.MustParseAddr("10.0.0.1")
		done := make(chan struct{})
		for w := range 4 {
			go func() {
				defer func() { done <- struct{}{} }()
				for i := range 50 {
					n := nodes[(w+i)%len(nodes)]
					now := t0.Add(time.Duration(i) * time.Second)
					db.UpdateNode(n, now)
					db.UpdateLastPongReceived(n.ID(), ip, now)
					db.UpdateFindFails(n.ID(), ip, db.FindFails(n.ID(), ip)+1)
					db.QuerySeeds(3, time.Hour, now)
					if i%10 == 0 {
						db.Expire(now)
					}
				}
			}()
		}
		for range 4 {
			<-done
		}
		total := 0
		for _, n := range nodes {
			sameNode(t, n, db.Node(n.ID()))
			total += db.FindFails(n.ID(), ip)
		}
		// Read-modify-write of the counter is not atomic across calls, so
		// only bound it.
		require.True(t, total > 0 && total <= 200, "total %d", total)
	})
}
