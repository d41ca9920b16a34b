package v4wire

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
)

func testKey(t testing.TB) *secp256k1.PrivateKey {
	return secp256k1.PrivKeyFromBytes(hexBytes(t, vectorKey))
}

func testRecord(t testing.TB, key *secp256k1.PrivateKey) enr.Record {
	var r enr.Record
	r.SetSeq(9)
	r.SetIP(netip.MustParseAddr("10.0.0.1"))
	r.SetUDP(30303)
	require.NoError(t, r.SignV4(key))
	return r
}

// samplePackets returns one packet of every type, with all fields set.
func samplePackets(t testing.TB) []Packet {
	key := testKey(t)
	return []Packet{
		&Ping{Version: 4, From: Endpoint{ip("1.2.3.4"), 30303, 30304}, To: Endpoint{ip("2001:db8::1"), 1, 0}, Expiration: 1700000000, ENRSeq: 77},
		&Ping{Version: 4, From: Endpoint{}, To: Endpoint{ip("1.2.3.4"), 1, 0}, Expiration: 1},
		&Pong{To: Endpoint{ip("1.2.3.4"), 30303, 0}, ReplyTok: [32]byte{1, 2, 3}, Expiration: math.MaxUint64, ENRSeq: 1},
		&Pong{To: Endpoint{ip("1.2.3.4"), 30303, 0}, ReplyTok: [32]byte{1, 2, 3}, Expiration: 5},
		&Findnode{Target: PubkeyOf(key.PubKey()), Expiration: 1700000000},
		&Neighbors{Nodes: []Node{
			{ip("1.2.3.4"), 30303, 30303, PubkeyOf(key.PubKey())},
			{ip("2001:db8::7"), 65535, 65535, Pubkey{0xff}},
		}, Expiration: 1700000000},
		&Neighbors{Nodes: []Node{}, Expiration: 3},
		&ENRRequest{Expiration: 1700000000},
		&ENRResponse{ReplyTok: [32]byte{9}, Record: testRecord(t, key)},
	}
}

func TestEncodeDecodeRoundTrip(t *testing.T) {
	key := testKey(t)
	for _, p := range samplePackets(t) {
		t.Run(p.String(), func(t *testing.T) {
			enc, hash, err := Encode(key, p)
			require.NoError(t, err)
			require.True(t, len(enc) <= MaxPacketSize)
			require.Equal(t, enc[:32], hash[:])
			dec, sender, dhash, err := Decode(enc)
			require.NoError(t, err)
			require.Equal(t, PubkeyOf(key.PubKey()), sender)
			require.Equal(t, hash, dhash)
			require.Equal(t, p.Kind(), dec.Kind())
			require.Equal(t, p.Name(), dec.Name())
			if r, ok := p.(*ENRResponse); ok {
				// Records compare by their encoding.
				d := dec.(*ENRResponse)
				require.Equal(t, r.ReplyTok, d.ReplyTok)
				require.Equal(t, r.Record.String(), d.Record.String())
				return
			}
			require.Equal(t, p, dec)
			require.Equal(t, p.String(), dec.String())
		})
	}
}

func TestDecodeDoesNotAlias(t *testing.T) {
	packets := loadPackets(t)
	for _, name := range []string{"eip8-ping-v4", "eip8-neighbours", "eip8-findnode"} {
		t.Run(name, func(t *testing.T) {
			input := bytes.Clone(packets[name])
			p, _, _, err := Decode(input)
			require.NoError(t, err)
			before := p.String()
			var restBefore [][]byte
			for _, r := range restOf(p) {
				restBefore = append(restBefore, bytes.Clone(r))
			}
			for i := range input {
				input[i] = 0xee
			}
			require.Equal(t, before, p.String())
			for i, r := range restOf(p) {
				require.Equal(t, restBefore[i], []byte(r))
			}
		})
	}
}

func restOf(p Packet) [][]byte {
	var out [][]byte
	switch p := p.(type) {
	case *Ping:
		for _, r := range p.Rest {
			out = append(out, r)
		}
	case *Neighbors:
		for _, r := range p.Rest {
			out = append(out, r)
		}
	case *Findnode:
		for _, r := range p.Rest {
			out = append(out, r)
		}
	}
	return out
}

// packet builds a signed packet with an arbitrary body.
func packet(t testing.TB, kind byte, body []byte) []byte {
	key := testKey(t)
	buf := make([]byte, headSize, headSize+1+len(body))
	buf = append(buf, kind)
	buf = append(buf, body...)
	sighash := ethcrypto.Keccak256(buf[headSize:])
	sig, err := ethcrypto.Sign(key, sighash[:])
	require.NoError(t, err)
	copy(buf[hashSize:], sig[:])
	h := ethcrypto.Keccak256(buf[hashSize:])
	copy(buf, h[:])
	return buf
}

func TestDecodeErrors(t *testing.T) {
	vectors := loadPackets(t)
	good := vectors["geth-ping-no-enrseq"]
	flip := func(i int) []byte {
		b := bytes.Clone(good)
		b[i] ^= 1
		return b
	}
	rehash := func(b []byte) []byte {
		h := ethcrypto.Keccak256(b[hashSize:])
		copy(b, h[:])
		return b
	}
	ep := "c984" + "7f000001" + "8204d2" + "80" // [127.0.0.1, 1234, 0]
	tests := []struct {
		name  string
		input []byte
		want  error
	}{
		{"empty", nil, ErrPacketTooSmall},
		{"header only", make([]byte, headSize), ErrPacketTooSmall},
		{"too big", append(bytes.Clone(good), make([]byte, MaxPacketSize)...), ErrPacketTooBig},
		{"bad hash", flip(0), ErrBadHash},
		{"body changed", flip(len(good) - 1), ErrBadHash},
		{"unknown type", packet(t, 0x07, hexBytes(t, "c0")), ErrUnknownPacket},
		{"type zero", packet(t, 0x00, hexBytes(t, "c0")), ErrUnknownPacket},
		{"recovery id 2", func() []byte { b := bytes.Clone(good); b[96] = 2; return rehash(b) }(), ErrBadSignature},
		{"zero signature", func() []byte {
			b := bytes.Clone(good)
			clear(b[hashSize:headSize])
			return rehash(b)
		}(), ErrBadSignature},
		{"body not a list", packet(t, PingPacket, hexBytes(t, "8204d2")), ErrMalformed},
		{"empty ping", packet(t, PingPacket, hexBytes(t, "c0")), ErrMalformed},
		{"ping without expiration", packet(t, PingPacket, hexBytes(t, "d504"+ep+ep)), ErrMalformed},
		{"ping version over 64 bits", packet(t, PingPacket, hexBytes(t, "df"+"8901ffffffffffffffff"+ep+ep+"01")), ErrMalformed},
		{"ping endpoint not a list", packet(t, PingPacket, hexBytes(t, "c604"+"8180"+"8180"+"01")), ErrMalformed},
		{"ping ip is a list", packet(t, PingPacket, hexBytes(t, "d204"+"c5c0"+"8204d280"+ep+"01")), ErrMalformed},
		{"ping port too big", packet(t, PingPacket, hexBytes(t, "d704"+"ca847f000001"+"830186a0"+"80"+ep+"01")), ErrMalformed},
		{"ping non-canonical expiration", packet(t, PingPacket, hexBytes(t, "d804"+ep+ep+"820001")), ErrMalformed},
		{"ping malformed rest", packet(t, PingPacket, hexBytes(t, "d904"+ep+ep+"01"+"01"+"82ff")), ErrMalformed},
		{"pong short token", packet(t, PongPacket, hexBytes(t, "ce"+ep+"8201ff"+"01")), ErrMalformed},
		{"findnode short target", packet(t, FindnodePacket, hexBytes(t, "c5"+"8201ff"+"01"+"01")), ErrMalformed},
		{"neighbors nodes not a list", packet(t, NeighborsPacket, hexBytes(t, "c28001")), ErrMalformed},
		{"neighbors node without id", packet(t, NeighborsPacket, hexBytes(t, "cc"+"ca"+ep+"01")), ErrMalformed},
		{"enrrequest empty", packet(t, ENRRequestPacket, hexBytes(t, "c0")), ErrMalformed},
		{"enrresponse without record", packet(t, ENRResponsePacket, append([]byte{0xe1, 0xa0}, make([]byte, 32)...)), ErrMalformed},
		{"enrresponse bad record", packet(t, ENRResponsePacket, append(append([]byte{0xe2, 0xa0}, make([]byte, 32)...), 0xc0)), enr.ErrTooShort},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, _, err := Decode(tt.input)
			require.ErrorIs(t, err, tt.want)
			require.True(t, p == nil)
		})
	}
	t.Run("unknown type still yields the hash", func(t *testing.T) {
		in := packet(t, 0x42, []byte{0xc0})
		_, _, hash, err := Decode(in)
		require.True(t, errors.Is(err, ErrUnknownPacket))
		require.Equal(t, in[:32], hash[:])
	})
	t.Run("trailing bytes after the body", func(t *testing.T) {
		p, _, _, err := Decode(packet(t, ENRRequestPacket, hexBytes(t, "c50480c10102ffff")))
		require.NoError(t, err)
		require.Equal(t, &ENRRequest{Expiration: 4, Rest: raws(t, "80", "c101", "02")}, p)
	})
	t.Run("lenient enr-seq", func(t *testing.T) {
		// A non-canonical integer in the enr-seq slot is left to Rest.
		p, _, _, err := Decode(packet(t, PingPacket, hexBytes(t, "d904"+ep+ep+"01"+"820001")))
		require.NoError(t, err)
		require.Equal(t, uint64(0), p.(*Ping).ENRSeq)
		require.Equal(t, raws(t, "820001"), p.(*Ping).Rest)
	})
	t.Run("odd IP lengths give the zero Addr", func(t *testing.T) {
		p, _, _, err := Decode(packet(t, PingPacket, hexBytes(t, "d704"+"ca85"+"7f00000100"+"8204d280"+ep+"01")))
		require.NoError(t, err)
		require.Equal(t, Endpoint{UDP: 1234}, p.(*Ping).From)
		require.Equal(t, "-:1234/0", p.(*Ping).From.String())
	})
	t.Run("ipv4-mapped endpoint is unmapped", func(t *testing.T) {
		mapped := "d3" + "90" + "00000000000000000000ffff01020304" + "01" + "02"
		p, _, _, err := Decode(packet(t, PingPacket, hexBytes(t, "e0"+"04"+mapped+ep+"01")))
		require.NoError(t, err)
		require.Equal(t, Endpoint{ip("1.2.3.4"), 1, 2}, p.(*Ping).From)
	})
}

func TestMaxNeighbors(t *testing.T) {
	key := testKey(t)
	worst := Node{IP: ip("2001:db8:ffff:ffff:ffff:ffff:ffff:ffff"), UDP: math.MaxUint16, TCP: math.MaxUint16}
	for i := range worst.ID {
		worst.ID[i] = 0xff
	}
	nodes := make([]Node, MaxNeighbors+1)
	for i := range nodes {
		nodes[i] = worst
	}
	p := &Neighbors{Nodes: nodes[:MaxNeighbors], Expiration: math.MaxUint64}
	enc, _, err := Encode(key, p)
	require.NoError(t, err)
	require.True(t, len(enc) <= MaxPacketSize, "%d bytes", len(enc))

	p.Nodes = nodes
	_, _, err = Encode(key, p)
	require.ErrorIs(t, err, ErrPacketTooBig)
}

func TestEncodeUnsignedRecord(t *testing.T) {
	var r enr.Record
	r.SetUDP(1)
	_, _, err := Encode(testKey(t), &ENRResponse{Record: r})
	require.ErrorIs(t, err, enr.ErrNotSigned)
}

func TestExpired(t *testing.T) {
	now := time.Unix(1700000000, 500)
	tests := []struct {
		ts   uint64
		want bool
	}{
		{0, true},
		{1699999999, true},
		{1700000000, true}, // 1700000000.0 is before now
		{1700000001, false},
		{maxUnix, false},
		// Beyond time.Time's range: go-ethereum's conversion wraps it into
		// the past.
		{maxUnix + 1, true},
		{math.MaxInt64, true},
		// Read as a signed Unix time (go-ethereum does), 2^63 and above
		// are negative: expired.
		{1 << 63, true},
		{math.MaxUint64, true},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.ts), func(t *testing.T) {
			require.Equal(t, tt.want, Expired(tt.ts, now))
		})
	}
}

func TestStringsAreBounded(t *testing.T) {
	for _, p := range samplePackets(t) {
		s := p.String()
		require.True(t, strings.HasPrefix(s, p.Name()), s)
		require.True(t, len(s) < 1024, s)
	}
	// Zero values must print too.
	for _, p := range []Packet{&Ping{}, &Pong{}, &Findnode{}, &Neighbors{}, &ENRRequest{}, &ENRResponse{}} {
		require.True(t, p.String() != "")
	}
}

func TestPubkey(t *testing.T) {
	key := testKey(t)
	k := PubkeyOf(key.PubKey())
	require.Equal(t, vectorPubkey, k.String())
	pub, err := k.Parse()
	require.NoError(t, err)
	require.True(t, pub.IsEqual(key.PubKey()))
	id := k.ID()
	require.Equal(t, "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7", hex.EncodeToString(id[:]))
	var bad Pubkey
	_, err = bad.Parse()
	require.Error(t, err)
}
