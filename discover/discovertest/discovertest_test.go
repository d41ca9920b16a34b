package discovertest

import (
	"bytes"
	"errors"
	"net"
	"net/netip"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

var loopback = netip.AddrFrom4([4]byte{127, 0, 0, 1})

func listen(t *testing.T, n *Network, addr string) *Conn {
	t.Helper()
	c, err := n.Listen(netip.MustParseAddrPort(addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// read reads one datagram, which must be queued already.
func read(t *testing.T, c *Conn, size int) ([]byte, netip.AddrPort) {
	t.Helper()
	c.SetReadDeadline(time.Unix(1, 0))
	b := make([]byte, size)
	n, from, err := c.ReadFromUDPAddrPort(b)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return b[:n], from
}

func TestDelivery(t *testing.T) {
	var n Network
	a := listen(t, &n, "127.0.0.1:1000")
	b := listen(t, &n, "[::1]:1000")

	msg := []byte("hello")
	if nw, err := a.WriteToUDPAddrPort(msg, b.Addr()); err != nil || nw != len(msg) {
		t.Fatalf("write: %d %v", nw, err)
	}
	msg[0] = 'J' // the datagram is a copy
	got, from := read(t, b, 64)
	if string(got) != "hello" || from != a.Addr() {
		t.Errorf("got %q from %v, want \"hello\" from %v", got, from, a.Addr())
	}
	// A short buffer cuts the datagram, as UDP does.
	a.WriteToUDPAddrPort([]byte("0123456789"), b.Addr())
	if got, _ := read(t, b, 4); string(got) != "0123" {
		t.Errorf("cut datagram %q", got)
	}
	if got := b.LocalAddr().String(); got != "[::1]:1000" {
		t.Errorf("LocalAddr %s", got)
	}
}

func TestDrops(t *testing.T) {
	var n Network
	a := listen(t, &n, "127.0.0.1:1000")
	b := listen(t, &n, "127.0.0.1:1001")

	// Nobody listens: no error, nothing arrives anywhere.
	if _, err := a.WriteToUDPAddrPort([]byte{1}, netip.MustParseAddrPort("127.0.0.1:9")); err != nil {
		t.Fatal(err)
	}
	// A full queue drops the excess.
	for i := range QueueSize + 10 {
		if _, err := a.WriteToUDPAddrPort([]byte{byte(i), byte(i >> 8)}, b.Addr()); err != nil {
			t.Fatal(err)
		}
	}
	for i := range QueueSize {
		if got, _ := read(t, b, 2); !bytes.Equal(got, []byte{byte(i), byte(i >> 8)}) {
			t.Fatalf("datagram %d = %x", i, got)
		}
	}
	b.SetReadDeadline(time.Unix(1, 0))
	_, _, err := b.ReadFromUDPAddrPort(make([]byte, 2))
	var ne net.Error
	if !errors.Is(err, os.ErrDeadlineExceeded) || !errors.As(err, &ne) || !ne.Timeout() {
		t.Fatalf("read past the queue: %v, want a timeout", err)
	}
}

func TestListen(t *testing.T) {
	var n Network
	listen(t, &n, "127.0.0.1:30000")
	if _, err := n.Listen(netip.MustParseAddrPort("127.0.0.1:30000")); !errors.Is(err, ErrAddrInUse) {
		t.Errorf("second listen: %v, want ErrAddrInUse", err)
	}
	if _, err := n.Listen(netip.AddrPort{}); err == nil {
		t.Error("listen on the invalid address")
	}
	// Port 0 skips ports in use and never hands out a port twice.
	c1, err := n.Listen(netip.AddrPortFrom(loopback, 0))
	if err != nil {
		t.Fatal(err)
	}
	c1.Close()
	c2, err := n.Listen(netip.AddrPortFrom(loopback, 0))
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if c1.Addr().Port() != 30001 || c2.Addr().Port() != 30002 {
		t.Errorf("ports %d, %d, want 30001, 30002", c1.Addr().Port(), c2.Addr().Port())
	}
}

func TestClose(t *testing.T) {
	var n Network
	a := listen(t, &n, "127.0.0.1:1000")
	b := listen(t, &n, "127.0.0.1:1001")
	errc := make(chan error, 1)
	go func() {
		_, _, err := b.ReadFromUDPAddrPort(make([]byte, 8))
		errc <- err
	}()
	b.Close()
	if err := <-errc; !errors.Is(err, net.ErrClosed) {
		t.Errorf("blocked read: %v, want net.ErrClosed", err)
	}
	if err := b.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if _, err := b.WriteToUDPAddrPort([]byte{1}, a.Addr()); !errors.Is(err, net.ErrClosed) {
		t.Errorf("write after close: %v", err)
	}
	// The address is free again.
	listen(t, &n, "127.0.0.1:1001")
}

func TestReadDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n Network
		a := listen(t, &n, "127.0.0.1:1000")
		b := listen(t, &n, "127.0.0.1:1001")
		b.SetReadDeadline(time.Now().Add(time.Second))
		start := time.Now()
		_, _, err := b.ReadFromUDPAddrPort(make([]byte, 8))
		if !errors.Is(err, os.ErrDeadlineExceeded) || time.Since(start) != time.Second {
			t.Fatalf("read: %v after %v, want a deadline error after 1s", err, time.Since(start))
		}
		// A datagram arriving before the deadline is read.
		b.SetReadDeadline(time.Now().Add(time.Second))
		go func() {
			time.Sleep(500 * time.Millisecond) // fake time inside the bubble
			a.WriteToUDPAddrPort([]byte("x"), b.Addr())
		}()
		if nr, _, err := b.ReadFromUDPAddrPort(make([]byte, 8)); err != nil || nr != 1 {
			t.Fatalf("read: %d %v", nr, err)
		}
		// The zero time removes the deadline.
		b.SetReadDeadline(time.Time{})
		go func() {
			time.Sleep(time.Hour)
			a.WriteToUDPAddrPort([]byte("y"), b.Addr())
		}()
		if nr, _, err := b.ReadFromUDPAddrPort(make([]byte, 8)); err != nil || nr != 1 {
			t.Fatalf("read without deadline: %d %v", nr, err)
		}
	})
}
