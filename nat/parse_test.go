package nat

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestParse(t *testing.T) {
	tests := []struct {
		spec string
		want string // String() of the result; "" for nil
		err  bool
	}{
		{"none", "", false},
		{"", "", false},
		{"any", "any", false},
		{"upnp", "UPnP", false},
		{"pmp", "NAT-PMP", false},
		{"pmp:192.168.1.1", "NAT-PMP (192.168.1.1)", false},
		{"extip:1.2.3.4", "extip:1.2.3.4", false},
		{"extip:2001:db8::1", "extip:2001:db8::1", false},
		{"EXTIP:1.2.3.4", "extip:1.2.3.4", false},
		{"stun:stun.example.org:3478", "stun:stun.example.org:3478", false},
		{"stun:[::1]:3478", "stun:[::1]:3478", false},
		{"none:x", "", true},
		{"any:x", "", true},
		{"upnp:1.2.3.4", "", true},
		{"pmp:gateway", "", true},
		{"pmp:2001:db8::1", "", true},
		{"extip", "", true},
		{"extip:", "", true},
		{"extip:0.0.0.0", "", true},
		{"extip:host.example", "", true},
		{"stun", "", true},
		{"stun:host-without-port", "", true},
		{"foo", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.spec, func(t *testing.T) {
			n, err := Parse(tt.spec)
			if tt.err {
				require.ErrorIs(t, err, ErrInvalidSpec)
				return
			}
			require.NoError(t, err)
			if tt.want == "" {
				require.Nil(t, n)
				return
			}
			require.Equal(t, tt.want, n.String())
		})
	}
}

func TestIsPublic(t *testing.T) {
	for ip, want := range map[string]bool{
		"8.8.8.8": true, "2a00:1450::1": true, "::ffff:8.8.8.8": true,
		"10.0.0.1": false, "172.16.0.1": false, "192.168.0.1": false, "100.64.0.1": false,
		"127.0.0.1": false, "::1": false, "0.0.0.0": false, "::": false, "169.254.1.1": false,
		"fe80::1": false, "fd00::1": false, "224.0.0.1": false, "255.255.255.255": false,
	} {
		require.Equal(t, want, IsPublic(netip.MustParseAddr(ip)), ip)
	}
}

// fakeNAT is an Interface that answers after a delay, or fails.
type fakeNAT struct {
	name string
	err  error
}

func (f fakeNAT) Map(context.Context, Protocol, uint16, uint16, time.Duration, string) (Mapping, error) {
	return Mapping{}, f.err
}
func (f fakeNAT) Unmap(context.Context, Mapping) error { return f.err }
func (f fakeNAT) ExternalIP(context.Context) (netip.Addr, error) {
	return netip.MustParseAddr("8.8.8.8"), f.err
}
func (f fakeNAT) String() string { return f.name }

func TestRace(t *testing.T) {
	blocked := func(ctx context.Context) (Interface, error) {
		<-ctx.Done() // a search that only ends when cancelled
		return nil, ctx.Err()
	}
	found := func(ctx context.Context) (Interface, error) { return fakeNAT{name: "found"}, nil }
	failed := func(ctx context.Context) (Interface, error) { return nil, errors.New("no luck") }

	n, err := race(context.Background(), blocked, failed, found)
	require.NoError(t, err)
	require.Equal(t, "found", n.String())

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = race(ctx, blocked, failed)
	require.ErrorIs(t, err, ErrNoGateway)
}

func TestLazyRetriesAfterFailure(t *testing.T) {
	calls := 0
	l := newLazy("test", func(context.Context) (Interface, error) {
		calls++
		if calls == 1 {
			return nil, ErrNoGateway
		}
		return fakeNAT{name: "gw"}, nil
	})
	_, err := l.ExternalIP(context.Background())
	require.ErrorIs(t, err, ErrNoGateway)
	require.Equal(t, "test", l.String())
	ip, err := l.ExternalIP(context.Background())
	require.NoError(t, err)
	require.Equal(t, "8.8.8.8", ip.String())
	require.Equal(t, "gw", l.String())
	_, err = l.Map(context.Background(), TCP, 1, 1, 0, "")
	require.NoError(t, err)
	require.Equal(t, 2, calls)
}

func ExampleParse() {
	for _, spec := range []string{"extip:203.0.113.9", "pmp:192.168.1.1", "none", "bogus"} {
		n, err := Parse(spec)
		switch {
		case err != nil:
			fmt.Println("error:", errors.Is(err, ErrInvalidSpec))
		case n == nil:
			fmt.Println("no NAT handling")
		default:
			fmt.Println(n)
		}
	}
	// Output:
	// extip:203.0.113.9
	// NAT-PMP (192.168.1.1)
	// no NAT handling
	// error: true
}
