package v5wire_test

import (
	"fmt"
	"net/netip"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Example runs the discv5 handshake between two codecs: the first packet
// carries no session, so the recipient answers with a WHOAREYOU, and the
// initiator resends its message in a handshake packet.
func Example() {
	newNode := func() (*secp256k1.PrivateKey, *enr.Record, *v5wire.Codec) {
		key, _ := secp256k1.GeneratePrivateKey()
		rec := new(enr.Record)
		rec.SetSeq(1)
		rec.SetIP(netip.MustParseAddr("127.0.0.1"))
		if err := rec.SignV4(key); err != nil {
			panic(err)
		}
		c, err := v5wire.NewCodec(key, func() *enr.Record { return rec }, v5wire.CodecConfig{})
		if err != nil {
			panic(err)
		}
		return key, rec, c
	}
	_, _, alice := newNode()
	bobKey, _, bob := newNode()
	aliceAddr := netip.MustParseAddrPort("127.0.0.1:30301")
	bobAddr := netip.MustParseAddrPort("127.0.0.1:30302")
	bobID := nodeid.FromPubkey(bobKey.PubKey())

	ping := &v5wire.Ping{ReqID: []byte{1}, ENRSeq: 1}
	pkt, nonce, _ := alice.EncodeMessage(bobID, bobAddr, ping)
	from, _, p, _ := bob.Decode(pkt, aliceAddr)
	fmt.Println("bob got", p.Name())

	who, _ := bob.EncodeWhoareyou(from, aliceAddr, nonce, nil)
	_, _, p, _ = alice.Decode(who, bobAddr)
	fmt.Println("alice got", p.Name())

	hs, _, _ := alice.EncodeHandshake(bobID, bobAddr, bobKey.PubKey(), p.(*v5wire.Whoareyou), ping)
	_, rec, p, _ := bob.Decode(hs, aliceAddr)
	fmt.Println("bob got", p.Name(), "with record seq", rec.Seq())
	fmt.Println("session:", bob.HasSession(from, aliceAddr))
	// Output:
	// bob got UNKNOWN
	// alice got WHOAREYOU
	// bob got PING with record seq 1
	// session: true
}
