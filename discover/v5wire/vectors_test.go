package v5wire

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/nodeid"
)

// The packet vectors of discv5-wire-test-vectors.md, "Packet Encodings",
// in testdata/: each must encode from its inputs byte for byte, and decode
// with node B's key.

func TestVectorEncode(t *testing.T) {
	keyA, keyB := keyFromHex(t, nodeAKeyHex), keyFromHex(t, nodeBKeyHex)
	idA, idB := nodeid.FromPubkey(keyA.PubKey()), nodeid.FromPubkey(keyB.PubKey())
	var zeroIV [MaskingIVSize]byte
	ping := func(seq uint64) []byte {
		return AppendMessage(nil, &Ping{ReqID: []byte{0, 0, 0, 1}, ENRSeq: seq})
	}

	t.Run("ping-message", func(t *testing.T) {
		v := readVector(t, "ping-message")
		got, err := EncodeMessagePacket(idB, idA, zeroIV, Nonce(v.bytes(t, "nonce")), v.bytes(t, "read-key"), ping(2))
		require.NoError(t, err)
		require.Equal(t, v.packet, got)
	})
	t.Run("whoareyou", func(t *testing.T) {
		v := readVector(t, "whoareyou")
		w := &Whoareyou{Nonce: Nonce(v.bytes(t, "whoareyou.request-nonce")), IDNonce: [16]byte(v.bytes(t, "whoareyou.id-nonce"))}
		got, err := EncodeWhoareyou(idB, zeroIV, w)
		require.NoError(t, err)
		require.Equal(t, v.packet, got)
		require.Equal(t, v.bytes(t, "whoareyou.challenge-data"), w.ChallengeData)
	})
	for _, name := range []string{"ping-handshake", "ping-handshake-enr"} {
		t.Run(name, func(t *testing.T) {
			v := readVector(t, name)
			hp := HandshakeParams{
				Key:           keyA,
				Ephemeral:     keyFromHex(t, v.fields["ephemeral-key"]),
				RemoteID:      idB,
				RemoteKey:     keyB.PubKey(),
				ChallengeData: v.bytes(t, "whoareyou.challenge-data"),
			}
			if name == "ping-handshake-enr" {
				var err error
				hp.Record, err = recordA(t).AppendRLP(nil)
				require.NoError(t, err)
			}
			require.Equal(t, v.bytes(t, "ephemeral-pubkey"), hp.Ephemeral.PubKey().SerializeCompressed())
			got, keys, err := EncodeHandshakePacket(zeroIV, Nonce(v.bytes(t, "nonce")), hp, ping(1))
			require.NoError(t, err)
			require.Equal(t, v.bytes(t, "read-key"), keys.InitiatorKey[:])
			require.Equal(t, v.packet, got)
		})
	}
}

func TestVectorDecode(t *testing.T) {
	keyA, keyB := keyFromHex(t, nodeAKeyHex), keyFromHex(t, nodeBKeyHex)
	idA := nodeid.FromPubkey(keyA.PubKey())
	want := func(seq uint64) *Ping { return &Ping{ReqID: []byte{0, 0, 0, 1}, ENRSeq: seq} }

	t.Run("ping-message", func(t *testing.T) {
		v := readVector(t, "ping-message")
		b := newTestNode(t, keyB, CodecConfig{})
		// As in go-ethereum's test: A writes with 16 zero bytes.
		b.codec.sessions.put(sessionKey{idA, testAddr}, newSession([KeySize]byte{}, [16]byte(v.bytes(t, "read-key"))))
		src, rec, p, err := b.codec.Decode(v.packet, testAddr)
		require.NoError(t, err)
		require.Equal(t, idA, src)
		require.Nil(t, rec)
		require.Equal(t, want(2), p)
	})
	t.Run("ping-message/no-session", func(t *testing.T) {
		v := readVector(t, "ping-message")
		b := newTestNode(t, keyB, CodecConfig{})
		src, _, p, err := b.codec.Decode(v.packet, testAddr)
		require.NoError(t, err)
		require.Equal(t, idA, src)
		require.Equal(t, &Unknown{Nonce: Nonce(v.bytes(t, "nonce"))}, p)
	})
	t.Run("whoareyou", func(t *testing.T) {
		v := readVector(t, "whoareyou")
		b := newTestNode(t, keyB, CodecConfig{})
		_, _, p, err := b.codec.Decode(v.packet, testAddr)
		require.NoError(t, err)
		require.Equal(t, &Whoareyou{
			Nonce:         Nonce(v.bytes(t, "whoareyou.request-nonce")),
			IDNonce:       [16]byte(v.bytes(t, "whoareyou.id-nonce")),
			ChallengeData: v.bytes(t, "whoareyou.challenge-data"),
		}, p)
	})
	for _, tc := range []struct {
		name    string
		known   bool // B knows A's record (the WHOAREYOU said enr-seq 1)
		wantRec bool
	}{
		{"ping-handshake", true, false},
		{"ping-handshake-enr", false, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := readVector(t, tc.name)
			b := newTestNode(t, keyB, CodecConfig{})
			w := &Whoareyou{ChallengeData: v.bytes(t, "whoareyou.challenge-data")}
			ch := &challenge{w: w, sent: b.codec.cfg.Clock.Now()}
			if tc.known {
				ch.known = recordA(t)
			}
			b.codec.challenges[sessionKey{idA, testAddr}] = ch
			src, rec, p, err := b.codec.Decode(v.packet, testAddr)
			require.NoError(t, err)
			require.Equal(t, idA, src)
			require.Equal(t, want(1), p)
			if tc.wantRec {
				require.NotNil(t, rec)
				require.Equal(t, nodeARecord, mustText(t, rec))
			} else {
				require.Nil(t, rec)
			}
			s := b.codec.sessions.get(sessionKey{idA, testAddr})
			require.NotNil(t, s)
			require.Equal(t, v.bytes(t, "read-key"), s.readKey[:])
			require.Zero(t, b.codec.PendingChallenges())
		})
	}
	t.Run("ping-handshake/no-record", func(t *testing.T) {
		v := readVector(t, "ping-handshake")
		b := newTestNode(t, keyB, CodecConfig{})
		w := &Whoareyou{ChallengeData: v.bytes(t, "whoareyou.challenge-data")}
		b.codec.challenges[sessionKey{idA, testAddr}] = &challenge{w: w, sent: b.codec.cfg.Clock.Now()}
		_, _, _, err := b.codec.Decode(v.packet, testAddr)
		require.ErrorIs(t, err, ErrNoRecord)
	})
}

func mustText(t testing.TB, r interface{ MarshalText() ([]byte, error) }) string {
	t.Helper()
	b, err := r.MarshalText()
	require.NoError(t, err)
	return string(b)
}

// TestVectorDecodeErrors: the malformed packets of go-ethereum's
// TestDecodeErrorsV5.
func TestVectorDecodeErrors(t *testing.T) {
	b := newTestNode(t, keyFromHex(t, nodeBKeyHex), CodecConfig{})
	hs := readVector(t, "ping-handshake").packet
	for _, tc := range []struct {
		name  string
		input []byte
		err   error
	}{
		{"empty", nil, ErrPacketTooSmall},
		{"62-zero-bytes", make([]byte, 62), ErrPacketTooSmall},
		{"63-zero-bytes", make([]byte, 63), ErrInvalidHeader},
		{"handshake-86-bytes", hs[:len(hs)-108], ErrPacketTooSmall},
		{"1281-bytes", make([]byte, MaxPacketSize+1), ErrPacketTooBig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, _, err := b.codec.Decode(tc.input, testAddr)
			require.ErrorIs(t, err, tc.err)
		})
	}
}
