package discover

import (
	"log/slog"
	"net"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/nodeid"
)

// nodeParts are what a discovery transport keeps beside its socket, and
// what discv4 and discv5 share when they run on one socket: the node
// database, our record, the endpoint predictor and the table. Listen and
// ListenV5 both build them here.
type nodeParts struct {
	db        dbStore
	ownDB     *DB // opened here because Config.NodeDB was nil; the transport closes it
	localNode *LocalNode
	predict   *predictor
	tab       *table
}

// newNodeParts opens the database (in memory when cfg.NodeDB is nil),
// takes cfg.LocalNode or makes a record from key and the socket's address,
// and builds the table, seeded with bootnodes, on net. The table is not
// started.
func newNodeParts(cfg Config, key *secp256k1.PrivateKey, self nodeid.ID, addr net.Addr, r *lockedRand, log *slog.Logger, bootnodes []*Node, tn tableNet) (nodeParts, error) {
	var p nodeParts
	db := cfg.NodeDB
	if db == nil {
		var err error
		if db, err = OpenDB(""); err != nil {
			return p, err
		}
		p.ownDB = db
	}
	p.db = dbStore{db}
	p.localNode = cfg.LocalNode
	if p.localNode == nil {
		p.localNode = newLocalNodeFor(key, db, addr)
	}
	p.predict = newPredictor(cfg.Clock, p.localNode, log)
	p.tab = newTable(tableConfig{
		self:               self,
		bootnodes:          bootnodes,
		clock:              cfg.Clock,
		rand:               r,
		log:                log,
		metrics:            cfg.Metrics,
		revalidateInterval: cfg.RevalidateInterval,
		refreshInterval:    cfg.RefreshInterval,
	}, tn, p.db)
	return p, nil
}

// closeOwnDB closes the database if newNodeParts opened it; for a
// transport whose start failed.
func (p *nodeParts) closeOwnDB() {
	if p.ownDB != nil {
		p.ownDB.Close()
	}
}
