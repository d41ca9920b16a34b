package discover

import (
	"errors"
	"time"

	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/metrics"
)

// badPacketReason maps a v4wire.Decode error to the reason
// devp2p_discover_bad_packets_total counts it under.
func badPacketReason(err error) metrics.BadPacket {
	switch {
	case errors.Is(err, v4wire.ErrPacketTooSmall):
		return metrics.BadPacketTooSmall
	case errors.Is(err, v4wire.ErrPacketTooBig):
		return metrics.BadPacketTooBig
	case errors.Is(err, v4wire.ErrBadHash):
		return metrics.BadPacketHash
	case errors.Is(err, v4wire.ErrBadSignature):
		return metrics.BadPacketSignature
	case errors.Is(err, v4wire.ErrUnknownPacket):
		return metrics.BadPacketUnknownType
	case errors.Is(err, v4wire.ErrMalformed):
		return metrics.BadPacketMalformed
	}
	return metrics.BadPacketOther
}

// badPacketReasonV5 maps a v5wire.Codec.Decode error to the reason
// devp2p_discover_bad_packets_total counts it under.
func badPacketReasonV5(err error) metrics.BadPacket {
	switch {
	case errors.Is(err, v5wire.ErrPacketTooSmall):
		return metrics.BadPacketTooSmall
	case errors.Is(err, v5wire.ErrPacketTooBig):
		return metrics.BadPacketTooBig
	case errors.Is(err, v5wire.ErrInvalidSignature):
		return metrics.BadPacketSignature
	case errors.Is(err, v5wire.ErrDecrypt):
		return metrics.BadPacketDecrypt
	case errors.Is(err, v5wire.ErrUnknownMessage):
		return metrics.BadPacketUnknownType
	case errors.Is(err, v5wire.ErrUnexpectedHandshake), errors.Is(err, v5wire.ErrUnsolicited):
		return metrics.BadPacketUnsolicited
	case errors.Is(err, v5wire.ErrMalformed), errors.Is(err, v5wire.ErrInvalidHeader),
		errors.Is(err, v5wire.ErrInvalidAuthData), errors.Is(err, v5wire.ErrInvalidReqID),
		errors.Is(err, v5wire.ErrInvalidRecord), errors.Is(err, v5wire.ErrInvalidEphemeralKey):
		return metrics.BadPacketMalformed
	}
	return metrics.BadPacketOther
}

// dropped counts a received packet dropped for reason r.
func (t *UDPv4) dropped(r metrics.BadPacket) {
	t.cfg.Metrics.BadPacket(metrics.DiscV4, r)
}

// packetOut counts a packet we sent, unless its write failed with err; pkt
// is a whole encoded packet, whose type byte follows the 32-byte hash and
// the 65-byte signature (devp2p discv4.md, "Wire Protocol").
func (t *UDPv4) packetOut(pkt []byte, err error) {
	if err == nil && len(pkt) >= v4wire.MinPacketSize {
		t.cfg.Metrics.PacketOut(metrics.DiscV4, pkt[v4wire.MinPacketSize-1])
	}
}

// checkExpired counts a packet dropped because its expiration passed, and
// returns expired.
func (t *UDPv4) checkExpired(expired bool) bool {
	if expired {
		t.dropped(metrics.BadPacketExpired)
	}
	return expired
}

// lookupDone records the duration of a lookup that started at start.
func (t *UDPv4) lookupDone(start time.Time) {
	t.cfg.Metrics.LookupDone(metrics.DiscV4, t.clock.Now().Sub(start))
}

// entriesChanged sets the table-size gauge after the buckets changed. It
// runs on the table's loop, which owns the buckets.
func (t *table) entriesChanged() {
	if t.cfg.metrics == nil {
		return
	}
	n := 0
	for _, b := range t.buckets {
		n += len(b.entries)
	}
	t.cfg.metrics.SetTableNodes(n)
}
