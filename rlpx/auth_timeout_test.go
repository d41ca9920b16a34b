package rlpx

import (
	"context"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"
)

// TestAuthTimeout: a recipient whose initiator has not sent its complete
// auth within Config.AuthTimeout gives up then, long before the handshake
// deadline, whether the initiator is silent or trickling; an auth that
// arrives in time is not affected, and neither is the connection after the
// handshake.
func TestAuthTimeout(t *testing.T) {
	const (
		authTimeout = 50 * time.Millisecond
		hsTimeout   = 10 * time.Second // far beyond any run of this test
	)
	auth2 := vector(t, "auth2")
	for _, tt := range []struct {
		name string
		send []byte // what the initiator sends before stalling
	}{
		{"silent", nil},
		{"size prefix only", auth2[:2]},
		{"all but the last byte", auth2[:len(auth2)-1]},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cc, sc := tcpPair(t)
			defer cc.Close()
			server := Server(sc, hexKey(t, hexStaticB), Config{HandshakeTimeout: hsTimeout, AuthTimeout: authTimeout})
			defer server.Close()
			if _, err := cc.Write(tt.send); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			err := server.Handshake(context.Background())
			elapsed := time.Since(start)
			if !errors.Is(err, ErrHandshakeTimeout) {
				t.Fatalf("err = %v, want ErrHandshakeTimeout", err)
			}
			if !strings.Contains(err.Error(), "auth not received") {
				t.Errorf("err = %q, want it to name the missing auth", err)
			}
			if elapsed < authTimeout || elapsed >= hsTimeout/2 {
				t.Fatalf("gave up after %v, want the %v auth deadline", elapsed, authTimeout)
			}
			if server.AuthReceived() {
				t.Fatal("AuthReceived is true without a complete auth")
			}
		})
	}

	t.Run("context deadline earlier", func(t *testing.T) {
		cc, sc := tcpPair(t)
		defer cc.Close()
		server := Server(sc, hexKey(t, hexStaticB), Config{AuthTimeout: hsTimeout})
		defer server.Close()
		ctx, cancel := context.WithTimeout(context.Background(), authTimeout)
		defer cancel()
		err := server.Handshake(ctx)
		if !errors.Is(err, ErrHandshakeTimeout) || strings.Contains(err.Error(), "auth not received") {
			t.Fatalf("err = %v, want the context's ErrHandshakeTimeout", err)
		}
	})

	t.Run("auth in time", func(t *testing.T) {
		cc, sc := tcpPair(t)
		// The server's handshake starts once the client has sent its auth,
		// so however slow the machine, the auth is in time.
		written := make(chan struct{}, 1)
		keyC, keyS := hexKey(t, hexStaticA), hexKey(t, hexStaticB)
		client := Client(&writeNotifier{Conn: cc, written: written}, keyC, keyS.PubKey(), Config{})
		server := Server(sc, keyS, Config{HandshakeTimeout: hsTimeout, AuthTimeout: authTimeout})
		defer client.Close()
		defer server.Close()
		cerr := make(chan error, 1)
		go func() { cerr <- client.Handshake(context.Background()) }()
		<-written
		if err := server.Handshake(context.Background()); err != nil {
			t.Fatalf("server handshake: %v", err)
		}
		if err := <-cerr; err != nil {
			t.Fatalf("client handshake: %v", err)
		}
		if !server.AuthReceived() {
			t.Fatal("AuthReceived false after a successful handshake")
		}
		// Reads after the handshake have no deadline: a message sent once
		// the auth deadline has long passed still arrives.
		timer := time.NewTimer(2 * authTimeout)
		defer timer.Stop()
		errc := make(chan error, 1)
		go func() {
			<-timer.C
			_, err := client.WriteMsg(0x10, []byte("late"))
			errc <- err
		}()
		if _, _, _, err := server.ReadMsg(); err != nil {
			t.Fatalf("read after the auth deadline: %v", err)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	})
}

// TestAuthReceived: AuthReceived turns true as soon as the last byte of the
// auth (EIP-8 or legacy) is read, while the handshake is still running, and
// stays false on an initiator.
func TestAuthReceived(t *testing.T) {
	for _, name := range []string{"auth1", "auth2"} {
		t.Run(name, func(t *testing.T) {
			auth := vector(t, name)
			cc, sc := net.Pipe()
			defer cc.Close()
			server := Server(sc, hexKey(t, hexStaticB), Config{})
			defer server.Close()
			if server.AuthReceived() {
				t.Fatal("AuthReceived before Handshake")
			}
			errc := make(chan error, 1)
			go func() { errc <- server.Handshake(context.Background()) }()

			// net.Pipe's Write returns once the reader has taken the bytes.
			if _, err := cc.Write(auth[:len(auth)-1]); err != nil {
				t.Fatal(err)
			}
			if server.AuthReceived() {
				t.Fatal("AuthReceived with one byte missing")
			}
			if _, err := cc.Write(auth[len(auth)-1:]); err != nil {
				t.Fatal(err)
			}
			// The first byte of the ack proves the server is past the auth;
			// its Handshake is still blocked writing the rest.
			if _, err := io.ReadFull(cc, make([]byte, 1)); err != nil {
				t.Fatal(err)
			}
			if !server.AuthReceived() {
				t.Fatal("AuthReceived false while the ack is being written")
			}
			cc.Close()
			if err := <-errc; err == nil {
				t.Fatal("handshake succeeded without the ack being read")
			}
			if !server.AuthReceived() {
				t.Fatal("AuthReceived turned false again")
			}
		})
	}

	t.Run("initiator", func(t *testing.T) {
		cc, sc := net.Pipe()
		client, server := handshakePair(t, cc, sc, Config{}, Config{})
		defer client.Close()
		defer server.Close()
		if client.AuthReceived() {
			t.Fatal("AuthReceived true on the initiator")
		}
	})
}

// writeNotifier signals on written after each Write to the connection.
type writeNotifier struct {
	net.Conn
	written chan struct{}
}

func (w *writeNotifier) Write(b []byte) (int, error) {
	n, err := w.Conn.Write(b)
	select {
	case w.written <- struct{}{}:
	default:
	}
	return n, err
}
