package discover

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
)

// kvStore is the byte-level storage under DB: named buckets of keys and
// values. memStore keeps them in maps, boltStore in a bbolt file. Values
// returned by get and passed to forEach are copies the caller may keep.
type kvStore interface {
	get(bucket string, key []byte) []byte
	put(bucket string, key, value []byte) error
	// update replaces key's value by fn(old) atomically; old is nil when the
	// key is absent. fn returning nil deletes the key.
	update(bucket string, key []byte, fn func(old []byte) []byte) error
	// forEach calls fn for every entry whose key starts with prefix, in
	// unspecified order, until fn returns false.
	forEach(bucket string, prefix []byte, fn func(k, v []byte) bool) error
	// deleteIf removes every entry of bucket for which fn returns true.
	deleteIf(bucket string, prefix []byte, fn func(k, v []byte) bool) error
	close() error
}

// ----- in memory -----

type memStore struct {
	mu      sync.Mutex
	buckets map[string]map[string][]byte
}

func newMemStore() *memStore {
	return &memStore{buckets: make(map[string]map[string][]byte)}
}

func (m *memStore) bucket(name string) map[string][]byte {
	b := m.buckets[name]
	if b == nil {
		b = make(map[string][]byte)
		m.buckets[name] = b
	}
	return b
}

func (m *memStore) get(bucket string, key []byte) []byte {
	m.mu.Lock()
	defer m.mu.Unlock()
	return bytes.Clone(m.buckets[bucket][string(key)])
}

func (m *memStore) put(bucket string, key, value []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.bucket(bucket)[string(key)] = bytes.Clone(value)
	return nil
}

func (m *memStore) update(bucket string, key []byte, fn func(old []byte) []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.bucket(bucket)
	v := fn(bytes.Clone(b[string(key)]))
	if v == nil {
		delete(b, string(key))
	} else {
		b[string(key)] = bytes.Clone(v)
	}
	return nil
}

func (m *memStore) forEach(bucket string, prefix []byte, fn func(k, v []byte) bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, v := range m.buckets[bucket] {
		if bytes.HasPrefix([]byte(k), prefix) && !fn([]byte(k), bytes.Clone(v)) {
			break
		}
	}
	return nil
}

func (m *memStore) deleteIf(bucket string, prefix []byte, fn func(k, v []byte) bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	b := m.buckets[bucket]
	for k, v := range b {
		if bytes.HasPrefix([]byte(k), prefix) && fn([]byte(k), v) {
			delete(b, k)
		}
	}
	return nil
}

func (m *memStore) close() error { return nil }

// ----- bbolt -----

// dbFileName is the file OpenDB uses inside a directory.
const dbFileName = "nodes.db"

// dbLockTimeout bounds the wait for another process's lock on the file.
const dbLockTimeout = time.Second

// errStoreCorrupt reports a panic inside bbolt, which it raises on damaged
// pages; DB treats the affected operation as failed.
var errStoreCorrupt = errors.New("discover: node database file is damaged")

type boltStore struct {
	db *bolt.DB
}

// openBoltStore opens (or creates) the bbolt file for path: path itself,
// or nodes.db inside it when path is a directory. A file bbolt cannot open
// (not a bbolt file, or damaged meta pages) is moved aside to
// "<file>.corrupt" and replaced by an empty database: the node database is
// a cache, and a node must not fail to start because of it.
func openBoltStore(path string) (*boltStore, error) {
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		path = filepath.Join(path, dbFileName)
	}
	opts := &bolt.Options{
		Timeout: dbLockTimeout,
		// Skip fsync: losing the last writes in an OS crash is harmless
		// for a cache, and per-update fsyncs would dominate the cost.
		NoSync:         true,
		NoFreelistSync: true,
	}
	db, err := bolt.Open(path, 0o600, opts)
	if err != nil && !errors.Is(err, bolt.ErrTimeout) && fileExists(path) {
		if rerr := os.Rename(path, path+".corrupt"); rerr == nil {
			db, err = bolt.Open(path, 0o600, opts)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("discover: open node database: %w", err)
	}
	return &boltStore{db: db}, nil
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// guard turns a bbolt panic on damaged data into errStoreCorrupt.
func guard(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("%w: %v", errStoreCorrupt, r)
	}
}

func (s *boltStore) get(bucket string, key []byte) (out []byte) {
	_ = s.view(func(tx *bolt.Tx) error {
		if b := tx.Bucket([]byte(bucket)); b != nil {
			out = bytes.Clone(b.Get(key))
		}
		return nil
	})
	return out
}

func (s *boltStore) put(bucket string, key, value []byte) error {
	return s.updateTx(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		return b.Put(key, value)
	})
}

func (s *boltStore) update(bucket string, key []byte, fn func(old []byte) []byte) error {
	return s.updateTx(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(bucket))
		if err != nil {
			return err
		}
		v := fn(bytes.Clone(b.Get(key)))
		if v == nil {
			return b.Delete(key)
		}
		return b.Put(key, v)
	})
}

func (s *boltStore) forEach(bucket string, prefix []byte, fn func(k, v []byte) bool) error {
	return s.view(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if !fn(bytes.Clone(k), bytes.Clone(v)) {
				break
			}
		}
		return nil
	})
}

func (s *boltStore) deleteIf(bucket string, prefix []byte, fn func(k, v []byte) bool) error {
	return s.updateTx(func(tx *bolt.Tx) error {
		b := tx.Bucket([]byte(bucket))
		if b == nil {
			return nil
		}
		// Collect first: deleting under a cursor invalidates its position.
		var doomed [][]byte
		c := b.Cursor()
		for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
			if fn(k, v) {
				doomed = append(doomed, bytes.Clone(k))
			}
		}
		for _, k := range doomed {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return nil
	})
}

func (s *boltStore) view(fn func(*bolt.Tx) error) (err error) {
	defer guard(&err)
	return s.db.View(fn)
}

func (s *boltStore) updateTx(fn func(*bolt.Tx) error) (err error) {
	defer guard(&err)
	return s.db.Update(fn)
}

func (s *boltStore) close() error { return s.db.Close() }
