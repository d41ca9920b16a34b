package nodeid_test

import (
	"encoding/hex"
	"encoding/json"
	"fmt"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/nodeid"
)

// A node's ID is the hash of its public key; it prints and marshals as hex,
// and discovery measures distances between IDs. The key is the one of the
// EIP-778 example record.
func Example() {
	raw, _ := hex.DecodeString("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
	key := secp256k1.PrivKeyFromBytes(raw)

	id := nodeid.FromPubkey(key.PubKey())
	fmt.Println(id)
	fmt.Println(id.TerminalString())

	js, _ := json.Marshal(id)
	var back nodeid.ID
	if err := json.Unmarshal(js, &back); err != nil {
		fmt.Println(err)
	}
	fmt.Println(back == id)

	other, _ := nodeid.Parse("0x" + "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f6")
	fmt.Println(nodeid.LogDist(id, other)) // they differ in the last bit only
	// Output:
	// a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7
	// a448f24c
	// true
	// 1
}
