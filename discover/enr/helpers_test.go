package enr

import (
	"bufio"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlp"
)

// eip778 holds the fields of testdata/eip778.txt.
type eip778 struct {
	text, ip         string
	rlp, nodeID, sig []byte
	key              *secp256k1.PrivateKey
	seq              uint64
	udp              uint16
}

func loadEIP778(t testing.TB) eip778 {
	t.Helper()
	f, err := os.Open("testdata/eip778.txt")
	require.NoError(t, err)
	defer f.Close()
	fields := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		k, v, ok := strings.Cut(line, " ")
		require.True(t, ok, line)
		fields[k] = v
	}
	require.NoError(t, sc.Err())
	unhex := func(k string) []byte {
		b, err := hex.DecodeString(fields[k])
		require.NoError(t, err, k)
		return b
	}
	return eip778{
		text:   fields["text"],
		rlp:    unhex("rlp"),
		nodeID: unhex("nodeid"),
		sig:    unhex("signature"),
		key:    secp256k1.PrivKeyFromBytes(unhex("key")),
		seq:    1,
		ip:     fields["ip"],
		udp:    30303,
	}
}

// rawRecord encodes the items of a record given as already-encoded RLP
// values, signing them with key (if non-nil) over exactly those items. It
// lets tests build records that break one rule while being correctly signed.
func rawRecord(t testing.TB, key *secp256k1.PrivateKey, items ...[]byte) []byte {
	t.Helper()
	var content []byte
	for _, it := range items {
		content = append(content, it...)
	}
	var sig []byte
	if key != nil {
		h := contentHash(content)
		s, err := ethcrypto.SignENR(key, h[:])
		require.NoError(t, err)
		sig = s[:]
	} else {
		sig = make([]byte, 64)
	}
	inner := append(rlp.AppendBytes(nil, sig), content...)
	return append(rlp.AppendListHeader(nil, uint64(len(inner))), inner...)
}

func str(s string) []byte { return rlp.AppendString(nil, s) }
func bin(b []byte) []byte { return rlp.AppendBytes(nil, b) }
func u64(x uint64) []byte { return rlp.AppendUint64(nil, x) }
func v4items(key *secp256k1.PrivateKey) [][]byte {
	return [][]byte{str("id"), str("v4"), str("secp256k1"), bin(key.PubKey().SerializeCompressed())}
}

func newKey(t testing.TB, seed byte) *secp256k1.PrivateKey {
	t.Helper()
	var b [32]byte
	b[31] = seed
	b[0] = 0x42
	return secp256k1.PrivKeyFromBytes(b[:])
}
