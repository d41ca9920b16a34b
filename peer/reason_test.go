package peer

import (
	"errors"
	"fmt"
	"io"
	"testing"
)

func TestDiscReasonString(t *testing.T) {
	tests := []struct {
		r    DiscReason
		want string
	}{
		{DiscRequested, "disconnect requested"},
		{DiscNetworkError, "network error"},
		{DiscProtocolError, "breach of protocol"},
		{DiscUselessPeer, "useless peer"},
		{DiscTooManyPeers, "too many peers"},
		{DiscAlreadyConnected, "already connected"},
		{DiscIncompatibleVersion, "incompatible p2p protocol version"},
		{DiscInvalidIdentity, "invalid node identity"},
		{DiscQuitting, "client quitting"},
		{DiscUnexpectedIdentity, "unexpected identity"},
		{DiscSelf, "connected to self"},
		{DiscReadTimeout, "read timeout"},
		{DiscSubprotocolError, "subprotocol error"},
		{0x0c, "disconnect reason 0x0c"},
		{0x7f, "disconnect reason 0x7f"},
		{DiscInvalid, "invalid disconnect reason"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%#02x", uint8(tt.r)), func(t *testing.T) {
			if got := tt.r.String(); got != tt.want {
				t.Errorf("String() = %q, want %q", got, tt.want)
			}
			if got := tt.r.Error(); got != tt.want {
				t.Errorf("Error() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReasonOf(t *testing.T) {
	tests := []struct {
		name   string
		err    error
		want   DiscReason
		wantOK bool
	}{
		{"nil", nil, 0, false},
		{"plain", io.EOF, 0, false},
		{"reason", DiscTooManyPeers, DiscTooManyPeers, true},
		{"wrapped reason", fmt.Errorf("ctx: %w", DiscUselessPeer), DiscUselessPeer, true},
		{"disconnect error", &DisconnectError{Reason: DiscSelf, Remote: true}, DiscSelf, true},
		{"disconnect error with cause", localDisc(DiscProtocolError, fmt.Errorf("x: %w", DiscQuitting)), DiscProtocolError, true},
		{"wrapped disconnect error", fmt.Errorf("run: %w", localDisc(DiscReadTimeout, io.EOF)), DiscReadTimeout, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := ReasonOf(tt.err)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("ReasonOf = (%v, %v), want (%v, %v)", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

func TestDisconnectError(t *testing.T) {
	remote := &DisconnectError{Reason: DiscTooManyPeers, Remote: true}
	if got, want := remote.Error(), "peer: remote disconnected: too many peers"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	local := localDisc(DiscProtocolError, ErrUnknownCode)
	if got, want := local.Error(), "peer: disconnected: breach of protocol: peer: unknown message code"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(local, ErrUnknownCode) || !errors.Is(local, DiscProtocolError) {
		t.Error("errors.Is does not find the cause and the reason")
	}
	var de *DisconnectError
	if !errors.As(fmt.Errorf("wrap: %w", remote), &de) || !de.Remote {
		t.Error("errors.As does not find the *DisconnectError")
	}
}
