package dial

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"
)

func TestTCPDialer(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err == nil {
			accepted <- c
		}
		close(accepted)
	}()

	t.Run("connects", func(t *testing.T) {
		d := TCPDialer{LocalAddr: netip.MustParseAddrPort("127.0.0.2:0")}
		c, err := d.Dial(context.Background(), testNode(1, "127.0.0.1", port))
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		srv := <-accepted
		if srv == nil {
			t.Fatal("listener accepted nothing")
		}
		defer srv.Close()
		if got := srv.RemoteAddr().(*net.TCPAddr).AddrPort().Addr(); got != netip.MustParseAddr("127.0.0.2") {
			t.Fatalf("dialled from %v, want LocalAddr 127.0.0.2", got)
		}
	})

	for _, tc := range []struct {
		name string
		ctx  func() context.Context
		ip   string
		port uint16
		want error
	}{
		{"no IP", context.Background, "", port, ErrNoEndpoint},
		{"port zero", context.Background, "127.0.0.1", 0, ErrNoEndpoint},
		{"unspecified", context.Background, "0.0.0.0", port, ErrNoEndpoint},
		{"cancelled", func() context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, "127.0.0.1", port, context.Canceled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := TCPDialer{}.Dial(tc.ctx(), testNode(1, tc.ip, tc.port))
			if err == nil {
				c.Close()
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("Dial error = %v, want %v", err, tc.want)
			}
		})
	}
}
