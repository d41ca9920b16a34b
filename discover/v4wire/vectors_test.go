package v4wire

import (
	"bufio"
	"encoding/hex"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/rlp"
	"github.com/stretchr/testify/require"
)

// The key that signed the EIP-8 and go-ethereum packets, and its public key.
const (
	vectorKey    = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"
	vectorPubkey = "ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f"
)

func loadPackets(t testing.TB) map[string][]byte {
	t.Helper()
	f, err := os.Open("testdata/packets.txt")
	require.NoError(t, err)
	defer f.Close()
	out := map[string][]byte{}
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<16)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		name, h, _ := strings.Cut(line, " ")
		b, err := hex.DecodeString(h)
		require.NoError(t, err, name)
		out[name] = b
	}
	require.NoError(t, sc.Err())
	return out
}

func ip(s string) netip.Addr { return netip.MustParseAddr(s) }

func hexBytes(t testing.TB, s string) []byte {
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func raws(t testing.TB, hexes ...string) []rlp.RawValue {
	var out []rlp.RawValue
	for _, h := range hexes {
		out = append(out, hexBytes(t, h))
	}
	return out
}

func pubkey(t testing.TB, s string) Pubkey {
	var k Pubkey
	require.Equal(t, 64, copy(k[:], hexBytes(t, s)))
	return k
}

// TestVectors decodes every packet of EIP-8 "RLPx Discovery Protocol" and checks each field
// against the expected values listed there.
func TestVectors(t *testing.T) {
	packets := loadPackets(t)
	signer := pubkey(t, vectorPubkey)
	const exp = 1136239445
	tests := []struct {
		name   string
		want   Packet
		signer bool // signed by the vector key
	}{
		{"eip8-ping-v4", &Ping{
			Version:    4,
			From:       Endpoint{ip("127.0.0.1"), 3322, 5544},
			To:         Endpoint{ip("::1"), 2222, 3333},
			Expiration: exp,
			ENRSeq:     1,
			Rest:       raws(t, "02"),
		}, true},
		{"eip8-ping-v555", &Ping{
			Version:    555,
			From:       Endpoint{ip("2001:db8:3c4d:15::abcd:ef12"), 3322, 5544},
			To:         Endpoint{ip("2001:db8:85a3:8d3:1319:8a2e:370:7348"), 2222, 33338},
			Expiration: exp,
			Rest:       raws(t, "c50102030405"),
		}, true},
		{"eip8-pong", &Pong{
			To:         Endpoint{ip("2001:db8:85a3:8d3:1319:8a2e:370:7348"), 2222, 33338},
			ReplyTok:   [32]byte(hexBytes(t, "fbc914b16819237dcd8801d7e53f69e9719adecb3cc0e790c57e91ca4461c954")),
			Expiration: exp,
			Rest:       raws(t, "c6010203c20405", "06"),
		}, true},
		{"eip8-findnode", &Findnode{
			Target:     signer,
			Expiration: exp,
			Rest:       raws(t, "829999", "83999999"),
		}, true},
		{"eip8-neighbours", &Neighbors{
			Nodes: []Node{
				{ip("99.33.22.55"), 4444, 4445, pubkey(t, "3155e1427f85f10a5c9a7755877748041af1bcd8d474ec065eb33df57a97babf54bfd2103575fa829115d224c523596b401065a97f74010610fce76382c0bf32")},
				{ip("1.2.3.4"), 1, 1, pubkey(t, "312c55512422cf9b8a4097e9a6ad79402e87a15ae909a4bfefa22398f03d20951933beea1e4dfa6f968212385e829f04c2d314fc2d4e255e0d3bc08792b069db")},
				{ip("2001:db8:3c4d:15::abcd:ef12"), 3333, 3333, pubkey(t, "38643200b172dcfef857492156971f0e6aa2c538d8b74010f8e140811d53b98c765dd2d96126051913f44582e8c199ad7c6d6819e9a56483f637feaac9448aac")},
				{ip("2001:db8:85a3:8d3:1319:8a2e:370:7348"), 999, 1000, pubkey(t, "8dcab8618c3253b558d459da53bd8fa68935a719aff8b811197101a4b2b47dd2d47295286fc00cc081bb542d760717d1bdd6bec2c37cd72eca367d6dd3b9df73")},
			},
			Expiration: exp,
			Rest:       raws(t, "01", "02", "03"),
		}, true},
		{"geth-ping-no-enrseq", &Ping{
			Version:    4,
			From:       Endpoint{ip("127.0.0.1"), 3322, 5544},
			To:         Endpoint{ip("::1"), 2222, 3333},
			Expiration: exp,
		}, true},
		{"reth-decode-ping", &Ping{
			Version:    4,
			From:       Endpoint{ip("3.209.45.79"), 30303, 30303},
			To:         Endpoint{ip("62.216.202.230"), 35494, 0},
			Expiration: 1666619670,
			ENRSeq:     38512,
		}, false},
		{"reth-decode-pong", &Pong{
			To:         Endpoint{ip("62.216.202.230"), 64796, 0},
			ReplyTok:   [32]byte(hexBytes(t, "08ad4dead0922211df47593e7d837b2b23d13954285871ca23250ea594993ded")),
			Expiration: 1666617573,
			ENRSeq:     38512,
		}, false},
		{"reth-decode-failing", &Ping{
			Version:    4,
			From:       Endpoint{}, // c3808080: empty IP, ports 0
			To:         Endpoint{ip("10.72.14.143"), 30303, 0},
			Expiration: 1722392675,
			ENRSeq:     1722391150334,
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input, ok := packets[tt.name]
			require.True(t, ok, "vector missing from testdata")
			p, sender, hash, err := Decode(input)
			require.NoError(t, err)
			require.Equal(t, tt.want, p)
			require.Equal(t, input[:32], hash[:])
			if tt.signer {
				require.Equal(t, signer, sender)
			} else {
				require.True(t, sender != Pubkey{})
				_, err := sender.Parse()
				require.NoError(t, err)
			}
			require.True(t, p.String() != "")
		})
	}
	t.Run("all vectors covered", func(t *testing.T) {
		require.Equal(t, len(tests), len(packets))
	})
}

// TestDecodeNodeZeroIP is reth's decode_node case: a Neighbors entry whose
// IP is 0.0.0.0.
func TestDecodeNodeZeroIP(t *testing.T) {
	r, _ := rlp.NewListReader(hexBytes(t, "cccb840000000082115c82115d"))
	e := readEndpoint(&r, "Node")
	require.NoError(t, r.Err())
	require.Equal(t, Endpoint{ip("0.0.0.0"), 4444, 4445}, e)
}
