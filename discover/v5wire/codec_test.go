package v5wire

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/nodeid"
)

var (
	addrA = netip.MustParseAddrPort("127.0.0.1:1001")
	addrB = netip.MustParseAddrPort("127.0.0.2:1002")
)

// handshake runs a ping from a to b through both codecs: random packet,
// WHOAREYOU, handshake. It returns what b decoded from the handshake.
func handshake(t *testing.T, a, b *testNode, bKnowsA *enr.Record) (*enr.Record, Packet) {
	t.Helper()
	ping := &Ping{ReqID: []byte{1}, ENRSeq: a.rec.Seq()}
	first, nonce, err := a.codec.EncodeMessage(b.id, addrB, ping)
	require.NoError(t, err)
	require.Len(t, first, MinMessagePacketSize+4) // 91 bytes, like go-ethereum

	src, _, p, err := b.codec.Decode(first, addrA)
	require.NoError(t, err)
	require.Equal(t, a.id, src)
	require.Equal(t, &Unknown{Nonce: nonce}, p)

	who, err := b.codec.EncodeWhoareyou(a.id, addrA, nonce, bKnowsA)
	require.NoError(t, err)
	require.Len(t, who, MinPacketSize)
	_, _, p, err = a.codec.Decode(who, addrB)
	require.NoError(t, err)
	w := p.(*Whoareyou)
	require.Equal(t, nonce, w.Nonce)

	hs, _, err := a.codec.EncodeHandshake(b.id, addrB, b.key.PubKey(), w, ping)
	require.NoError(t, err)
	src, rec, p, err := b.codec.Decode(hs, addrA)
	require.NoError(t, err)
	require.Equal(t, a.id, src)
	return rec, p
}

func TestCodecHandshake(t *testing.T) {
	a := newTestNode(t, genKey(t), CodecConfig{})
	b := newTestNode(t, genKey(t), CodecConfig{})
	rec, p := handshake(t, a, b, nil)
	require.Equal(t, &Ping{ReqID: []byte{1}, ENRSeq: 1}, p)
	require.NotNil(t, rec, "record sent when the WHOAREYOU says enr-seq 0")
	require.Equal(t, a.id, nodeid.ID(rec.NodeID()))

	// Both directions now work on the session.
	pong := &Pong{ReqID: []byte{1}, ENRSeq: 1, ToIP: addrA.Addr(), ToPort: addrA.Port()}
	pkt, _, err := b.codec.EncodeMessage(a.id, addrA, pong)
	require.NoError(t, err)
	_, _, got, err := a.codec.Decode(pkt, addrB)
	require.NoError(t, err)
	require.Equal(t, pong, got)
	pkt, _, err = a.codec.EncodeMessage(b.id, addrB, &Ping{ReqID: []byte{2}, ENRSeq: 1})
	require.NoError(t, err)
	_, _, got, err = b.codec.Decode(pkt, addrA)
	require.NoError(t, err)
	require.Equal(t, &Ping{ReqID: []byte{2}, ENRSeq: 1}, got)

	t.Run("other-address-has-no-session", func(t *testing.T) {
		_, _, got, err := b.codec.Decode(pkt, netip.MustParseAddrPort("127.0.0.9:1001"))
		require.NoError(t, err)
		require.IsType(t, &Unknown{}, got)
	})
	t.Run("record-omitted-when-known", func(t *testing.T) {
		a2 := newTestNode(t, genKey(t), CodecConfig{})
		b2 := newTestNode(t, genKey(t), CodecConfig{})
		rec, p := handshake(t, a2, b2, a2.rec)
		require.Nil(t, rec)
		require.IsType(t, &Ping{}, p)
	})
}

// The resend rule: while a challenge is pending, every undecryptable
// packet from the same node and address gets the identical WHOAREYOU.
func TestCodecWhoareyouResend(t *testing.T) {
	clk := new(clock.Simulated)
	b := newTestNode(t, genKey(t), CodecConfig{Clock: clk})
	idA := nodeid.ID{1}
	first, err := b.codec.EncodeWhoareyou(idA, addrA, Nonce{1}, nil)
	require.NoError(t, err)
	again, err := b.codec.EncodeWhoareyou(idA, addrA, Nonce{2}, nil)
	require.NoError(t, err)
	require.Equal(t, first, again)

	other, err := b.codec.EncodeWhoareyou(idA, addrB, Nonce{2}, nil)
	require.NoError(t, err)
	require.NotEqual(t, first, other, "another address gets its own challenge")

	clk.Run(DefaultChallengeTimeout)
	fresh, err := b.codec.EncodeWhoareyou(idA, addrA, Nonce{3}, nil)
	require.NoError(t, err)
	require.NotEqual(t, first, fresh, "an expired challenge is replaced")
}

func TestCodecChallengeLimits(t *testing.T) {
	t.Run("max-challenges", func(t *testing.T) {
		clk := new(clock.Simulated)
		b := newTestNode(t, genKey(t), CodecConfig{Clock: clk, MaxChallenges: 2})
		for i := range 2 {
			_, err := b.codec.EncodeWhoareyou(nodeid.ID{byte(i)}, addrA, Nonce{}, nil)
			require.NoError(t, err)
		}
		_, err := b.codec.EncodeWhoareyou(nodeid.ID{9}, addrA, Nonce{}, nil)
		require.ErrorIs(t, err, ErrTooManyChallenges)
		clk.Run(DefaultChallengeTimeout)
		_, err = b.codec.EncodeWhoareyou(nodeid.ID{9}, addrA, Nonce{}, nil)
		require.NoError(t, err, "expired challenges make room")
		require.Equal(t, 1, b.codec.PendingChallenges())
	})
	t.Run("expired-challenge-rejects-handshake", func(t *testing.T) {
		clk := new(clock.Simulated)
		a := newTestNode(t, genKey(t), CodecConfig{})
		b := newTestNode(t, genKey(t), CodecConfig{Clock: clk})
		who, err := b.codec.EncodeWhoareyou(a.id, addrA, Nonce{7}, nil)
		require.NoError(t, err)
		_, _, w, err := a.codec.Decode(who, addrB)
		require.NoError(t, err)
		hs, _, err := a.codec.EncodeHandshake(b.id, addrB, b.key.PubKey(), w.(*Whoareyou), &Ping{})
		require.NoError(t, err)
		clk.Run(DefaultChallengeTimeout)
		_, _, _, err = b.codec.Decode(hs, addrA)
		require.ErrorIs(t, err, ErrUnexpectedHandshake)
	})
	t.Run("invalid-config", func(t *testing.T) {
		_, err := NewCodec(genKey(t), nil, CodecConfig{MaxSessions: -1})
		require.ErrorIs(t, err, ErrInvalidConfig)
	})
}

// A bad handshake uses up the challenge: neither a replay nor a later
// correct handshake is checked (go-ethereum TestHandshake_BadHandshakeAttack;
// prysm#7346, devp2p#164).
func TestCodecBadHandshakeAttack(t *testing.T) {
	a := newTestNode(t, genKey(t), CodecConfig{})
	b := newTestNode(t, genKey(t), CodecConfig{})
	who, err := b.codec.EncodeWhoareyou(a.id, addrA, Nonce{7}, nil)
	require.NoError(t, err)
	_, _, p, err := a.codec.Decode(who, addrB)
	require.NoError(t, err)
	w := p.(*Whoareyou)

	wrong := *w
	wrong.ChallengeData = append([]byte(nil), w.ChallengeData...)
	wrong.ChallengeData[len(wrong.ChallengeData)-9] ^= 1 // another id-nonce
	bad, _, err := a.codec.EncodeHandshake(b.id, addrB, b.key.PubKey(), &wrong, &Ping{})
	require.NoError(t, err)
	good, _, err := a.codec.EncodeHandshake(b.id, addrB, b.key.PubKey(), w, &Ping{})
	require.NoError(t, err)

	_, _, _, err = b.codec.Decode(bad, addrA)
	require.ErrorIs(t, err, ErrInvalidSignature)
	_, _, _, err = b.codec.Decode(bad, addrA)
	require.ErrorIs(t, err, ErrUnexpectedHandshake)
	_, _, _, err = b.codec.Decode(good, addrA)
	require.ErrorIs(t, err, ErrUnexpectedHandshake)
	require.False(t, b.codec.HasSession(a.id, addrA))
}

func TestCodecHandshakeChecks(t *testing.T) {
	a := newTestNode(t, genKey(t), CodecConfig{})
	b := newTestNode(t, genKey(t), CodecConfig{})
	mallory := newTestNode(t, genKey(t), CodecConfig{})
	setup := func(t *testing.T) (*Whoareyou, *Codec) {
		c := newTestNode(t, b.key, CodecConfig{}).codec
		who, err := c.EncodeWhoareyou(a.id, addrA, Nonce{7}, nil)
		require.NoError(t, err)
		_, _, p, err := a.codec.Decode(who, addrB)
		require.NoError(t, err)
		return p.(*Whoareyou), c
	}
	t.Run("record-of-another-node", func(t *testing.T) {
		w, c := setup(t)
		rec, err := mallory.rec.AppendRLP(nil)
		require.NoError(t, err)
		hp := HandshakeParams{Key: a.key, Ephemeral: genKey(t), RemoteID: b.id, RemoteKey: b.key.PubKey(), ChallengeData: w.ChallengeData, Record: rec}
		pkt, _, err := EncodeHandshakePacket([16]byte{}, Nonce{}, hp, AppendMessage(nil, &Ping{}))
		require.NoError(t, err)
		_, _, _, err = c.Decode(pkt, addrA)
		require.ErrorIs(t, err, ErrInvalidRecord)
	})
	t.Run("wrong-address", func(t *testing.T) {
		w, c := setup(t)
		hs, _, err := a.codec.EncodeHandshake(b.id, addrB, b.key.PubKey(), w, &Ping{})
		require.NoError(t, err)
		_, _, _, err = c.Decode(hs, netip.MustParseAddrPort("127.0.0.9:1001"))
		require.ErrorIs(t, err, ErrUnexpectedHandshake)
	})
	t.Run("bad-ephemeral-key", func(t *testing.T) {
		w, c := setup(t)
		rec, err := a.rec.AppendRLP(nil)
		require.NoError(t, err)
		hp := HandshakeParams{Key: a.key, Ephemeral: genKey(t), RemoteID: b.id, RemoteKey: b.key.PubKey(), ChallengeData: w.ChallengeData, Record: rec}
		pkt, _, err := EncodeHandshakePacket([16]byte{}, Nonce{}, hp, AppendMessage(nil, &Ping{}))
		require.NoError(t, err)
		// Re-sign over an invalid ephemeral key (x ≥ p) so that only the
		// key check can fail.
		h, _, msg, err := unmaskHeader(b.id, pkt)
		require.NoError(t, err)
		auth, err := DecodeHandshakeAuth(h.AuthData)
		require.NoError(t, err)
		badKey := append([]byte{0x02}, make([]byte, 32)...)
		for i := 1; i < 33; i++ {
			badKey[i] = 0xff
		}
		sig, err := SignIDNonce(a.key, w.ChallengeData, badKey, b.id)
		require.NoError(t, err)
		newAuth := append(append(append(append([]byte{}, auth.SrcID[:]...), 64, 33), sig...), badKey...)
		newAuth = append(newAuth, auth.Record...)
		h.AuthData = newAuth
		out := h.append(nil)
		mask(b.id, out)
		out = append(out, msg...)
		_, _, _, err = c.Decode(out, addrA)
		require.ErrorIs(t, err, ErrInvalidEphemeralKey)
	})
	t.Run("authdata-sizes", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			auth []byte
		}{
			{"short", make([]byte, handshakeAuthSizeMin-1)},
			{"sig-size-65", append(append(make([]byte, 32), 65, 33), make([]byte, 97)...)},
			{"key-size-65", append(append(make([]byte, 32), 64, 65), make([]byte, 129)...)},
		} {
			t.Run(tc.name, func(t *testing.T) {
				_, err := DecodeHandshakeAuth(tc.auth)
				require.ErrorIs(t, err, ErrInvalidAuthData)
			})
		}
	})
}

func TestSessionCacheLRU(t *testing.T) {
	c := newSessionCache(2, 2)
	k := func(i byte) sessionKey { return sessionKey{nodeid.ID{i}, addrA} }
	c.put(k(1), &session{})
	c.put(k(2), &session{})
	require.NotNil(t, c.get(k(1))) // 1 is now the most recent
	c.put(k(3), &session{})
	require.Nil(t, c.get(k(2)), "least recently used evicted")
	require.NotNil(t, c.get(k(1)))
	require.NotNil(t, c.get(k(3)))
	require.Equal(t, 2, c.len())
	c.remove(k(1))
	require.Equal(t, 1, c.len())
}

// A source at its session cap makes room from its own sessions, least
// recently used first; other sources' sessions and LAN sources are not
// touched.
func TestSessionCachePerSource(t *testing.T) {
	key := func(i byte, addr string) sessionKey {
		return sessionKey{nodeid.ID{i}, netip.MustParseAddrPort(addr)}
	}
	tests := []struct {
		name    string
		puts    []sessionKey // in order; the cache holds 10, 2 per source
		touch   int          // index of a key used again before the last put, or -1
		evicted []int        // indices of keys gone afterwards
	}{
		{"ipv4-address", []sessionKey{key(1, "5.6.7.8:1"), key(9, "5.6.7.9:1"), key(2, "5.6.7.8:2"), key(3, "5.6.7.8:3")}, -1, []int{0}},
		{"ipv4-lru-of-source", []sessionKey{key(1, "5.6.7.8:1"), key(2, "5.6.7.8:2"), key(3, "5.6.7.8:3")}, 0, []int{1}},
		{"ipv6-64", []sessionKey{key(1, "[2001:db8:1:2::1]:1"), key(2, "[2001:db8:1:2::2]:1"), key(9, "[2001:db8:1:3::1]:1"), key(3, "[2001:db8:1:2::3]:1")}, -1, []int{0}},
		{"lan-uncapped", []sessionKey{key(1, "10.0.0.1:1"), key(2, "10.0.0.1:2"), key(3, "10.0.0.1:3")}, -1, nil},
		{"loopback-uncapped", []sessionKey{key(1, "127.0.0.1:1"), key(2, "127.0.0.1:2"), key(3, "127.0.0.1:3")}, -1, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newSessionCache(10, 2)
			last := len(tt.puts) - 1
			for _, k := range tt.puts[:last] {
				c.put(k, &session{})
			}
			if tt.touch >= 0 {
				require.NotNil(t, c.get(tt.puts[tt.touch]))
			}
			c.put(tt.puts[last], &session{})
			for i, k := range tt.puts {
				gone := slices.Contains(tt.evicted, i)
				require.Equal(t, gone, c.get(k) == nil, "session %d (%v)", i, k.addr)
			}
			require.Equal(t, len(tt.puts)-len(tt.evicted), c.len())
			// The per-source counts follow removals down to nothing.
			for _, k := range tt.puts {
				c.remove(k)
			}
			require.Empty(t, c.bySource)
		})
	}
}

// Random puts and removes over a few sources, LAN and loopback ones among
// them (::1 shares ::/64 with the public ::2), against a recount: the
// per-source counts stay exact, no counted source exceeds its cap, and
// the cache never exceeds its size.
func TestSessionCacheCountsModel(t *testing.T) {
	addrs := []string{"5.6.7.8", "5.6.7.9", "::1", "::2", "::1.2.3.4", "[2001:db8::1]", "[2001:db8::2]", "10.0.0.1", "127.0.0.1"}
	const size, perSource = 12, 3
	rng := rand.New(rand.NewPCG(1, 2))
	c := newSessionCache(size, perSource)
	for i := range 20000 {
		a := addrs[rng.IntN(len(addrs))]
		if a[0] != '[' && strings.Contains(a, ":") {
			a = "[" + a + "]"
		}
		k := sessionKey{nodeid.ID{byte(rng.IntN(4))}, netip.MustParseAddrPort(fmt.Sprintf("%s:%d", a, 1+rng.IntN(3)))}
		if rng.IntN(4) == 0 {
			c.remove(k)
		} else {
			c.put(k, &session{})
		}
		want := make(map[netip.Prefix]int)
		for e := c.order.Front(); e != nil; e = e.Next() {
			if src, ok := sourceOf(e.Value.(*sessionEntry).key); ok {
				want[src]++
			}
		}
		require.Equal(t, want, c.bySource, "step %d", i)
		for src, n := range want {
			require.LessOrEqual(t, n, perSource, "step %d: source %v", i, src)
		}
		require.LessOrEqual(t, c.len(), size)
		require.Equal(t, c.len(), len(c.byKey))
	}
}

func TestCodecSessionLimit(t *testing.T) {
	b := newTestNode(t, genKey(t), CodecConfig{MaxSessions: 2})
	for range 3 {
		a := newTestNode(t, genKey(t), CodecConfig{})
		handshake(t, a, b, nil)
	}
	require.Equal(t, 2, b.codec.SessionCount())
}

func TestEncodeLimits(t *testing.T) {
	a := newTestNode(t, genKey(t), CodecConfig{})
	b := newTestNode(t, genKey(t), CodecConfig{})
	handshake(t, a, b, nil)
	_, _, err := a.codec.EncodeMessage(b.id, addrB, &TalkRequest{ReqID: []byte{1}, Protocol: "x", Message: make([]byte, 1200)})
	require.ErrorIs(t, err, ErrPacketTooBig)
	_, _, err = a.codec.EncodeMessage(b.id, addrB, &Ping{ReqID: make([]byte, 9)})
	require.ErrorIs(t, err, ErrInvalidReqID)
}

func TestWhoareyouClockDefault(t *testing.T) {
	b := newTestNode(t, genKey(t), CodecConfig{ChallengeTimeout: time.Hour})
	_, err := b.codec.EncodeWhoareyou(nodeid.ID{1}, addrA, Nonce{}, nil)
	require.NoError(t, err)
	require.Equal(t, 1, b.codec.PendingChallenges())
}

// When both nodes handshake at once, each stores the session of its own
// handshake, then replaces it with the other's: their write keys no longer
// match the other's read key. The replaced session's read key stays as a
// fallback, so both directions still decrypt.
func TestCodecSimultaneousHandshake(t *testing.T) {
	a := newTestNode(t, genKey(t), CodecConfig{})
	b := newTestNode(t, genKey(t), CodecConfig{})
	ping := &Ping{ReqID: []byte{1}}
	// Both send a random packet and answer each other's with a WHOAREYOU.
	pa, na, err := a.codec.EncodeMessage(b.id, addrB, ping)
	require.NoError(t, err)
	pb, nb, err := b.codec.EncodeMessage(a.id, addrA, ping)
	require.NoError(t, err)
	_, _, _, err = b.codec.Decode(pa, addrA)
	require.NoError(t, err)
	_, _, _, err = a.codec.Decode(pb, addrB)
	require.NoError(t, err)
	wb, err := b.codec.EncodeWhoareyou(a.id, addrA, na, a.rec)
	require.NoError(t, err)
	wa, err := a.codec.EncodeWhoareyou(b.id, addrB, nb, b.rec)
	require.NoError(t, err)
	_, _, w1, err := a.codec.Decode(wb, addrB)
	require.NoError(t, err)
	_, _, w2, err := b.codec.Decode(wa, addrA)
	require.NoError(t, err)
	// Both send their handshake before receiving the other's.
	ha, _, err := a.codec.EncodeHandshake(b.id, addrB, b.key.PubKey(), w1.(*Whoareyou), ping)
	require.NoError(t, err)
	hb, _, err := b.codec.EncodeHandshake(a.id, addrA, a.key.PubKey(), w2.(*Whoareyou), ping)
	require.NoError(t, err)
	_, _, _, err = b.codec.Decode(ha, addrA)
	require.NoError(t, err)
	_, _, _, err = a.codec.Decode(hb, addrB)
	require.NoError(t, err)

	for _, dir := range []struct {
		name       string
		from, to   *testNode
		toA, fromA netip.AddrPort
	}{{"a-to-b", a, b, addrB, addrA}, {"b-to-a", b, a, addrA, addrB}} {
		t.Run(dir.name, func(t *testing.T) {
			pkt, _, err := dir.from.codec.EncodeMessage(dir.to.id, dir.toA, &Ping{ReqID: []byte{2}})
			require.NoError(t, err)
			_, _, p, err := dir.to.codec.Decode(pkt, dir.fromA)
			require.NoError(t, err)
			require.IsType(t, &Ping{}, p)
		})
	}
}

// Records in NODES are verified once: a byte-identical record later comes
// from the cache, and a changed one is checked again.
func TestCodecRecordCache(t *testing.T) {
	c := newRecordCache(2)
	raw, err := recordA(t).AppendRLP(nil)
	require.NoError(t, err)
	r1, err := c.decode(raw)
	require.NoError(t, err)
	r2, err := c.decode(raw)
	require.NoError(t, err)
	require.Same(t, r1, r2)
	bad := append([]byte(nil), raw...)
	bad[len(bad)-1] ^= 1
	_, err = c.decode(bad)
	require.Error(t, err, "a changed record is verified, not served from the cache")
	for i := range 3 { // eviction keeps the cache at its bound
		n := newTestNode(t, genKey(t), CodecConfig{})
		n.rec.SetSeq(uint64(i + 2))
		require.NoError(t, n.rec.SignV4(n.key))
		b, err := n.rec.AppendRLP(nil)
		require.NoError(t, err)
		_, err = c.decode(b)
		require.NoError(t, err)
	}
	require.Equal(t, 2, c.order.Len())
}

// TestCodecAcceptNodes: a NODES message that AcceptNodes refuses fails
// with ErrUnsolicited before its records are decoded (the verified-record
// cache stays empty); other messages are not asked about.
func TestCodecAcceptNodes(t *testing.T) {
	type call struct {
		src   nodeid.ID
		addr  netip.AddrPort
		reqID []byte
	}
	var recs []*enr.Record
	for range 3 {
		recs = append(recs, newTestNode(t, genKey(t), CodecConfig{}).rec)
	}
	tests := []struct {
		name      string
		msg       Message
		accept    bool
		wantErr   error
		wantCalls int
		wantCache int
	}{
		{"nodes-refused", &Nodes{ReqID: []byte{7}, Total: 1, Nodes: recs}, false, ErrUnsolicited, 1, 0},
		{"nodes-accepted", &Nodes{ReqID: []byte{7}, Total: 1, Nodes: recs}, true, nil, 1, len(recs)},
		{"pong-not-asked", &Pong{ReqID: []byte{7}, ToIP: addrB.Addr(), ToPort: addrB.Port()}, false, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls []call
			a := newTestNode(t, genKey(t), CodecConfig{})
			b := newTestNode(t, genKey(t), CodecConfig{AcceptNodes: func(src nodeid.ID, addr netip.AddrPort, reqID []byte) bool {
				calls = append(calls, call{src, addr, reqID})
				return tt.accept
			}})
			handshake(t, a, b, nil)
			pkt, _, err := a.codec.EncodeMessage(b.id, addrB, tt.msg)
			require.NoError(t, err)
			src, _, p, err := b.codec.Decode(pkt, addrA)
			require.Equal(t, a.id, src)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				require.Nil(t, p)
			} else {
				require.NoError(t, err)
				require.Equal(t, tt.msg.Kind(), p.Kind())
			}
			require.Len(t, calls, tt.wantCalls)
			for _, c := range calls {
				require.Equal(t, call{a.id, addrA, []byte{7}}, c)
			}
			require.Equal(t, tt.wantCache, b.codec.records.order.Len())
		})
	}
}
