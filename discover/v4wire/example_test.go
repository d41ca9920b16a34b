package v4wire_test

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover/v4wire"
)

func Example() {
	key, _ := secp256k1.GeneratePrivateKey()
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

	ping := &v4wire.Ping{
		Version:    v4wire.Version,
		From:       v4wire.NewEndpoint(netip.MustParseAddrPort("127.0.0.1:30303"), 30303),
		To:         v4wire.NewEndpoint(netip.MustParseAddrPort("127.0.0.2:30303"), 0),
		Expiration: uint64(now.Add(20 * time.Second).Unix()),
		ENRSeq:     1,
	}
	packet, hash, err := v4wire.Encode(key, ping)
	if err != nil {
		panic(err)
	}

	// The receiving side.
	p, sender, gotHash, err := v4wire.Decode(packet)
	if err != nil {
		panic(err)
	}
	fmt.Println(p)
	fmt.Println(sender == v4wire.PubkeyOf(key.PubKey()), gotHash == hash)
	fmt.Println(v4wire.Expired(p.(*v4wire.Ping).Expiration, now))
	// A Pong echoes hash as its ReplyTok.
	fmt.Println(hex.EncodeToString(hash[:]) == hex.EncodeToString(packet[:32]))
	// Output:
	// PING/v4 from=127.0.0.1:30303/30303 to=127.0.0.2:30303/0 exp=1767225620 enr-seq=1
	// true true
	// false
	// true
}
