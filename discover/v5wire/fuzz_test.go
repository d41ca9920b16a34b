package v5wire

import (
	"bytes"
	"errors"
	"net/netip"
	"testing"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/nodeid"
)

var vectorNames = []string{"ping-message", "whoareyou", "ping-handshake", "ping-handshake-enr"}

// checkDecoded fails when a decode result breaks the API contract.
func checkDecoded(t *testing.T, p Packet, err error) {
	if err != nil {
		if p != nil {
			t.Fatalf("packet %v returned with error %v", p, err)
		}
		return
	}
	if p == nil {
		t.Fatal("nil packet without error")
	}
	_ = p.Name()
	if m, ok := p.(Message); ok {
		fuzzReencode(t, m)
	}
}

// fuzzReencode checks that a decoded message encodes back to a plaintext
// that decodes to the same message.
func fuzzReencode(t *testing.T, m Message) {
	if len(m.RequestID()) > MaxRequestIDSize {
		t.Fatalf("decoded request ID of %d bytes", len(m.RequestID()))
	}
	enc := AppendMessage(nil, m)
	m2, err := DecodeMessage(enc)
	if err != nil {
		t.Fatalf("re-encoded %s does not decode: %v", m.Name(), err)
	}
	if !bytes.Equal(enc, AppendMessage(nil, m2)) {
		t.Fatalf("%s changed in a round trip", m.Name())
	}
}

// FuzzDecodeNoSession feeds packets to a codec that holds no session and
// no challenge.
func FuzzDecodeNoSession(f *testing.F) {
	for _, name := range vectorNames {
		f.Add(readVector(f, name).packet)
	}
	c := newTestNode(f, keyFromHex(f, nodeBKeyHex), CodecConfig{}).codec
	f.Fuzz(func(t *testing.T, input []byte) {
		_, _, p, err := c.Decode(input, testAddr)
		checkDecoded(t, p, err)
	})
}

// FuzzDecodeSession encrypts fuzzed plaintexts under an established
// session, so the message decoders see them, and also decodes the raw
// input with the session installed. NODES messages whose request ID has
// an odd length are refused by AcceptNodes, and must then fail with
// ErrUnsolicited.
func FuzzDecodeSession(f *testing.F) {
	for _, v := range messageVectors {
		f.Add(hexBytes(f, v.hex))
	}
	f.Add(AppendMessage(nil, &Nodes{ReqID: []byte{1}, Total: 1, Nodes: []*enr.Record{recordA(f)}}))
	f.Add(AppendMessage(nil, &Nodes{ReqID: []byte{1, 2}, Total: 1, Nodes: []*enr.Record{recordA(f)}}))
	keyA := keyFromHex(f, nodeAKeyHex)
	idA := nodeid.FromPubkey(keyA.PubKey())
	var refused bool
	b := newTestNode(f, keyFromHex(f, nodeBKeyHex), CodecConfig{AcceptNodes: func(_ nodeid.ID, _ netip.AddrPort, reqID []byte) bool {
		refused = len(reqID)%2 == 1
		return !refused
	}})
	var key [KeySize]byte
	f.Fuzz(func(t *testing.T, pt []byte) {
		b.codec.sessions.put(sessionKey{idA, testAddr}, newSession([KeySize]byte{}, key))
		pkt, err := EncodeMessagePacket(b.id, idA, [16]byte{}, Nonce{1}, key[:], pt)
		if err != nil {
			return // too big
		}
		refused = false
		_, _, p, err := b.codec.Decode(pkt, testAddr)
		checkDecoded(t, p, err)
		if refused != errors.Is(err, ErrUnsolicited) {
			t.Fatalf("AcceptNodes refused: %v, error: %v", refused, err)
		}
		if err == nil {
			if _, ok := p.(*Unknown); ok {
				t.Fatal("packet under the session did not decrypt")
			}
		}
		_, _, p, err = b.codec.Decode(pt, testAddr)
		checkDecoded(t, p, err)
	})
}

// FuzzHandshakeAuth sends fuzzed handshake authdata to a codec holding
// the vectors' challenge.
func FuzzHandshakeAuth(f *testing.F) {
	b := newTestNode(f, keyFromHex(f, nodeBKeyHex), CodecConfig{})
	for _, name := range []string{"ping-handshake", "ping-handshake-enr"} {
		h, _, _, err := unmaskHeader(b.id, readVector(f, name).packet)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(h.AuthData, readVector(f, name).packet[staticPacketSize+len(h.AuthData):])
	}
	v := readVector(f, "ping-handshake-enr")
	cd := v.bytes(f, "whoareyou.challenge-data")
	rec := recordA(f)
	f.Fuzz(func(t *testing.T, auth, msg []byte) {
		if a, err := DecodeHandshakeAuth(auth); err == nil {
			if len(a.Signature) != SignatureSize || len(a.PubKey) != EphemeralKeySize {
				t.Fatal("bad field sizes accepted")
			}
		}
		if len(auth) > 0xffff {
			return
		}
		var src nodeid.ID
		copy(src[:], auth)
		b.codec.challenges[sessionKey{src, testAddr}] = &challenge{w: &Whoareyou{ChallengeData: cd}, known: rec, sent: b.codec.cfg.Clock.Now()}
		h := &header{Flag: flagHandshake, Nonce: Nonce(v.bytes(t, "nonce")), AuthData: auth}
		pkt := h.append(nil)
		mask(b.id, pkt)
		pkt = append(pkt, msg...)
		_, _, p, err := b.codec.Decode(pkt, testAddr)
		checkDecoded(t, p, err)
		delete(b.codec.challenges, sessionKey{src, testAddr})
		b.codec.sessions.remove(sessionKey{src, testAddr})
	})
}

// fuzzMessage is the body of the per-message fuzz targets: the body after
// the type byte kind.
func fuzzMessage(f *testing.F, kind byte) {
	for _, v := range messageVectors {
		if v.msg.Kind() == kind {
			f.Add(hexBytes(f, v.hex)[1:])
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		m, err := DecodeMessage(append([]byte{kind}, body...))
		if err != nil {
			if m != nil {
				t.Fatal("message returned with an error")
			}
			return
		}
		if m.Kind() != kind {
			t.Fatalf("decoded kind %d, want %d", m.Kind(), kind)
		}
		fuzzReencode(t, m)
	})
}

func FuzzPing(f *testing.F)         { fuzzMessage(f, PingMsg) }
func FuzzPong(f *testing.F)         { fuzzMessage(f, PongMsg) }
func FuzzFindnode(f *testing.F)     { fuzzMessage(f, FindnodeMsg) }
func FuzzNodes(f *testing.F)        { fuzzMessage(f, NodesMsg) }
func FuzzTalkRequest(f *testing.F)  { fuzzMessage(f, TalkRequestMsg) }
func FuzzTalkResponse(f *testing.F) { fuzzMessage(f, TalkResponseMsg) }
