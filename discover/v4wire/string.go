package v4wire

import (
	"encoding/hex"
	"strconv"
	"strings"
)

// The String methods print every field a log reader needs and nothing that
// could be unbounded: Rest is summarised by its element count and records
// by their sequence number and node ID prefix.

// String implements Packet.
func (p *Ping) String() string {
	var b strings.Builder
	b.WriteString("PING/v")
	b.WriteString(strconv.FormatUint(p.Version, 10))
	b.WriteString(" from=")
	b.WriteString(p.From.String())
	b.WriteString(" to=")
	b.WriteString(p.To.String())
	writeCommon(&b, p.Expiration, p.ENRSeq, len(p.Rest))
	return b.String()
}

// String implements Packet.
func (p *Pong) String() string {
	var b strings.Builder
	b.WriteString("PONG to=")
	b.WriteString(p.To.String())
	b.WriteString(" reply=")
	b.WriteString(hex.EncodeToString(p.ReplyTok[:4]))
	writeCommon(&b, p.Expiration, p.ENRSeq, len(p.Rest))
	return b.String()
}

// String implements Packet.
func (p *Findnode) String() string {
	var b strings.Builder
	b.WriteString("FINDNODE target=")
	b.WriteString(hex.EncodeToString(p.Target[:4]))
	writeCommon(&b, p.Expiration, 0, len(p.Rest))
	return b.String()
}

// String implements Packet.
func (p *Neighbors) String() string {
	var b strings.Builder
	b.WriteString("NEIGHBORS [")
	for i, n := range p.Nodes {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(n.String())
	}
	b.WriteByte(']')
	writeCommon(&b, p.Expiration, 0, len(p.Rest))
	return b.String()
}

// String implements Packet.
func (p *ENRRequest) String() string {
	var b strings.Builder
	b.WriteString("ENRREQUEST")
	writeCommon(&b, p.Expiration, 0, len(p.Rest))
	return b.String()
}

// String implements Packet.
func (p *ENRResponse) String() string {
	var b strings.Builder
	b.WriteString("ENRRESPONSE reply=")
	b.WriteString(hex.EncodeToString(p.ReplyTok[:4]))
	b.WriteString(" record-seq=")
	b.WriteString(strconv.FormatUint(p.Record.Seq(), 10))
	id := p.Record.NodeID()
	b.WriteString(" id=")
	b.WriteString(hex.EncodeToString(id[:4]))
	if len(p.Rest) > 0 {
		b.WriteString(" rest=")
		b.WriteString(strconv.Itoa(len(p.Rest)))
	}
	return b.String()
}

func writeCommon(b *strings.Builder, exp, seq uint64, rest int) {
	b.WriteString(" exp=")
	b.WriteString(strconv.FormatUint(exp, 10))
	if seq != 0 {
		b.WriteString(" enr-seq=")
		b.WriteString(strconv.FormatUint(seq, 10))
	}
	if rest > 0 {
		b.WriteString(" rest=")
		b.WriteString(strconv.Itoa(rest))
	}
}
