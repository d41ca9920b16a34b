package v5wire

import (
	"bufio"
	"encoding/hex"
	"net/netip"
	"os"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Keys of the published vectors (discv5-wire-test-vectors.md).
const (
	nodeAKeyHex = "eef77acb6c6a6eebc5b363a475ac583ec7eccdb42b6481424c60f59aa326547f"
	nodeBKeyHex = "66fb62bfbd66b9177a138c1e5cddbe4f7c30c343e94e68df8769459cb1cde628"
	// nodeARecord is node A's record carried by the "ping-handshake-enr"
	// vector.
	nodeARecord = "enr:-H24QBfhsHORjaMtZAZCx2LA4ngWmOSXH4qzmnd0atrYPwHnb_yHTFkkgIu-fFCJCILCuKASh6CwgxLR1ToX1Rf16ycBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQMT0UIR4Ch7I2GhYViQqbUhIIBUbQoleuTP-Wz1NJksuQ"
)

var testAddr = netip.MustParseAddrPort("127.0.0.1:30303")

func hexBytes(t testing.TB, s string) []byte {
	t.Helper()
	s = strings.TrimPrefix(strings.Join(strings.Fields(s), ""), "0x")
	b, err := hex.DecodeString(s)
	require.NoError(t, err)
	return b
}

func keyFromHex(t testing.TB, s string) *secp256k1.PrivateKey {
	t.Helper()
	return secp256k1.PrivKeyFromBytes(hexBytes(t, s))
}

// vectorFile is one testdata/v5.1-*.txt file: its "# name = value"
// comment fields and the packet.
type vectorFile struct {
	fields map[string]string
	packet []byte
}

func readVector(t testing.TB, name string) vectorFile {
	t.Helper()
	f, err := os.Open("testdata/v5.1-" + name + ".txt")
	require.NoError(t, err)
	defer f.Close()
	v := vectorFile{fields: map[string]string{}}
	var hexText strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if c, ok := strings.CutPrefix(line, "#"); ok {
			if k, val, ok := strings.Cut(c, "="); ok {
				v.fields[strings.TrimSpace(k)] = strings.TrimSpace(val)
			}
			continue
		}
		hexText.WriteString(line)
	}
	require.NoError(t, sc.Err())
	v.packet = hexBytes(t, hexText.String())
	return v
}

func (v vectorFile) bytes(t testing.TB, key string) []byte {
	t.Helper()
	s, ok := v.fields[key]
	require.True(t, ok, "missing field %s", key)
	return hexBytes(t, s)
}

func recordA(t testing.TB) *enr.Record {
	t.Helper()
	r, err := enr.Parse(nodeARecord)
	require.NoError(t, err)
	return r
}

// testNode is a key with a codec.
type testNode struct {
	key   *secp256k1.PrivateKey
	id    nodeid.ID
	rec   *enr.Record
	codec *Codec
}

func newTestNode(t testing.TB, key *secp256k1.PrivateKey, cfg CodecConfig) *testNode {
	t.Helper()
	n := &testNode{key: key, id: nodeid.FromPubkey(key.PubKey())}
	n.rec = new(enr.Record)
	n.rec.SetIP(netip.MustParseAddr("127.0.0.1"))
	n.rec.SetUDP(30303)
	n.rec.SetSeq(1)
	require.NoError(t, n.rec.SignV4(key))
	c, err := NewCodec(key, func() *enr.Record { return n.rec }, cfg)
	require.NoError(t, err)
	n.codec = c
	return n
}

func genKey(t testing.TB) *secp256k1.PrivateKey {
	t.Helper()
	k, err := secp256k1.GeneratePrivateKey()
	require.NoError(t, err)
	return k
}
