package rlpx

import (
	"bytes"
	"crypto/rand"
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

// TestPlainDisconnectWithSnappy checks that a Disconnect sent without
// compression after snappy was turned on still arrives with its payload,
// while any other message that is not valid snappy breaks the connection.
func TestPlainDisconnectWithSnappy(t *testing.T) {
	tests := []struct {
		name    string
		code    uint64
		payload []byte
		wantErr error
	}{
		{"disconnect list", disconnectCode, []byte{0xc1, 0x04}, nil},
		{"disconnect bare byte", disconnectCode, []byte{0x04}, nil},
		{"disconnect too long to be plain", disconnectCode, make([]byte, maxPlainDisconnect+1), ErrSnappy},
		{"other code", 0x10, []byte{0xc1, 0x04}, ErrSnappy},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc, sc := tcpPair(t)
			client, server := handshakePair(t, cc, sc, Config{}, Config{})
			defer client.Close()
			defer server.Close()
			server.SetSnappy(true) // the reader expects compression; the writer sends plain
			if _, err := client.WriteMsg(tt.code, tt.payload); err != nil {
				t.Fatal(err)
			}
			code, payload, _, err := server.ReadMsg()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if code != tt.code || !bytes.Equal(payload, tt.payload) {
				t.Fatalf("got code %d payload %x, want %d %x", code, payload, tt.code, tt.payload)
			}
		})
	}
}

// TestSetReadLimit checks that a lowered read limit refuses a larger
// message as soon as its header is authenticated, without reading the body:
// over net.Pipe the writer's single Write is still blocked when ReadMsg
// returns. Raising the limit back restores the configured size.
func TestSetReadLimit(t *testing.T) {
	for _, snappyOn := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "snappy"}[snappyOn], func(t *testing.T) {
			cc, sc := net.Pipe()
			client, server := handshakePair(t, cc, sc, Config{}, Config{})
			defer client.Close()
			client.SetSnappy(snappyOn)
			server.SetSnappy(snappyOn)

			server.SetReadLimit(2048)
			exchange(t, client, server, 0x10, make([]byte, 2048)) // at the limit: fine

			big := make([]byte, 1<<20)
			rand.Read(big) // incompressible, so snappy cannot shrink it under the limit
			written := make(chan error, 1)
			go func() {
				_, err := client.WriteMsg(0x10, big)
				written <- err
			}()
			if _, _, _, err := server.ReadMsg(); !errors.Is(err, ErrMessageTooLarge) {
				t.Fatalf("err = %v, want ErrMessageTooLarge", err)
			}
			select {
			case err := <-written:
				t.Fatalf("the writer finished (%v): the body was read", err)
			default:
			}
			server.Close() // unblocks the writer
			<-written
		})
	}
}

func TestSetReadLimitRestore(t *testing.T) {
	cc, sc := tcpPair(t)
	client, server := handshakePair(t, cc, sc, Config{MaxMessageSize: 1 << 20}, Config{MaxMessageSize: 1 << 20})
	defer client.Close()
	defer server.Close()
	server.SetReadLimit(100)
	server.SetReadLimit(0)
	exchange(t, client, server, 0x10, make([]byte, 1<<20))
	server.SetReadLimit(1 << 30) // above Config.MaxMessageSize: capped to it
	if server.msgLimit != 1<<20 {
		t.Fatalf("limit = %d, want the configured %d", server.msgLimit, 1<<20)
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

// FuzzDecompress feeds arbitrary snappy blocks to the payload decoder: it
// must return a payload within the limit or ErrSnappy, never panic or
// allocate beyond the limit.
func FuzzDecompress(f *testing.F) {
	for _, seed := range []string{"0100c0", "0204c104", "81808008", "ffffffff0f", "0504c104", "0204c1"} {
		f.Add(unhex(f, seed))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		c := &Conn{msgLimit: 1 << 16}
		out, err := c.decompress(in)
		if err != nil {
			if !errors.Is(err, ErrSnappy) {
				t.Fatalf("err = %v, want ErrSnappy", err)
			}
			if cap(c.dbuf) > 1<<16 {
				t.Fatalf("allocated %d bytes for a rejected block", cap(c.dbuf))
			}
			return
		}
		if len(out) > 1<<16 {
			t.Fatalf("payload of %d bytes above the limit", len(out))
		}
	})
}
