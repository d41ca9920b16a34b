package v5wire

import (
	"net/netip"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/rlp"
)

// Message plaintexts as go-ethereum v1.17.10 encodes them (derived data,
// see DISCV5 vectors §4 in the project notes; computed with geth's
// v5wire types).
var messageVectors = []struct {
	name string
	msg  Message
	hex  string
}{
	{"ping", &Ping{ReqID: []byte{0, 0, 0, 1}, ENRSeq: 2}, "01c6840000000102"},
	{"pong-ipv4", &Pong{ReqID: []byte{0, 0, 0, 1}, ENRSeq: 1, ToIP: netip.MustParseAddr("127.0.0.1"), ToPort: 30303}, "02ce840000000101847f00000182765f"},
	{"pong-ipv6", &Pong{ReqID: []byte{0, 0, 0, 1}, ENRSeq: 1, ToIP: netip.MustParseAddr("2001:db8::1"), ToPort: 30303}, "02da8400000001019020010db800000000000000000000000182765f"},
	{"findnode-0", &Findnode{ReqID: []byte{0, 0, 0, 1}, Distances: []uint{0}}, "03c78400000001c180"},
	{"findnode-256-255-254", &Findnode{ReqID: []byte{0, 0, 0, 1}, Distances: []uint{256, 255, 254}}, "03cd8400000001c782010081ff81fe"},
	{"nodes-empty", &Nodes{ReqID: []byte{0, 0, 0, 1}, Total: 1}, "04c7840000000101c0"},
	{"talkreq-empty", &TalkRequest{ReqID: []byte{}, Protocol: "test-protocol", Message: []byte{}}, "05d0808d746573742d70726f746f636f6c80"},
	{"talkresp-empty", &TalkResponse{ReqID: []byte{}, Message: []byte{}}, "06c28080"},
}

func TestMessageVectors(t *testing.T) {
	for _, tc := range messageVectors {
		t.Run(tc.name, func(t *testing.T) {
			want := hexBytes(t, tc.hex)
			require.Equal(t, want, AppendMessage(nil, tc.msg))
			got, err := DecodeMessage(want)
			require.NoError(t, err)
			if n, ok := got.(*Nodes); ok && len(n.Nodes) == 0 {
				n.Nodes = nil
			}
			if f, ok := got.(*Findnode); ok {
				require.Equal(t, tc.msg.(*Findnode).Distances, f.Distances)
			} else {
				require.Equal(t, tc.msg, got)
			}
			// Prefixes never decode.
			for i := 1; i < len(want); i++ {
				_, err := DecodeMessage(want[:i])
				require.Error(t, err, "prefix %d", i)
			}
		})
	}
}

func TestMessageStrict(t *testing.T) {
	for _, tc := range []struct {
		name, hex string
		err       error
	}{
		{"ping-extra-element", "01c7840000000102c0", ErrMalformed},
		{"ping-missing-element", "01c58400000001", ErrMalformed},
		{"ping-trailing-bytes", "01c684000000010200", ErrMalformed},
		{"ping-9-byte-req-id", "01cb8900000000000000000001", ErrInvalidReqID},
		{"pong-port-overflow", "02d0840000000101847f0000018301765f", ErrMalformed},
		{"nodes-total-256", "04c9840000000182010000c0", ErrMalformed},
		{"nodes-not-a-record", "04c8840000000101c180", ErrMalformed},
		{"unknown-type-7", "07c0", ErrUnknownMessage},
		{"unknown-type-0", "00c0", ErrUnknownMessage},
		{"empty", "", ErrMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := DecodeMessage(hexBytes(t, tc.hex))
			require.ErrorIs(t, err, tc.err)
		})
	}
}

func TestMessageReqIDEchoed(t *testing.T) {
	for _, id := range [][]byte{{}, {0}, {0, 0, 0, 1}, {1, 2, 3, 4, 5, 6, 7, 8}} {
		got, err := DecodeMessage(AppendMessage(nil, &Ping{ReqID: id, ENRSeq: 1}))
		require.NoError(t, err)
		require.Equal(t, id, got.RequestID())
	}
}

func TestNodesRecordLimits(t *testing.T) {
	rec := recordA(t)
	raw, err := rec.AppendRLP(nil)
	require.NoError(t, err)
	body := AppendMessage(nil, &Nodes{ReqID: []byte{1}, Total: 1, Nodes: []*enr.Record{rec, rec}})
	got, err := DecodeMessage(body)
	require.NoError(t, err)
	require.Len(t, got.(*Nodes).Nodes, 2)

	t.Run("bad-signature-fails-packet", func(t *testing.T) {
		bad := append([]byte(nil), body...)
		// Flip a bit inside the second record's signature.
		i := len(bad) - len(raw) + 5
		bad[i] ^= 1
		_, err := DecodeMessage(bad)
		require.ErrorIs(t, err, ErrMalformed)
		require.ErrorIs(t, err, enr.ErrInvalidSig)
	})
}

// A record over 300 bytes fails the whole NODES packet (go-ethereum does
// the same), before its signature is checked.
func TestNodesOversizedRecord(t *testing.T) {
	var rec []byte
	rec, mark := rlp.StartList(rec)
	rec = rlp.AppendBytes(rec, make([]byte, 64))
	rec = rlp.AppendUint64(rec, 1)
	rec = rlp.AppendString(rec, "id")
	rec = rlp.AppendString(rec, "v4")
	rec = rlp.AppendString(rec, "z")
	rec = rlp.AppendBytes(rec, make([]byte, 222))
	rec = rlp.EndList(rec, mark)
	require.Equal(t, 301, len(rec))
	body, m2 := rlp.StartList([]byte{NodesMsg})
	body = rlp.AppendBytes(body, []byte{1})
	body = rlp.AppendUint64(body, 1)
	body, m3 := rlp.StartList(body)
	body = append(body, rec...)
	body = rlp.EndList(body, m3)
	body = rlp.EndList(body, m2)
	_, err := DecodeMessage(body)
	require.ErrorIs(t, err, enr.ErrTooBig)
}
