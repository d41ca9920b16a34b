package nat

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// stunAnswer builds a Binding success answer to req carrying attrs.
func stunAnswer(req []byte, attrs ...[]byte) []byte {
	a := make([]byte, 20)
	binary.BigEndian.PutUint16(a, stunBindingOK)
	copy(a[4:20], req[4:20])
	for _, at := range attrs {
		a = append(a, at...)
	}
	binary.BigEndian.PutUint16(a[2:], uint16(len(a)-20))
	return a
}

// xorMapped is an XOR-MAPPED-ADDRESS attribute for an IPv4 address.
func xorMapped(ap netip.AddrPort) []byte {
	v := make([]byte, 12)
	binary.BigEndian.PutUint16(v[0:], stunAttrXORMapped)
	binary.BigEndian.PutUint16(v[2:], 8)
	v[5] = 1
	binary.BigEndian.PutUint16(v[6:], ap.Port()^0x2112)
	ip := ap.Addr().As4()
	binary.BigEndian.PutUint32(v[8:], binary.BigEndian.Uint32(ip[:])^stunMagicCookie)
	return v
}

// fakeSTUN answers every request with answer(req).
func fakeSTUN(t *testing.T, answer func(req []byte) []byte) string {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	var wg sync.WaitGroup
	wg.Go(func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			if a := answer(buf[:n]); a != nil {
				conn.WriteToUDPAddrPort(a, from)
			}
		}
	})
	t.Cleanup(func() { conn.Close(); wg.Wait() })
	return conn.LocalAddr().String()
}

func TestSTUN(t *testing.T) {
	public := netip.MustParseAddrPort("8.8.4.4:41234")
	tests := []struct {
		name    string
		answer  func(req []byte) []byte
		want    netip.Addr
		wantErr error
	}{
		{"xor-mapped", func(req []byte) []byte { return stunAnswer(req, xorMapped(public)) }, public.Addr(), nil},
		{"mapped (RFC 3489 server)", func(req []byte) []byte {
			return stunAnswer(req, []byte{0, 1, 0, 8, 0, 1, 0xa0, 0x12, 8, 8, 4, 4})
		}, public.Addr(), nil},
		{"private", func(req []byte) []byte {
			return stunAnswer(req, xorMapped(netip.MustParseAddrPort("10.1.2.3:5")))
		}, netip.Addr{}, ErrNotPublic},
		{"no address", func(req []byte) []byte { return stunAnswer(req) }, netip.Addr{}, ErrMalformed},
		{"overrunning attribute", func(req []byte) []byte {
			return stunAnswer(req, []byte{0, 0x20, 0, 200, 0, 1, 0, 0})
		}, netip.Addr{}, ErrMalformed},
		{"bad family", func(req []byte) []byte {
			return stunAnswer(req, []byte{0, 0x20, 0, 8, 0, 9, 0, 0, 1, 2, 3, 4})
		}, netip.Addr{}, ErrMalformed},
		{"error answer", func(req []byte) []byte {
			a := stunAnswer(req)
			a[1] = 0x11 // Binding error response
			return a
		}, netip.Addr{}, ErrMalformed},
		{"other transaction ignored", func(req []byte) []byte {
			a := stunAnswer(req, xorMapped(public))
			a[19] ^= 1
			return a
		}, netip.Addr{}, context.DeadlineExceeded},
		{"hanging server", func([]byte) []byte { return nil }, netip.Addr{}, context.DeadlineExceeded},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := NewSTUN(fakeSTUN(t, tt.answer))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 400*time.Millisecond)
			defer cancel()
			ip, err := s.ExternalIP(ctx)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, ip)
			_, err = s.Map(ctx, UDP, 1, 1, time.Minute, "")
			require.ErrorIs(t, err, ErrNoMapping)
		})
	}
}
