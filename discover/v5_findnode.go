package discover

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/internal/netutil"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Errors of relayed records in NODES responses.
var (
	errWrongDistance = errors.New("discv5: record not at a requested distance")
	errDuplicate     = errors.New("discv5: duplicate record")
)

// FindNode asks n for the records at the given log distances from n (0 is
// n's own record) and waits for the whole response: up to 5 NODES packets
// and 16 records. Records that fail the checks (signature, relay address,
// port, distance, duplicates) are dropped; the rest are returned.
func (t *UDPv5) FindNode(ctx context.Context, n *Node, distances []uint) ([]*Node, error) {
	c := t.call(n, v5wire.NodesMsg, &v5wire.Findnode{Distances: distances})
	defer t.callDone(c)
	var (
		nodes    []*Node
		seen     = make(map[nodeid.ID]bool)
		received int
		total    = 1
	)
	for received < total {
		m, err := c.wait(ctx)
		if err != nil {
			if received > 0 && errors.Is(err, ErrTimeout) {
				break // a packet went missing; keep what came
			}
			return nil, err
		}
		resp := m.(*v5wire.Nodes)
		if received == 0 {
			total = min(max(int(resp.Total), 1), v5MaxNodesPackets)
		}
		received++
		for _, rec := range resp.Nodes {
			if len(nodes) >= v5MaxNodesResults {
				break
			}
			nn, err := t.verifyRelayed(n, rec, distances, seen)
			if err != nil {
				t.log.Debug("discv5: dropped relayed record", "from", n.ID().TerminalString(), "err", err)
				continue
			}
			seen[nn.ID()] = true
			nodes = append(nodes, nn)
		}
	}
	return nodes, nil
}

// verifyRelayed checks a record sent by n in answer to a FINDNODE for
// distances.
func (t *UDPv5) verifyRelayed(n *Node, rec *enr.Record, distances []uint, seen map[nodeid.ID]bool) (*Node, error) {
	nn, err := NewNode(rec)
	if err != nil {
		return nil, err
	}
	if nn.Incomplete() {
		return nil, errUnspecifiedIP
	}
	if err := checkRelayIP(n.IP(), nn.IP()); err != nil {
		return nil, err
	}
	if !netutil.Allowed(t.cfg.NetRestrict, nn.IP()) {
		return nil, errRestricted
	}
	if nn.UDP() <= 1024 {
		return nil, errLowPort
	}
	if !slices.Contains(distances, uint(nodeid.LogDist(n.ID(), nn.ID()))) {
		return nil, fmt.Errorf("%w: %d", errWrongDistance, nodeid.LogDist(n.ID(), nn.ID()))
	}
	if seen[nn.ID()] {
		return nil, errDuplicate
	}
	return nn, nil
}

// handleFindnode answers a FINDNODE: the records of table nodes seen live at
// exactly the requested distances (0 is our own record), at most 16,
// without addresses the requester may not be told, in NODES packets of at
// most v5NodesRecordBytes record bytes. An empty answer is one packet.
func (t *UDPv5) handleFindnode(m *v5wire.Findnode, src nodeid.ID, from netip.AddrPort) {
	var (
		recs []*enr.Record
		done = make(map[uint]bool)
	)
	var all []*Node
	for _, d := range m.Distances {
		if d > v5wire.MaxDistance || done[d] || len(recs) >= v5MaxNodesResults {
			continue
		}
		done[d] = true
		if d == 0 {
			recs = append(recs, t.localNode.Node().Record())
			continue
		}
		if all == nil {
			all = t.tab.liveNodes()
		}
		for _, n := range all {
			if len(recs) >= v5MaxNodesResults {
				break
			}
			if uint(nodeid.LogDist(t.self, n.ID())) != d || n.Record() == nil {
				continue
			}
			if checkRelayIP(from.Addr(), n.IP()) != nil {
				continue
			}
			recs = append(recs, n.Record())
		}
	}
	for _, p := range packNodes(m.ReqID, recs) {
		t.send(src, from, p)
	}
}

// packNodes splits records over NODES packets of at most
// v5NodesRecordBytes record bytes each; Total is the packet count (≥ 1).
func packNodes(reqID []byte, recs []*enr.Record) []*v5wire.Nodes {
	var (
		out  []*v5wire.Nodes
		cur  = &v5wire.Nodes{ReqID: reqID}
		size int
	)
	for _, r := range recs {
		b, err := r.AppendRLP(nil)
		if err != nil {
			continue
		}
		if size+len(b) > v5NodesRecordBytes && len(cur.Nodes) > 0 {
			out = append(out, cur)
			cur, size = &v5wire.Nodes{ReqID: reqID}, 0
		}
		cur.Nodes = append(cur.Nodes, r)
		size += len(b)
	}
	out = append(out, cur)
	for _, p := range out {
		p.Total = uint8(len(out))
	}
	return out
}
