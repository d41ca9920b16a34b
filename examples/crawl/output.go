package main

import (
	"bufio"
	"encoding/json"
	"io"
	"time"
)

// nodeJSON is one output line.
type nodeJSON struct {
	ID        string    `json:"id"`
	Enode     string    `json:"enode"`
	ENR       string    `json:"enr,omitempty"`
	IP        string    `json:"ip"`
	TCP       uint16    `json:"tcp"`
	UDP       uint16    `json:"udp"`
	Seq       uint64    `json:"seq,omitempty"`
	FirstSeen time.Time `json:"firstSeen"`
	LastSeen  time.Time `json:"lastSeen"`
}

// writeNodes writes one JSON line per node.
func writeNodes(w io.Writer, nodes []*entry) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	for _, e := range nodes {
		n := e.node
		line := nodeJSON{
			ID:        n.ID().String(),
			Enode:     n.URLv4(),
			IP:        n.IP().String(),
			TCP:       n.TCP(),
			UDP:       n.UDP(),
			Seq:       n.Seq(),
			FirstSeen: e.firstSeen.UTC(),
			LastSeen:  e.lastSeen.UTC(),
		}
		if n.Record() != nil {
			line.ENR = n.String()
		}
		if err := enc.Encode(&line); err != nil {
			return err
		}
	}
	return bw.Flush()
}
