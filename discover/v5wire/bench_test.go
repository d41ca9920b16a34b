package v5wire

import (
	"testing"
)

// BenchmarkEncodeDecodeSession is one PING encoded and decoded under an
// established session.
func BenchmarkEncodeDecodeSession(b *testing.B) {
	a := newTestNode(b, genKey(b), CodecConfig{})
	c := newTestNode(b, genKey(b), CodecConfig{})
	benchHandshake(b, a, c)
	ping := &Ping{ReqID: []byte{1, 2, 3, 4}, ENRSeq: 1}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		pkt, _, err := a.codec.EncodeMessage(c.id, addrB, ping)
		if err != nil {
			b.Fatal(err)
		}
		if _, _, _, err := c.codec.Decode(pkt, addrA); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHandshake is a full handshake: random packet, WHOAREYOU,
// handshake packet, each encoded and decoded.
func BenchmarkHandshake(b *testing.B) {
	a := newTestNode(b, genKey(b), CodecConfig{})
	c := newTestNode(b, genKey(b), CodecConfig{})
	b.ReportAllocs()
	for b.Loop() {
		benchHandshake(b, a, c)
	}
}

func benchHandshake(b *testing.B, a, c *testNode) {
	ping := &Ping{ReqID: []byte{1}, ENRSeq: 1}
	a.codec.DeleteSession(c.id, addrB)
	c.codec.DeleteSession(a.id, addrA)
	first, nonce, err := a.codec.EncodeMessage(c.id, addrB, ping)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, _, err := c.codec.Decode(first, addrA); err != nil {
		b.Fatal(err)
	}
	who, err := c.codec.EncodeWhoareyou(a.id, addrA, nonce, nil)
	if err != nil {
		b.Fatal(err)
	}
	_, _, w, err := a.codec.Decode(who, addrB)
	if err != nil {
		b.Fatal(err)
	}
	hs, _, err := a.codec.EncodeHandshake(c.id, addrB, c.key.PubKey(), w.(*Whoareyou), ping)
	if err != nil {
		b.Fatal(err)
	}
	if _, _, _, err := c.codec.Decode(hs, addrA); err != nil {
		b.Fatal(err)
	}
}
