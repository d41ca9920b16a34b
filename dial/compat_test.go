package dial

import "github.com/devp2p-go/devp2p/discover"

// Discovery plugs into the scheduler as it is.
var (
	_ NodeIterator = discover.Iterator(nil)
	_ Resolver     = (*discover.UDPv4)(nil)
)
