package rlpx

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"runtime"
	"sync/atomic"
	"testing"
)

// readNotifyConn signals on reading each time Read is called while armed.
type readNotifyConn struct {
	net.Conn
	armed   atomic.Bool
	reading chan struct{}
}

func (c *readNotifyConn) Read(p []byte) (int, error) {
	if c.armed.CompareAndSwap(true, false) {
		c.reading <- struct{}{}
	}
	return c.Conn.Read(p)
}

// TestIdleConnHoldsNoBigBuffer checks that after a 16 MiB message, a
// connection waiting for its next one holds no more than 1 MiB of read,
// write or snappy buffers: the heap, measured after GC while the reader is
// blocked in Read, is back within 1 MiB of what it was before the message.
func TestIdleConnHoldsNoBigBuffer(t *testing.T) {
	for _, tt := range []struct {
		name   string
		snappy bool
		size   int
	}{
		// The largest payload a frame carries: frame-size 2^24−1 holds a
		// 1-byte code and 2^24−2 bytes.
		{"plain", false, maxFrameSize - 1},
		// The largest payload snappy compresses; half of it random, so
		// both the frame (≈8 MiB) and the decoded payload (16 MiB) are big.
		{"snappy", true, maxSnappyPlain - 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cc, sc := tcpPair(t)
			rc := &readNotifyConn{Conn: sc, reading: make(chan struct{}, 1)}
			client, server := handshakePair(t, cc, rc, Config{}, Config{})
			defer client.Close()
			defer server.Close()
			client.SetSnappy(tt.snappy)
			server.SetSnappy(tt.snappy)
			exchange(t, client, server, 0x10, []byte("warm up"))
			exchange(t, server, client, 0x10, []byte("warm up"))

			before := heapInUse()
			sendBig(t, client, server, tt.size)
			// Wait for the next message, as an idle peer's reader does.
			rc.armed.Store(true)
			done := make(chan error, 1)
			go func() {
				_, _, _, err := server.ReadMsg()
				done <- err
			}()
			<-rc.reading
			after := heapInUse()
			grown := int64(after) - int64(before)
			t.Logf("heap grew by %d bytes after a %d-byte message", grown, tt.size)
			if grown > maxRetainedBuf {
				t.Errorf("idle connection holds %d more bytes after a %d-byte message (limit %d)", grown, tt.size, maxRetainedBuf)
			}
			client.Close()
			<-done
		})
	}
}

// sendBig sends a size-byte payload, half random, from w to r.
func sendBig(t *testing.T, w, r *Conn, size int) {
	t.Helper()
	payload := make([]byte, size)
	rand.Read(payload[:size/2])
	errc := make(chan error, 1)
	go func() {
		_, err := w.WriteMsg(0x10, payload)
		errc <- err
	}()
	_, got, _, err := r.ReadMsg()
	if werr := <-errc; werr != nil {
		t.Fatal("write:", werr)
	}
	if err != nil || len(got) != size {
		t.Fatalf("read %d bytes, err %v; want %d", len(got), err, size)
	}
}

// heapInUse returns the live heap after a full collection.
func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc
}

// TestReadBufferFollowsData checks that a frame header declaring 16 MiB
// does not make the reader allocate 16 MiB: the buffer grows with the bytes
// that arrive, so a peer that stops after 64 KiB holds about that much.
func TestReadBufferFollowsData(t *testing.T) {
	sa, sb := vectorSecrets(t)
	_, w := newSession(sa, maxFrameSize)
	r, _ := newSession(sb, maxFrameSize)
	frame, err := w.seal(0x10, make([]byte, maxFrameSize-1))
	if err != nil {
		t.Fatal(err)
	}
	const sent = 64 << 10
	_, _, err = r.readFrame(bytes.NewReader(frame[:sent]))
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
	if got, limit := len(r.buf), 2*sent+minReadBuf; got > limit {
		t.Errorf("read buffer is %d bytes after %d bytes of a %d-byte frame, want ≤ %d", got, sent, len(frame), limit)
	}
}
