// Package nat makes a node reachable from behind a NAT: it maps ports on
// the home gateway and learns the address the Internet sees.
//
// # Methods
//
// Every method is an Interface (map a port, unmap it, report the external
// IP):
//
//   - [UPnP]: UPnP Internet Gateway Device v1 and v2, found by SSDP, using
//     the WANIPConnection (v1, v2) or WANPPPConnection (v1) service.
//   - [NewPMP]: NAT-PMP, RFC 6886.
//   - [Any]: UPnP and NAT-PMP searched at once; the first gateway that
//     answers is used.
//   - [ExtIP]: a fixed external address, nothing mapped.
//   - [NewSTUN]: the external address as a STUN server (RFC 8489) sees
//     it, nothing mapped.
//
// [Parse] reads the text forms of go-ethereum's --nat flag ("any", "upnp",
// "pmp:192.168.1.1", "extip:1.2.3.4", "stun:host:3478", "none").
//
// # Untrusted gateways
//
// A gateway's answers are input like any other. Every blocking call takes
// a context and has a default deadline; HTTP bodies are capped at
// MaxHTTPBody and SSDP, NAT-PMP and STUN datagrams are read into
// fixed-size buffers; description and control URLs must point at the host
// that answered the search. An external address that is private,
// loopback, shared (RFC 6598) or unspecified — what a gateway behind a
// second NAT reports — is refused with ErrNotPublic and never advertised.
package nat
