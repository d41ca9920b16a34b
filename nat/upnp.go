package nat

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// UPnP Internet Gateway Device, versions 1 and 2 (UPnP Forum, "WANIPConnection:2
// Service", 2010, and "WANIPConnection:1", 2001). Discovery is SSDP (UPnP
// Device Architecture 1.1, §1.3): an HTTP-over-UDP M-SEARCH to the
// multicast group, answered by unicast with the LOCATION of the device
// description, an XML document listing the services and their control
// URLs. Actions are SOAP 1.1 POSTs to the control URL.

// ssdpMulticast is the SSDP group and port (IPv4; IPv6 gateways are rare
// and NAT-free).
var ssdpMulticast = netip.MustParseAddrPort("239.255.255.250:1900")

// Search targets: the device types of IGD v2 and v1.
var ssdpTargets = []string{
	"urn:schemas-upnp-org:device:InternetGatewayDevice:2",
	"urn:schemas-upnp-org:device:InternetGatewayDevice:1",
}

// The connection services we can use, most preferred first.
var upnpServices = []string{
	"urn:schemas-upnp-org:service:WANIPConnection:2",
	"urn:schemas-upnp-org:service:WANIPConnection:1",
	"urn:schemas-upnp-org:service:WANPPPConnection:1",
}

const (
	// maxSSDPAnswer caps an SSDP answer datagram; real ones are ~300 bytes.
	maxSSDPAnswer = 2048
	// maxSSDPAnswers caps the answers one search looks at.
	maxSSDPAnswers = 32
	// ssdpResend is the interval between M-SEARCH repeats (UDP is lossy).
	ssdpResend = 500 * time.Millisecond
	// ssdpMX is the MX header: how many seconds a device may wait before
	// answering (UDA 1.1 requires 1–5).
	ssdpMX = 1
	// maxHTTPHeader caps the response header of a gateway's HTTP answers.
	maxHTTPHeader = 8 << 10
	// upnpRandomPortTries is how many random external ports an IGDv1
	// mapping tries after the asked one conflicts (go-ethereum: 3).
	upnpRandomPortTries = 3
)

// UPnP error codes (WANIPConnection:2 §2.5) we react to.
const (
	upnpConflict           = 718 // ConflictInMappingEntry
	upnpOnlyPermanentLease = 725 // OnlyPermanentLeasesSupported
)

// SOAPError is a UPnP error returned in a SOAP fault.
type SOAPError struct {
	Code        int    // the UPnP errorCode from the fault, as the gateway sent it
	Description string // the fault's errorDescription, as the gateway sent it, cut to maxRemoteText bytes
}

// Error gives the UPnP error code and its description.
func (e *SOAPError) Error() string {
	return fmt.Sprintf("nat: UPnP error %d (%s)", e.Code, e.Description)
}

// IGD is a UPnP Internet Gateway Device's connection service.
type IGD struct {
	control  *url.URL // the service's control URL, on the gateway's host
	service  string   // service type, e.g. WANIPConnection:2's URN
	localIP  netip.Addr
	client   *http.Client
	gateway  netip.Addr
	version2 bool
}

// String names the gateway and the IGD version of its service.
func (g *IGD) String() string {
	v := 1
	if g.version2 {
		v = 2
	}
	return fmt.Sprintf("UPnP IGDv%d (%v)", v, g.gateway)
}

// discoverUPnP searches the LAN for an IGD.
func discoverUPnP(ctx context.Context) (Interface, error) {
	return discoverUPnPAt(ctx, ssdpMulticast)
}

// discoverUPnPAt sends M-SEARCHes to dst (the multicast group, or a fake
// gateway in tests) until a device answers whose description offers a
// connection service, or ctx ends.
func discoverUPnPAt(ctx context.Context, dst netip.AddrPort) (Interface, error) {
	conn, err := net.ListenUDP("udp4", nil)
	if err != nil {
		return nil, fmt.Errorf("nat: SSDP: %w", err)
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetReadDeadline(time.Unix(1, 0)) })
	defer stop()

	send := func() {
		for _, st := range ssdpTargets {
			msg := "M-SEARCH * HTTP/1.1\r\n" +
				"HOST: 239.255.255.250:1900\r\n" +
				"MAN: \"ssdp:discover\"\r\n" +
				"MX: " + strconv.Itoa(ssdpMX) + "\r\n" +
				"ST: " + st + "\r\n\r\n"
			conn.WriteToUDPAddrPort([]byte(msg), dst)
		}
	}
	send()
	nextSend := time.Now().Add(ssdpResend)
	seen := make(map[string]bool)
	var lastErr error = ErrNoGateway
	buf := make([]byte, maxSSDPAnswer+1)
	for answers := 0; answers < maxSSDPAnswers; {
		if time.Now().After(nextSend) {
			send()
			nextSend = time.Now().Add(ssdpResend)
		}
		conn.SetReadDeadline(nextSend)
		if ctxErr(ctx) != nil {
			break
		}
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && ctxErr(ctx) == nil {
				continue
			}
			if ctxErr(ctx) == nil {
				lastErr = err
			}
			break
		}
		answers++
		loc, err := parseSSDPAnswer(buf[:n], from.Addr().Unmap())
		if err != nil {
			lastErr = err
			continue
		}
		if seen[loc.String()] {
			continue
		}
		seen[loc.String()] = true
		igd, err := newIGD(ctx, loc, from.Addr().Unmap())
		if err != nil {
			lastErr = err
			continue
		}
		return igd, nil
	}
	if err := ctxErr(ctx); err != nil && errors.Is(lastErr, ErrNoGateway) {
		return nil, fmt.Errorf("nat: UPnP: %w (%w)", ErrNoGateway, err)
	}
	return nil, fmt.Errorf("nat: UPnP: %w", lastErr)
}

// parseSSDPAnswer checks an M-SEARCH answer and returns its LOCATION. The
// description must be served over plain HTTP by the host that answered:
// a LAN device cannot send us to fetch from elsewhere.
func parseSSDPAnswer(b []byte, from netip.Addr) (*url.URL, error) {
	if len(b) > maxSSDPAnswer {
		return nil, fmt.Errorf("%w: SSDP answer of %d bytes", ErrMalformed, len(b))
	}
	resp, err := http.ReadResponse(bufio.NewReader(bytes.NewReader(b)), nil)
	if err != nil {
		return nil, fmt.Errorf("%w: SSDP answer: %v", ErrMalformed, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%w: SSDP answer status %q", ErrMalformed, clip(resp.Status))
	}
	loc := resp.Header.Get("Location")
	if loc == "" {
		return nil, fmt.Errorf("%w: SSDP answer without LOCATION", ErrMalformed)
	}
	u, err := url.Parse(loc)
	if err != nil {
		return nil, fmt.Errorf("%w: SSDP LOCATION: %v", ErrMalformed, err)
	}
	if err := checkGatewayURL(u, from); err != nil {
		return nil, err
	}
	return u, nil
}

// checkGatewayURL accepts only http URLs whose host is the gateway's IP.
func checkGatewayURL(u *url.URL, gateway netip.Addr) error {
	host, err := netip.ParseAddr(u.Hostname())
	if u.Scheme != "http" || err != nil || host.Unmap() != gateway {
		return fmt.Errorf("%w: URL %q is not http on the gateway %v", ErrMalformed, clip(u.Redacted()), gateway)
	}
	return nil
}

// upnpDescription is the part of a device description (UDA 1.1 §2.3) we
// read: the device tree and each device's services.
type upnpDescription struct {
	URLBase string     `xml:"URLBase"`
	Device  upnpDevice `xml:"device"`
}

type upnpDevice struct {
	Services []struct {
		Type       string `xml:"serviceType"`
		ControlURL string `xml:"controlURL"`
	} `xml:"serviceList>service"`
	Devices []upnpDevice `xml:"deviceList>device"`
}

// findService returns the control URL of the most preferred connection
// service in the device tree.
func (d *upnpDescription) findService() (service, control string, ok bool) {
	for _, want := range upnpServices {
		if c, ok := d.Device.find(want, 0); ok {
			return want, c, true
		}
	}
	return "", "", false
}

// maxDeviceDepth caps the recursion over embedded devices (an IGD nests
// three levels: IGD, WANDevice, WANConnectionDevice).
const maxDeviceDepth = 8

func (d *upnpDevice) find(service string, depth int) (string, bool) {
	if depth > maxDeviceDepth {
		return "", false
	}
	for _, s := range d.Services {
		if strings.TrimSpace(s.Type) == service {
			return strings.TrimSpace(s.ControlURL), true
		}
	}
	for i := range d.Devices {
		if c, ok := d.Devices[i].find(service, depth+1); ok {
			return c, true
		}
	}
	return "", false
}

// newHTTPClient returns a client that talks only to the gateway: no proxy,
// no redirects, no idle connections left behind, capped headers.
func newHTTPClient() *http.Client {
	return &http.Client{
		Transport: &http.Transport{
			Proxy:                  nil,
			DisableKeepAlives:      true,
			MaxResponseHeaderBytes: maxHTTPHeader,
			ResponseHeaderTimeout:  DefaultTimeout,
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// maxRemoteText caps the gateway-chosen text (a fault description, a
// malformed value, a URL) that goes into an error, and so into a log line:
// a body may be MaxHTTPBody bytes.
const maxRemoteText = 128

// clip returns s cut to maxRemoteText bytes, marked with "…" when cut.
func clip(s string) string {
	if len(s) <= maxRemoteText {
		return s
	}
	return s[:maxRemoteText] + "…"
}

// readBody reads at most MaxHTTPBody bytes and fails beyond.
func readBody(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxHTTPBody+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxHTTPBody {
		return nil, ErrBodyTooLarge
	}
	return b, nil
}

// newIGD fetches the description at loc and sets up its connection
// service.
func newIGD(ctx context.Context, loc *url.URL, gateway netip.Addr) (*IGD, error) {
	client := newHTTPClient()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, loc.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("nat: UPnP description: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("nat: UPnP description: %w", err)
	}
	body, err := readBody(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, fmt.Errorf("nat: UPnP description %s: %w", loc, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("nat: UPnP description %s: status %q", loc, clip(resp.Status))
	}
	var desc upnpDescription
	if err := xml.Unmarshal(body, &desc); err != nil {
		return nil, fmt.Errorf("%w: UPnP description: %v", ErrMalformed, err)
	}
	service, control, ok := desc.findService()
	if !ok {
		return nil, fmt.Errorf("nat: UPnP device at %s has no WANIPConnection or WANPPPConnection service", loc)
	}
	base := loc
	if desc.URLBase != "" {
		if base, err = url.Parse(strings.TrimSpace(desc.URLBase)); err != nil {
			return nil, fmt.Errorf("%w: UPnP URLBase: %v", ErrMalformed, err)
		}
	}
	cu, err := base.Parse(control)
	if err != nil {
		return nil, fmt.Errorf("%w: UPnP controlURL: %v", ErrMalformed, err)
	}
	if err := checkGatewayURL(cu, gateway); err != nil {
		return nil, err
	}
	local, err := localIPTowards(cu.Host)
	if err != nil {
		return nil, err
	}
	return &IGD{
		control:  cu,
		service:  service,
		localIP:  local,
		client:   client,
		gateway:  gateway,
		version2: strings.HasSuffix(service, ":2"),
	}, nil
}

// localIPTowards returns the address our packets to hostport leave from,
// the NewInternalClient of our mappings. Connecting a UDP socket sends
// nothing.
func localIPTowards(hostport string) (netip.Addr, error) {
	if _, _, err := net.SplitHostPort(hostport); err != nil {
		hostport = net.JoinHostPort(hostport, "80")
	}
	c, err := net.Dial("udp4", hostport)
	if err != nil {
		return netip.Addr{}, fmt.Errorf("nat: UPnP: our address towards the gateway: %w", err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}

// ExternalIP calls GetExternalIPAddress.
func (g *IGD) ExternalIP(ctx context.Context) (netip.Addr, error) {
	out, err := g.call(ctx, "GetExternalIPAddress", nil)
	if err != nil {
		return netip.Addr{}, err
	}
	ip, err := netip.ParseAddr(strings.TrimSpace(out["NewExternalIPAddress"]))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("%w: UPnP external address %q", ErrMalformed, clip(out["NewExternalIPAddress"]))
	}
	return checkPublic(ip)
}

// Map calls AddPortMapping for ext. If the port is taken by another host
// (error 718), an IGDv2 picks a free one with AddAnyPortMapping and an
// IGDv1 is asked for random ports. A gateway that only grants permanent
// leases (error 725) is asked again with lease 0; Unmap removes it.
func (g *IGD) Map(ctx context.Context, proto Protocol, internal, ext uint16, lifetime time.Duration, desc string) (Mapping, error) {
	if proto != TCP && proto != UDP {
		return Mapping{}, fmt.Errorf("nat: unknown protocol %q", proto)
	}
	if lifetime <= 0 {
		lifetime = DefaultLifetime
	}
	m := Mapping{Protocol: proto, InternalPort: internal, ExternalPort: ext, Lifetime: lifetime}
	err := g.add(ctx, "AddPortMapping", &m, desc)
	var se *SOAPError
	if errors.As(err, &se) && se.Code == upnpOnlyPermanentLease {
		m.Lifetime = 0
		err = g.add(ctx, "AddPortMapping", &m, desc)
	}
	if !errors.As(err, &se) || se.Code != upnpConflict {
		return m, err
	}
	if g.version2 {
		if err := g.add(ctx, "AddAnyPortMapping", &m, desc); err == nil {
			return m, nil
		}
	}
	for range upnpRandomPortTries {
		m.ExternalPort = uint16(10000 + rand.IntN(65535-10000))
		if err = g.add(ctx, "AddPortMapping", &m, desc); err == nil {
			return m, nil
		}
	}
	return Mapping{}, err
}

// add runs AddPortMapping or AddAnyPortMapping (which returns the port it
// reserved) for m, updating m.ExternalPort.
func (g *IGD) add(ctx context.Context, action string, m *Mapping, desc string) error {
	out, err := g.call(ctx, action, [][2]string{
		{"NewRemoteHost", ""},
		{"NewExternalPort", strconv.Itoa(int(m.ExternalPort))},
		{"NewProtocol", string(m.Protocol)},
		{"NewInternalPort", strconv.Itoa(int(m.InternalPort))},
		{"NewInternalClient", g.localIP.String()},
		{"NewEnabled", "1"},
		{"NewPortMappingDescription", desc},
		{"NewLeaseDuration", strconv.Itoa(int(m.Lifetime / time.Second))},
	})
	if err != nil {
		return err
	}
	if action == "AddAnyPortMapping" {
		p, err := strconv.ParseUint(strings.TrimSpace(out["NewReservedPort"]), 10, 16)
		if err != nil || p == 0 {
			return fmt.Errorf("%w: UPnP NewReservedPort %q", ErrMalformed, clip(out["NewReservedPort"]))
		}
		m.ExternalPort = uint16(p)
	}
	return nil
}

// Unmap calls DeletePortMapping.
func (g *IGD) Unmap(ctx context.Context, m Mapping) error {
	_, err := g.call(ctx, "DeletePortMapping", [][2]string{
		{"NewRemoteHost", ""},
		{"NewExternalPort", strconv.Itoa(int(m.ExternalPort))},
		{"NewProtocol", string(m.Protocol)},
	})
	return err
}

// soapTimeout bounds one SOAP call when the caller's context has no
// earlier deadline.
const soapTimeout = DefaultTimeout

// call runs a SOAP action and returns the answer's arguments by name.
func (g *IGD) call(ctx context.Context, action string, args [][2]string) (map[string]string, error) {
	ctx, cancel := context.WithTimeout(ctx, soapTimeout)
	defer cancel()
	var body bytes.Buffer
	body.WriteString(`<?xml version="1.0"?>` +
		`<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/" s:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">` +
		`<s:Body><u:` + action + ` xmlns:u="` + g.service + `">`)
	for _, a := range args {
		body.WriteString("<" + a[0] + ">")
		xml.EscapeText(&body, []byte(a[1]))
		body.WriteString("</" + a[0] + ">")
	}
	body.WriteString(`</u:` + action + `></s:Body></s:Envelope>`)

	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.control.String(), &body)
	if err != nil {
		return nil, fmt.Errorf("nat: UPnP %s: %w", action, err)
	}
	req.Header.Set("Content-Type", `text/xml; charset="utf-8"`)
	req.Header.Set("SOAPAction", `"`+g.service+"#"+action+`"`)
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("nat: UPnP %s: %w", action, err)
	}
	defer resp.Body.Close()
	b, err := readBody(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("nat: UPnP %s: %w", action, err)
	}
	return parseSOAPAnswer(b, action, resp.StatusCode)
}

// parseSOAPAnswer reads a SOAP answer: on success the arguments of
// <ActionResponse>; on failure the UPnPError in the fault's detail as
// *SOAPError.
func parseSOAPAnswer(b []byte, action string, status int) (map[string]string, error) {
	leaves, sawResponse, err := soapLeaves(b, action+"Response")
	if err != nil {
		return nil, err
	}
	if status == http.StatusOK && sawResponse {
		return leaves, nil
	}
	if code, err := strconv.Atoi(strings.TrimSpace(leaves["errorCode"])); err == nil {
		return nil, &SOAPError{Code: code, Description: clip(strings.TrimSpace(leaves["errorDescription"]))}
	}
	if status == http.StatusOK {
		return nil, fmt.Errorf("%w: SOAP answer to %s without %sResponse", ErrMalformed, action, action)
	}
	return nil, fmt.Errorf("nat: UPnP %s: HTTP status %d", action, status)
}

// maxSOAPDepth caps element nesting in a SOAP answer (a real one nests 5
// deep: Envelope, Body, Fault, detail, UPnPError).
const maxSOAPDepth = 16

// soapLeaves collects the text of every element without child elements,
// by local name, and reports whether an element named want occurs.
func soapLeaves(b []byte, want string) (map[string]string, bool, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	leaves := make(map[string]string)
	var (
		depth  int
		text   strings.Builder
		isLeaf bool
		seen   bool
	)
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, false, fmt.Errorf("%w: SOAP answer: %v", ErrMalformed, err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth++; depth > maxSOAPDepth {
				return nil, false, fmt.Errorf("%w: SOAP answer nested deeper than %d", ErrMalformed, maxSOAPDepth)
			}
			if t.Name.Local == want {
				seen = true
			}
			text.Reset()
			isLeaf = true
		case xml.CharData:
			if isLeaf {
				text.Write(t)
			}
		case xml.EndElement:
			depth--
			if isLeaf {
				leaves[t.Name.Local] = text.String()
			}
			isLeaf = false
		}
	}
	if depth != 0 {
		return nil, false, fmt.Errorf("%w: SOAP answer truncated", ErrMalformed)
	}
	return leaves, seen, nil
}
