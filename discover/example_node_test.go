package discover_test

import (
	"fmt"

	"github.com/devp2p-go/devp2p/discover"
)

func ExampleParseNode() {
	// An enode URL: public key, IP, TCP port and (when it differs) the UDP
	// discovery port.
	n, err := discover.ParseNode("enode://ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f@10.3.58.6:30303?discport=30301")
	if err != nil {
		panic(err)
	}
	fmt.Println(n.ID().TerminalString(), n.TCPAddr(), n.UDPAddr())

	// The same node's signed record from EIP-778.
	r, err := discover.ParseNode("enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8")
	if err != nil {
		panic(err)
	}
	fmt.Println(r.ID() == n.ID(), r.Seq(), r.UDPAddr())
	// Output:
	// a448f24c 10.3.58.6:30303 10.3.58.6:30301
	// true 1 127.0.0.1:30303
}
