package peer

import (
	"fmt"
	"testing"
)

func TestDecodeDisconnect(t *testing.T) {
	tests := []struct {
		name      string
		frameData string // msg-id 01 ‖ payload, the forms go-ethereum and reth send
		want      DiscReason
	}{
		{"bare 00", "0100", DiscRequested},
		{"bare 80", "0180", DiscRequested},
		{"list c100", "01c100", DiscRequested},
		{"list c180", "01c180", DiscRequested},
		{"empty list", "01c0", DiscRequested},
		{"empty payload", "01", DiscRequested},
		{"compressed too many peers", "010204c104", DiscTooManyPeers},
		{"compressed empty list", "010100c0", DiscRequested},
		{"list with extra element", "01c20403", DiscTooManyPeers},
		{"reason over a byte", "01c3820100", DiscInvalid},
		{"reason 0xff", "01c281ff", DiscInvalid},
		{"list of a list", "01c1c0", DiscInvalid},
		{"string reason", "01c3826869", DiscInvalid},
		{"truncated list", "01c2", DiscInvalid},
		{"two values", "010405", DiscInvalid},
		{"snappy bomb header", "0181808008", DiscInvalid},
		{"oversized", "01" + fmt.Sprintf("%0130x", 0), DiscInvalid},
	}
	for r := DiscNetworkError; r <= DiscReadTimeout; r++ {
		tests = append(tests,
			struct {
				name      string
				frameData string
				want      DiscReason
			}{fmt.Sprintf("bare %02x", uint8(r)), fmt.Sprintf("01%02x", uint8(r)), r},
			struct {
				name      string
				frameData string
				want      DiscReason
			}{fmt.Sprintf("list c1%02x", uint8(r)), fmt.Sprintf("01c1%02x", uint8(r)), r},
		)
	}
	tests = append(tests, struct {
		name      string
		frameData string
		want      DiscReason
	}{"bare 10", "0110", DiscSubprotocolError}, struct {
		name      string
		frameData string
		want      DiscReason
	}{"list c110", "01c110", DiscSubprotocolError})

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := mustHex(tt.frameData)
			if b[0] != disconnectMsg {
				t.Fatal("bad test: frame data must start with msg-id 01")
			}
			if got := decodeDisconnect(b[1:]); got != tt.want {
				t.Errorf("decodeDisconnect(%x) = %v, want %v", b[1:], got, tt.want)
			}
		})
	}
}

func TestEncodeDisconnect(t *testing.T) {
	for _, r := range []DiscReason{DiscRequested, DiscTooManyPeers, DiscSubprotocolError, 0x7f, 0x80, 0xfe} {
		enc := encodeDisconnect(r)
		if got := decodeDisconnect(enc); got != r {
			t.Errorf("%v: encoded %x decodes to %v", r, enc, got)
		}
	}
	if got := fmt.Sprintf("%x", encodeDisconnect(DiscRequested)); got != "c180" {
		t.Errorf("Disconnect(requested) = %s, want c180", got)
	}
	if got := fmt.Sprintf("%x", encodeDisconnect(DiscTooManyPeers)); got != "c104" {
		t.Errorf("Disconnect(too many peers) = %s, want c104", got)
	}
}
