package nodekey_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/devp2p-go/devp2p/nodeid"
	"github.com/devp2p-go/devp2p/nodekey"
)

// A node keeps its identity across restarts by storing its key in a file.
func ExampleLoadOrCreate() {
	dir, err := os.MkdirTemp("", "node")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "nodekey")

	first, err := nodekey.LoadOrCreate(path) // generates and saves
	if err != nil {
		panic(err)
	}
	again, err := nodekey.LoadOrCreate(path) // loads the same key
	if err != nil {
		panic(err)
	}
	fmt.Println(nodeid.FromPubkey(first.PubKey()) == nodeid.FromPubkey(again.PubKey()))
	// Output: true
}

func ExampleParse() {
	key, err := nodekey.Parse("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
	if err != nil {
		panic(err)
	}
	fmt.Println(nodeid.FromPubkey(key.PubKey()).TerminalString())
	// Output: a448f24c
}
