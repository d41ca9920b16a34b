package metrics

import (
	"errors"
	"fmt"
	"strconv"
)

// Protocol names a sub-protocol whose messages are counted by code: the
// capability name and version, and Length, the number of message codes it
// uses (as in peer.Protocol).
type Protocol struct {
	Name    string // the capability name, e.g. "eth"
	Version uint   // the capability version
	Length  uint64 // message codes the protocol uses; codes from here on count as "other"
}

// MaxCodes bounds the per-code series of one protocol: codes from MaxCodes
// on (and from the protocol's Length on) count as code "other".
const MaxCodes = 256

// The base protocol (devp2p rlpx.md, "p2p Capability"): Hello, Disconnect,
// Ping and Pong use codes 0x00-0x03 of its 16; the rest count as "other".
const (
	baseName    = "p2p"
	baseVersion = 5
	baseLength  = 4
)

// otherLabel is the label value for anything outside a declared set.
const otherLabel = "other"

// Traffic holds the per-message families:
//
//   - devp2p_messages_total: messages;
//   - devp2p_message_bytes_total: decoded payload bytes (after snappy
//     decompression);
//   - devp2p_message_wire_bytes_total: bytes on the wire, the whole RLPx
//     frame (header, code, payload snappy-compressed when the connection
//     uses it, padding and MACs: the wireSize of rlpx.Conn's ReadMsg and
//     WriteMsg);
//
// each labelled {direction ("in", "out"), protocol, version, code}. The
// series are fixed when Traffic is made, from the node's protocols, so a
// remote cannot create one: the code is relative to the protocol's offset
// and one at or above its Length counts as "other".
type Traffic struct {
	protos map[protoKey]*ProtocolTraffic
	base   *ProtocolTraffic
	other  *ProtocolTraffic
}

type protoKey struct {
	name    string
	version uint
}

// ProtocolTraffic counts the messages of one protocol. Get it once per peer
// and protocol from Traffic.Protocol; Received and Sent then cost three
// atomic additions and no allocation.
type ProtocolTraffic struct {
	codes    uint64         // per-code series; code codes is "other"
	in, out  []codeCounters // len codes+1
	protocol string
}

type codeCounters struct {
	msgs, bytes, wire *Counter
}

// NewTraffic registers the per-message families in r, with series for the
// base protocol ("p2p", 5), each of protocols, and protocol "other" (a
// message no protocol claims). A protocol declared twice (same name and
// version) is an error, as is a name that is not UTF-8.
func NewTraffic(r *Registry, protocols []Protocol) (*Traffic, error) {
	all := append([]Protocol{{Name: baseName, Version: baseVersion, Length: baseLength}}, protocols...)
	seen := make(map[protoKey]bool, len(all))
	type layout struct {
		p     Protocol
		codes uint64
		first int // index of its first series
	}
	var (
		lay    []layout
		series [][]string
	)
	for _, p := range all {
		k := protoKey{p.Name, p.Version}
		if seen[k] {
			return nil, fmt.Errorf("%w: protocol %s/%d declared twice", ErrInvalid, p.Name, p.Version)
		}
		if p.Name == otherLabel {
			return nil, fmt.Errorf("%w: protocol name %q is reserved", ErrInvalid, otherLabel)
		}
		seen[k] = true
		l := layout{p: p, codes: min(p.Length, MaxCodes), first: len(series)}
		lay = append(lay, l)
		version := strconv.FormatUint(uint64(p.Version), 10)
		for _, dir := range []string{"in", "out"} {
			for c := uint64(0); c <= l.codes; c++ {
				code := otherLabel
				if c < l.codes {
					code = fmt.Sprintf("0x%02x", c)
				}
				series = append(series, []string{dir, p.Name, version, code})
			}
		}
	}
	otherFirst := len(series)
	series = append(series, []string{"in", otherLabel, otherLabel, otherLabel}, []string{"out", otherLabel, otherLabel, otherLabel})

	labels := []string{"direction", "protocol", "version", "code"}
	msgs, err1 := r.NewCounterVec(NameMessages, "Messages, by direction, protocol, version and message code.", labels, series)
	bytes, err2 := r.NewCounterVec(NameMessageBytes, "Decoded message payload bytes (after snappy decompression), by direction, protocol, version and message code.", labels, series)
	wire, err3 := r.NewCounterVec(NameMessageWireBytes, "Message bytes on the wire: whole RLPx frames (header, MACs, padding, payload compressed when snappy is on), by direction, protocol, version and message code.", labels, series)
	if err := errors.Join(err1, err2, err3); err != nil {
		return nil, err
	}
	at := func(i int) codeCounters {
		return codeCounters{msgs: msgs.At(i), bytes: bytes.At(i), wire: wire.At(i)}
	}
	t := &Traffic{protos: make(map[protoKey]*ProtocolTraffic, len(lay))}
	for _, l := range lay {
		pt := &ProtocolTraffic{codes: l.codes, protocol: l.p.Name}
		n := int(l.codes) + 1
		for c := range n {
			pt.in = append(pt.in, at(l.first+c))
			pt.out = append(pt.out, at(l.first+n+c))
		}
		t.protos[protoKey{l.p.Name, l.p.Version}] = pt
	}
	t.base = t.protos[protoKey{baseName, baseVersion}]
	t.other = &ProtocolTraffic{
		in:       []codeCounters{at(otherFirst)},
		out:      []codeCounters{at(otherFirst + 1)},
		protocol: otherLabel,
	}
	return t, nil
}

// Protocol returns the counters of protocol name/version, or those of
// protocol "other" if it was not declared. Call it when a peer starts, not
// per message: it looks up a map.
func (t *Traffic) Protocol(name string, version uint) *ProtocolTraffic {
	if t == nil {
		return nil
	}
	if pt, ok := t.protos[protoKey{name, version}]; ok {
		return pt
	}
	return t.other
}

// Base returns the counters of the base protocol, "p2p" version 5.
func (t *Traffic) Base() *ProtocolTraffic {
	if t == nil {
		return nil
	}
	return t.base
}

// Other returns the counters of protocol "other": messages whose code no
// shared protocol claims.
func (t *Traffic) Other() *ProtocolTraffic {
	if t == nil {
		return nil
	}
	return t.other
}

// Received counts a message read from the peer: code relative to the
// protocol's offset, size its decoded payload bytes, wire the bytes of its
// frame on the wire. Negative sizes count as zero.
func (p *ProtocolTraffic) Received(code uint64, size, wire int) {
	if p == nil {
		return
	}
	p.in[min(code, p.codes)].add(size, wire)
}

// Sent counts a message written to the peer, like Received.
func (p *ProtocolTraffic) Sent(code uint64, size, wire int) {
	if p == nil {
		return
	}
	p.out[min(code, p.codes)].add(size, wire)
}

func (c *codeCounters) add(size, wire int) {
	c.msgs.Inc()
	c.bytes.Add(uint64(max(size, 0)))
	c.wire.Add(uint64(max(wire, 0)))
}
