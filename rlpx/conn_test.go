package rlpx

import (
	"errors"
	"net"
	"os"
	"testing"
	"time"
)

func TestCloseUnblocksRead(t *testing.T) {
	cc, sc := net.Pipe()
	client, server := handshakePair(t, cc, sc, Config{}, Config{})
	defer server.Close()
	errc := make(chan error, 1)
	go func() {
		_, _, _, err := client.ReadMsg()
		errc <- err
	}()
	client.Close()
	if err := <-errc; !errors.Is(err, net.ErrClosed) && !errors.Is(err, os.ErrClosed) {
		t.Fatalf("err = %v, want net.ErrClosed", err)
	}
}

func TestReadDeadlineIsSticky(t *testing.T) {
	cc, sc := tcpPair(t)
	client, server := handshakePair(t, cc, sc, Config{}, Config{})
	defer client.Close()
	defer server.Close()
	client.SetReadDeadline(time.Now()) // already expired: no waiting
	_, _, _, err := client.ReadMsg()
	if !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("err = %v, want os.ErrDeadlineExceeded", err)
	}
	client.SetReadDeadline(time.Time{})
	if _, _, _, err2 := client.ReadMsg(); err2 != err {
		t.Fatalf("second read: %v, want the sticky %v", err2, err)
	}
}

// TestBigBuffersReleased checks that a big message's buffers are not kept
// once a later message has been read or written.
func TestBigBuffersReleased(t *testing.T) {
	for _, snappyOn := range []bool{false, true} {
		cc, sc := tcpPair(t)
		client, server := handshakePair(t, cc, sc, Config{}, Config{})
		client.SetSnappy(snappyOn)
		server.SetSnappy(snappyOn)
		exchange(t, client, server, 0x10, make([]byte, 4<<20))
		exchange(t, client, server, 0x10, []byte("small"))
		if c := cap(client.wr.buf); c > maxRetainedBuf {
			t.Errorf("snappy=%v: write buffer kept %d bytes", snappyOn, c)
		}
		if c := cap(client.sbuf); c > maxRetainedBuf {
			t.Errorf("snappy=%v: snappy encode buffer kept %d bytes", snappyOn, c)
		}
		if c := len(server.rd.buf); c > maxRetainedBuf {
			t.Errorf("snappy=%v: read buffer kept %d bytes", snappyOn, c)
		}
		if c := cap(server.dbuf); c > maxRetainedBuf {
			t.Errorf("snappy=%v: snappy decode buffer kept %d bytes", snappyOn, c)
		}
		client.Close()
		server.Close()
	}
}
