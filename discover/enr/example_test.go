package enr_test

import (
	"encoding/hex"
	"fmt"
	"net/netip"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/discover/enr"
)

func ExampleRecord() {
	// The key of the EIP-778 example record.
	raw, _ := hex.DecodeString("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
	key := secp256k1.PrivKeyFromBytes(raw)

	var r enr.Record
	r.SetSeq(1)
	r.SetIP(netip.MustParseAddr("127.0.0.1"))
	r.SetUDP(30303)
	if err := r.SignV4(key); err != nil {
		panic(err)
	}
	fmt.Println(r.String())

	// Anyone can parse and verify it.
	dec, err := enr.Parse(r.String())
	if err != nil {
		panic(err)
	}
	ip, _ := dec.IP4()
	udp, _ := dec.UDP()
	id := dec.NodeID()
	fmt.Println(dec.Seq(), ip, udp, hex.EncodeToString(id[:4]))
	// Output:
	// enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8
	// 1 127.0.0.1 30303 a448f24c
}
