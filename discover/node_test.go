package discover

import (
	"encoding/hex"
	"net/netip"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/rlp"
)

// The EIP-778 example record and its key (EIP-778 "Test Vectors").
const (
	vectorENR    = "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8"
	vectorPubkey = "ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f"
	vectorID     = "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7"
)

func testKey(t testing.TB, seed byte) *secp256k1.PrivateKey {
	t.Helper()
	var b [32]byte
	b[0], b[31] = 0x17, seed
	return secp256k1.PrivKeyFromBytes(b[:])
}

func TestParseNodeENR(t *testing.T) {
	n, err := ParseNode(vectorENR)
	require.NoError(t, err)
	require.Equal(t, vectorID, n.ID().String())
	require.Equal(t, netip.MustParseAddr("127.0.0.1"), n.IP())
	require.Equal(t, uint16(30303), n.UDP())
	require.Equal(t, uint16(0), n.TCP())
	require.Equal(t, uint64(1), n.Seq())
	require.False(t, n.Incomplete())
	require.Equal(t, vectorENR, n.String())
	require.Equal(t, "enode://"+vectorPubkey+"@127.0.0.1:0?discport=30303", n.URLv4())
	require.Equal(t, netip.MustParseAddrPort("127.0.0.1:30303"), n.UDPAddr())
	key := n.PubkeyBytes()
	require.Equal(t, vectorPubkey, hex.EncodeToString(key[:]))

	rec := n.Record()
	require.True(t, rec != nil && rec.Signed())
	rec.SetUDP(1) // must not affect n
	require.Equal(t, uint16(30303), n.UDP())
	require.Equal(t, vectorENR, n.String())
	enc, err := n.AppendRecord(nil)
	require.NoError(t, err)
	dec, err := enr.Decode(enc)
	require.NoError(t, err)
	require.Equal(t, vectorENR, dec.String())
}

func TestParseNodeEnode(t *testing.T) {
	pub := "enode://" + vectorPubkey
	tests := []struct {
		in         string
		ip         string // "" for incomplete
		tcp, udp   uint16
		normalized string // URLv4, when different from in
	}{
		{in: pub + "@10.3.58.6:30303?discport=30301", ip: "10.3.58.6", tcp: 30303, udp: 30301},
		{in: pub + "@10.3.58.6:30303", ip: "10.3.58.6", tcp: 30303, udp: 30303},
		{in: pub + "@10.3.58.6:30303?discport=30303", ip: "10.3.58.6", tcp: 30303, udp: 30303, normalized: pub + "@10.3.58.6:30303"},
		{in: pub + "@[2001:db8::1]:30303?discport=9", ip: "2001:db8::1", tcp: 30303, udp: 9},
		{in: pub + "@[::ffff:1.2.3.4]:5", ip: "1.2.3.4", tcp: 5, udp: 5, normalized: pub + "@1.2.3.4:5"},
		{in: pub + "@127.0.0.1:0", ip: "127.0.0.1", tcp: 0, udp: 0},
		{in: "  " + pub + "@127.0.0.1:1\n", ip: "127.0.0.1", tcp: 1, udp: 1, normalized: pub + "@127.0.0.1:1"},
		{in: pub},
		{in: vectorPubkey, normalized: pub},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			n, err := ParseNode(tt.in)
			require.NoError(t, err)
			require.Equal(t, vectorID, n.ID().String())
			require.Nil(t, n.Record())
			require.Equal(t, uint64(0), n.Seq())
			if tt.ip == "" {
				require.True(t, n.Incomplete())
				require.False(t, n.IP().IsValid())
			} else {
				require.False(t, n.Incomplete())
				require.Equal(t, netip.MustParseAddr(tt.ip), n.IP())
			}
			require.Equal(t, tt.tcp, n.TCP())
			require.Equal(t, tt.udp, n.UDP())
			want := tt.normalized
			if want == "" {
				want = tt.in
			}
			require.Equal(t, want, n.URLv4())
			require.Equal(t, want, n.String())
			_, err = n.AppendRecord(nil)
			require.ErrorIs(t, err, enr.ErrNotSigned)
		})
	}
}

func TestParseNodeErrors(t *testing.T) {
	pub := "enode://" + vectorPubkey
	offCurve := strings.Repeat("ff", 64)
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"junk", "hello"},
		{"http scheme", "http://" + vectorPubkey + "@1.2.3.4:1"},
		{"hostname", pub + "@example.com:30303"},
		{"missing port", pub + "@1.2.3.4"},
		{"port too big", pub + "@1.2.3.4:65536"},
		{"negative port", pub + "@1.2.3.4:-1"},
		{"bad discport", pub + "@1.2.3.4:1?discport=x"},
		{"discport too big", pub + "@1.2.3.4:1?discport=70000"},
		{"short key", "enode://" + vectorPubkey[:126] + "@1.2.3.4:1"},
		{"long key", "enode://" + vectorPubkey + "00@1.2.3.4:1"},
		{"non-hex key", "enode://" + strings.Repeat("zz", 64) + "@1.2.3.4:1"},
		{"key off curve", "enode://" + offCurve + "@1.2.3.4:1"},
		{"bare key off curve", offCurve},
		{"password", "enode://" + vectorPubkey + ":pw@1.2.3.4:1"},
		{"zone", pub + "@[fe80::1%25eth0]:1"},
		{"incomplete with port", pub + ":30303"},
		{"incomplete with path", pub + "/x"},
		{"path", pub + "@1.2.3.4:1/x"},
		{"fragment", pub + "@1.2.3.4:1#x"},
		{"enr garbage", "enr:xyz"},
		{"enr tampered", vectorENR[:len(vectorENR)-3] + "AAA"},
		{"too long", pub + "@1.2.3.4:1?x=" + strings.Repeat("a", 1024)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := ParseNode(tt.in)
			require.ErrorIs(t, err, ErrInvalidNode)
			require.Nil(t, n)
		})
	}
}

func TestNewNode(t *testing.T) {
	key := testKey(t, 1)
	sign := func(t *testing.T, edit func(r *enr.Record)) *enr.Record {
		var r enr.Record
		edit(&r)
		require.NoError(t, r.SignV4(key))
		return &r
	}
	tests := []struct {
		name     string
		edit     func(r *enr.Record)
		ip       string
		tcp, udp uint16
	}{
		{"no address", func(r *enr.Record) { r.SetUDP(1) }, "", 0, 1},
		{"ipv4", func(r *enr.Record) {
			r.SetIP(netip.MustParseAddr("1.2.3.4"))
			r.SetTCP(3)
			r.SetUDP(4)
		}, "1.2.3.4", 3, 4},
		{"prefers ipv4", func(r *enr.Record) {
			r.SetIP(netip.MustParseAddr("2001:db8::5"))
			r.SetIP(netip.MustParseAddr("1.2.3.4"))
			r.SetTCP(3)
			r.SetUDP(4)
			r.SetTCP6(5)
			r.SetUDP6(6)
		}, "1.2.3.4", 3, 4},
		{"prefers a global ipv6 over a private ipv4", func(r *enr.Record) {
			r.SetIP(netip.MustParseAddr("2001:db8::5"))
			r.SetIP(netip.MustParseAddr("192.168.1.1"))
			r.SetUDP(4)
			r.SetUDP6(6)
		}, "2001:db8::5", 0, 6},
		{"prefers a private ipv4 over a link-local ipv6", func(r *enr.Record) {
			r.SetIP(netip.MustParseAddr("fe80::1"))
			r.SetIP(netip.MustParseAddr("192.168.1.1"))
			r.SetUDP(4)
			r.SetUDP6(6)
		}, "192.168.1.1", 0, 4},
		{"ignores multicast", func(r *enr.Record) {
			r.SetIP(netip.MustParseAddr("2001:db8::5"))
			r.SetIP(netip.MustParseAddr("224.0.0.1"))
			r.SetUDP(4)
			r.SetUDP6(6)
		}, "2001:db8::5", 0, 6},
		{"ipv4-mapped ip6 uses ipv4 ports", func(r *enr.Record) {
			require.NoError(t, r.Set(enr.KeyIP6, rlp.AppendBytes(nil, netip.MustParseAddr("::ffff:1.2.3.4").AsSlice())))
			r.SetUDP(4)
			r.SetUDP6(6)
		}, "1.2.3.4", 0, 4},
		{"ipv6 own ports", func(r *enr.Record) {
			r.SetIP(netip.MustParseAddr("2001:db8::5"))
			r.SetTCP(3)
			r.SetUDP(4)
			r.SetTCP6(5)
			r.SetUDP6(6)
		}, "2001:db8::5", 5, 6},
		{"ipv6 falls back to tcp/udp", func(r *enr.Record) {
			r.SetIP(netip.MustParseAddr("2001:db8::5"))
			r.SetTCP(3)
			r.SetUDP(4)
		}, "2001:db8::5", 3, 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := NewNode(sign(t, tt.edit))
			require.NoError(t, err)
			require.Equal(t, nodeid.FromPubkey(key.PubKey()), n.ID())
			require.True(t, n.Pubkey().IsEqual(key.PubKey()))
			if tt.ip == "" {
				require.True(t, n.Incomplete())
			} else {
				require.Equal(t, netip.MustParseAddr(tt.ip), n.IP())
			}
			require.Equal(t, tt.tcp, n.TCP())
			require.Equal(t, tt.udp, n.UDP())
			// Every complete or incomplete record node survives its text form.
			back, err := ParseNode(n.String())
			require.NoError(t, err)
			require.Equal(t, n.ID(), back.ID())
			require.Equal(t, n.UDPAddr(), back.UDPAddr())
		})
	}
	t.Run("unsigned", func(t *testing.T) {
		var r enr.Record
		r.SetUDP(1)
		_, err := NewNode(&r)
		require.ErrorIs(t, err, ErrInvalidNode)
		_, err = NewNode(nil)
		require.ErrorIs(t, err, ErrInvalidNode)
	})
	t.Run("keeps its own copy", func(t *testing.T) {
		r := sign(t, func(r *enr.Record) { r.SetUDP(7) })
		n, err := NewNode(r)
		require.NoError(t, err)
		r.SetUDP(8)
		require.NoError(t, r.SignV4(key))
		back, err := ParseNode(n.String())
		require.NoError(t, err)
		require.Equal(t, uint16(7), back.UDP())
	})
}

func TestNewV4(t *testing.T) {
	key := testKey(t, 2)
	n := NewV4(key.PubKey(), netip.MustParseAddr("::ffff:10.0.0.1"), 1, 2)
	require.Equal(t, netip.MustParseAddr("10.0.0.1"), n.IP())
	require.Equal(t, netip.MustParseAddrPort("10.0.0.1:1"), n.TCPAddr())
	require.Equal(t, netip.MustParseAddrPort("10.0.0.1:2"), n.UDPAddr())
	require.True(t, strings.HasPrefix(n.TerminalString(), n.ID().TerminalString()+"@10.0.0.1:2"))
	back, err := ParseNode(n.URLv4())
	require.NoError(t, err)
	require.Equal(t, n.ID(), back.ID())
	require.Equal(t, n.UDPAddr(), back.UDPAddr())
	require.Equal(t, n.TCPAddr(), back.TCPAddr())

	for _, ip := range []string{"224.0.0.1", "ff02::1"} {
		require.True(t, NewV4(key.PubKey(), netip.MustParseAddr(ip), 1, 1).Incomplete(), "multicast %s", ip)
	}
}
