package nat

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// fakePMP is an in-process NAT-PMP gateway on loopback. answer turns each
// request into the datagrams sent back (none: the gateway hangs).
type fakePMP struct {
	conn   *net.UDPConn
	answer func(req []byte) [][]byte
	wg     sync.WaitGroup

	mu   sync.Mutex
	reqs [][]byte
}

func newFakePMP(t *testing.T, answer func(req []byte) [][]byte) *fakePMP {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	f := &fakePMP{conn: conn, answer: answer}
	f.wg.Go(func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			req := append([]byte(nil), buf[:n]...)
			f.mu.Lock()
			f.reqs = append(f.reqs, req)
			f.mu.Unlock()
			for _, a := range f.answer(req) {
				conn.WriteToUDPAddrPort(a, from)
			}
		}
	})
	t.Cleanup(func() { conn.Close(); f.wg.Wait() })
	return f
}

func (f *fakePMP) client() *PMP {
	return &PMP{gw: f.conn.LocalAddr().(*net.UDPAddr).AddrPort()}
}

func (f *fakePMP) requests() [][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([][]byte(nil), f.reqs...)
}

// pmpExternalAnswer is a §3.2 answer with the given result and address.
func pmpExternalAnswer(result uint16, ip [4]byte) []byte {
	a := make([]byte, 12)
	a[1] = 128
	binary.BigEndian.PutUint16(a[2:], result)
	binary.BigEndian.PutUint32(a[4:], 1000)
	copy(a[8:], ip[:])
	return a
}

// pmpMapAnswer is a §3.3 answer granting ext for lifetime seconds.
func pmpMapAnswer(req []byte, ext uint16, lifetime uint32) []byte {
	a := make([]byte, 16)
	a[1] = 128 + req[1]
	binary.BigEndian.PutUint32(a[4:], 1000)
	copy(a[8:10], req[4:6])
	binary.BigEndian.PutUint16(a[10:], ext)
	binary.BigEndian.PutUint32(a[12:], lifetime)
	return a
}

func TestPMPExternalIP(t *testing.T) {
	tests := []struct {
		name    string
		answers [][]byte
		want    netip.Addr
		wantErr error
	}{
		{"public", [][]byte{pmpExternalAnswer(0, [4]byte{8, 8, 4, 4})}, netip.MustParseAddr("8.8.4.4"), nil},
		{"private", [][]byte{pmpExternalAnswer(0, [4]byte{192, 168, 0, 9})}, netip.Addr{}, ErrNotPublic},
		{"shared CGNAT", [][]byte{pmpExternalAnswer(0, [4]byte{100, 64, 1, 1})}, netip.Addr{}, ErrNotPublic},
		{"loopback", [][]byte{pmpExternalAnswer(0, [4]byte{127, 0, 0, 1})}, netip.Addr{}, ErrNotPublic},
		{"unspecified", [][]byte{pmpExternalAnswer(0, [4]byte{})}, netip.Addr{}, ErrNotPublic},
		{"refused", [][]byte{pmpExternalAnswer(2, [4]byte{8, 8, 4, 4})}, netip.Addr{}, &PMPError{Code: 2}},
		// Garbage first, then the real answer: garbage is skipped.
		{"garbage then answer", [][]byte{{0xff}, {1, 128, 0, 0}, {0, 129, 0, 0}, pmpExternalAnswer(0, [4]byte{8, 8, 4, 4})}, netip.MustParseAddr("8.8.4.4"), nil},
		{"short answer", [][]byte{pmpExternalAnswer(0, [4]byte{8, 8, 4, 4})[:10]}, netip.Addr{}, ErrMalformed},
		{"wrong version", [][]byte{{1, 128, 0, 0, 0, 0, 0, 0, 8, 8, 4, 4}}, netip.Addr{}, ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakePMP(t, func([]byte) [][]byte { return tt.answers })
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			ip, err := f.client().ExternalIP(ctx)
			if tt.wantErr != nil {
				var pe *PMPError
				if errors.As(tt.wantErr, &pe) {
					require.ErrorAs(t, err, &pe)
					require.Equal(t, uint16(2), pe.Code)
					return
				}
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, ip)
			require.Equal(t, []byte{0, 0}, f.requests()[0])
		})
	}
}

func TestPMPMap(t *testing.T) {
	f := newFakePMP(t, func(req []byte) [][]byte {
		if binary.BigEndian.Uint32(req[8:]) == 0 {
			return [][]byte{pmpMapAnswer(req, 0, 0)} // deletion
		}
		// Another host has the port: grant 40000 for 300 s.
		return [][]byte{pmpMapAnswer(req, 40000, 300)}
	})
	p := f.client()
	m, err := p.Map(context.Background(), UDP, 30303, 30303, 10*time.Minute, "devp2p")
	require.NoError(t, err)
	require.Equal(t, Mapping{Protocol: UDP, InternalPort: 30303, ExternalPort: 40000, Lifetime: 300 * time.Second}, m)
	require.NoError(t, p.Unmap(context.Background(), m))

	reqs := f.requests()
	require.Len(t, reqs, 2)
	// Map: opcode 1 (UDP), ports, lifetime 600 s.
	require.Equal(t, []byte{0, 1, 0, 0, 0x76, 0x5f, 0x76, 0x5f, 0, 0, 0x02, 0x58}, reqs[0])
	// Delete: lifetime 0 and external port 0 (RFC 6886 §3.4).
	require.Equal(t, []byte{0, 1, 0, 0, 0x76, 0x5f, 0, 0, 0, 0, 0, 0}, reqs[1])
}

func TestPMPMapMalformed(t *testing.T) {
	tests := []struct {
		name   string
		answer func(req []byte) []byte
	}{
		{"port zero", func(req []byte) []byte { return pmpMapAnswer(req, 0, 300) }},
		{"lifetime zero", func(req []byte) []byte { return pmpMapAnswer(req, 30303, 0) }},
		{"short", func(req []byte) []byte { return pmpMapAnswer(req, 30303, 300)[:12] }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakePMP(t, func(req []byte) [][]byte { return [][]byte{tt.answer(req)} })
			ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
			defer cancel()
			_, err := f.client().Map(ctx, TCP, 30303, 30303, time.Minute, "")
			require.ErrorIs(t, err, ErrMalformed)
		})
	}
}

// A mapping answer for another internal port is not ours: it is ignored
// and the request times out.
func TestPMPMapIgnoresOtherPort(t *testing.T) {
	f := newFakePMP(t, func(req []byte) [][]byte {
		a := pmpMapAnswer(req, 1234, 300)
		binary.BigEndian.PutUint16(a[8:], 9999)
		return [][]byte{a}
	})
	ctx, cancel := context.WithTimeout(context.Background(), 600*time.Millisecond)
	defer cancel()
	_, err := f.client().Map(ctx, TCP, 30303, 30303, time.Minute, "")
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

// A gateway that never answers: the request retransmits, then gives up
// when the context ends.
func TestPMPHangingGateway(t *testing.T) {
	f := newFakePMP(t, func([]byte) [][]byte { return nil })
	ctx, cancel := context.WithTimeout(context.Background(), 700*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := f.client().ExternalIP(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 5*time.Second)
	require.GreaterOrEqual(t, len(f.requests()), 2, "retransmitted")
}
