package nat

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// fakeIGD is an in-process UPnP gateway on loopback: an SSDP responder
// and an HTTP server for the description and SOAP control.
type fakeIGD struct {
	ssdp *net.UDPConn
	http *httptest.Server
	wg   sync.WaitGroup

	mu sync.Mutex // protects the fields below; tests change them with set
	// ssdpAnswer makes the SSDP answer for the HTTP server's base URL.
	ssdpAnswer func(base string) string
	// description is served at /desc.xml.
	description string
	// soap answers a SOAP action with status and body.
	soap func(action string, args map[string]string) (int, string)
	// override, when set, handles every HTTP request instead.
	override http.HandlerFunc
	actions  []string // "Action arg=value ..." in order
}

// set changes the fake's behaviour.
func (f *fakeIGD) set(change func(f *fakeIGD)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	change(f)
}

const igdDescription = `<?xml version="1.0"?>
<root xmlns="urn:schemas-upnp-org:device-1-0">
 <device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:%[1]d</deviceType>
  <deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:%[1]d</deviceType>
   <deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:%[1]d</deviceType>
    <serviceList><service>
     <serviceType>urn:schemas-upnp-org:service:WANIPConnection:%[1]d</serviceType>
     <controlURL>/ctl/IPConn</controlURL>
    </service></serviceList>
   </device></deviceList>
  </device></deviceList>
 </device>
</root>`

func okSSDP(base string) string {
	return "HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n" +
		"LOCATION: " + base + "/desc.xml\r\nEXT:\r\n\r\n"
}

func soapOK(action string, args string) string {
	return `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body>` +
		`<u:` + action + `Response xmlns:u="urn:schemas-upnp-org:service:WANIPConnection:1">` + args +
		`</u:` + action + `Response></s:Body></s:Envelope>`
}

func soapFault(code int, desc string) string {
	return `<?xml version="1.0"?><s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/"><s:Body><s:Fault>` +
		`<faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring><detail>` +
		`<UPnPError xmlns="urn:schemas-upnp-org:control-1-0"><errorCode>` + fmt.Sprint(code) + `</errorCode>` +
		`<errorDescription>` + desc + `</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>`
}

// defaultSOAP is a well-behaved IGD with external address 8.8.4.4.
func defaultSOAP(action string, args map[string]string) (int, string) {
	switch action {
	case "GetExternalIPAddress":
		return 200, soapOK(action, "<NewExternalIPAddress>8.8.4.4</NewExternalIPAddress>")
	case "AddAnyPortMapping":
		return 200, soapOK(action, "<NewReservedPort>41000</NewReservedPort>")
	}
	return 200, soapOK(action, "")
}

func newFakeIGD(t *testing.T, version int) *fakeIGD {
	t.Helper()
	f := &fakeIGD{ssdpAnswer: okSSDP, description: fmt.Sprintf(igdDescription, version), soap: defaultSOAP}
	f.http = httptest.NewServer(http.HandlerFunc(f.serveHTTP))
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	f.ssdp = conn
	f.wg.Go(func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := conn.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			f.mu.Lock()
			answer := f.ssdpAnswer
			f.mu.Unlock()
			if strings.HasPrefix(string(buf[:n]), "M-SEARCH * HTTP/1.1\r\n") {
				conn.WriteToUDPAddrPort([]byte(answer(f.http.URL)), from)
			}
		}
	})
	t.Cleanup(func() {
		conn.Close()
		f.wg.Wait()
		f.http.CloseClientConnections()
		f.http.Close()
	})
	return f
}

func (f *fakeIGD) serveHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	override, desc, soap := f.override, f.description, f.soap
	f.mu.Unlock()
	if override != nil {
		override(w, r)
		return
	}
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/desc.xml":
		io.WriteString(w, desc)
	case r.Method == http.MethodPost && r.URL.Path == "/ctl/IPConn":
		body, _ := io.ReadAll(io.LimitReader(r.Body, 1<<16))
		soapAction := strings.Trim(r.Header.Get("SOAPAction"), `"`)
		_, action, _ := strings.Cut(soapAction, "#")
		leaves, _, err := soapLeaves(body, action)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		var rec strings.Builder
		rec.WriteString(action)
		for _, k := range []string{"NewExternalPort", "NewProtocol", "NewInternalPort", "NewInternalClient", "NewLeaseDuration"} {
			if v, ok := leaves[k]; ok {
				fmt.Fprintf(&rec, " %s=%s", k, v)
			}
		}
		f.mu.Lock()
		f.actions = append(f.actions, rec.String())
		f.mu.Unlock()
		status, answer := soap(action, leaves)
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(status)
		io.WriteString(w, answer)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeIGD) ssdpAddr() netip.AddrPort { return f.ssdp.LocalAddr().(*net.UDPAddr).AddrPort() }

func (f *fakeIGD) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.actions...)
}

func (f *fakeIGD) discover(t *testing.T) (Interface, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	return discoverUPnPAt(ctx, f.ssdpAddr())
}

func TestUPnP(t *testing.T) {
	for _, version := range []int{1, 2} {
		t.Run(fmt.Sprintf("IGDv%d", version), func(t *testing.T) {
			f := newFakeIGD(t, version)
			igd, err := f.discover(t)
			require.NoError(t, err)
			require.Equal(t, fmt.Sprintf("UPnP IGDv%d (127.0.0.1)", version), igd.String())
			ctx := context.Background()

			ip, err := igd.ExternalIP(ctx)
			require.NoError(t, err)
			require.Equal(t, netip.MustParseAddr("8.8.4.4"), ip)

			m, err := igd.Map(ctx, TCP, 30303, 30304, 10*time.Minute, "devp2p")
			require.NoError(t, err)
			require.Equal(t, Mapping{Protocol: TCP, InternalPort: 30303, ExternalPort: 30304, Lifetime: 10 * time.Minute}, m)
			require.NoError(t, igd.Unmap(ctx, m))
			require.Equal(t, []string{
				"GetExternalIPAddress",
				"AddPortMapping NewExternalPort=30304 NewProtocol=TCP NewInternalPort=30303 NewInternalClient=127.0.0.1 NewLeaseDuration=600",
				"DeletePortMapping NewExternalPort=30304 NewProtocol=TCP",
			}, f.calls())
		})
	}
}

// Port taken (718): IGDv2 asks AddAnyPortMapping, IGDv1 tries random ports.
func TestUPnPConflict(t *testing.T) {
	t.Run("IGDv2", func(t *testing.T) {
		f := newFakeIGD(t, 2)
		f.set(func(f *fakeIGD) {
			f.soap = func(action string, args map[string]string) (int, string) {
				if action == "AddPortMapping" {
					return 500, soapFault(718, "ConflictInMappingEntry")
				}
				return defaultSOAP(action, args)
			}
		})
		igd, err := f.discover(t)
		require.NoError(t, err)
		m, err := igd.Map(context.Background(), UDP, 30303, 30303, time.Minute, "")
		require.NoError(t, err)
		require.Equal(t, uint16(41000), m.ExternalPort)
	})
	t.Run("IGDv1", func(t *testing.T) {
		f := newFakeIGD(t, 1)
		f.set(func(f *fakeIGD) {
			f.soap = func(action string, args map[string]string) (int, string) {
				if args["NewExternalPort"] == "30303" {
					return 500, soapFault(718, "ConflictInMappingEntry")
				}
				return defaultSOAP(action, args)
			}
		})
		igd, err := f.discover(t)
		require.NoError(t, err)
		m, err := igd.Map(context.Background(), UDP, 30303, 30303, time.Minute, "")
		require.NoError(t, err)
		require.GreaterOrEqual(t, m.ExternalPort, uint16(10000))
		require.Equal(t, uint16(30303), m.InternalPort)
	})
}

// Error 725: only permanent leases; asked again with lease 0.
func TestUPnPPermanentLeaseOnly(t *testing.T) {
	f := newFakeIGD(t, 1)
	f.set(func(f *fakeIGD) {
		f.soap = func(action string, args map[string]string) (int, string) {
			if action == "AddPortMapping" && args["NewLeaseDuration"] != "0" {
				return 500, soapFault(725, "OnlyPermanentLeasesSupported")
			}
			return defaultSOAP(action, args)
		}
	})
	igd, err := f.discover(t)
	require.NoError(t, err)
	m, err := igd.Map(context.Background(), TCP, 30303, 30303, time.Minute, "")
	require.NoError(t, err)
	require.Zero(t, m.Lifetime)
}

func TestUPnPBadExternalIP(t *testing.T) {
	for _, tt := range []struct{ name, ip string }{
		{"private", "192.168.1.7"}, {"shared CGNAT", "100.100.0.1"}, {"loopback", "127.0.0.1"},
		{"unspecified", "0.0.0.0"}, {"link-local", "169.254.0.1"}, {"garbage", "not-an-ip"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIGD(t, 1)
			f.set(func(f *fakeIGD) {
				f.soap = func(action string, args map[string]string) (int, string) {
					return 200, soapOK(action, "<NewExternalIPAddress>"+tt.ip+"</NewExternalIPAddress>")
				}
			})
			igd, err := f.discover(t)
			require.NoError(t, err)
			ip, err := igd.ExternalIP(context.Background())
			require.Error(t, err)
			require.False(t, ip.IsValid())
			if tt.name == "garbage" {
				require.ErrorIs(t, err, ErrMalformed)
			} else {
				require.ErrorIs(t, err, ErrNotPublic)
			}
		})
	}
}

func TestUPnPMalformedSOAP(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		wantErr error
	}{
		{"not XML", 200, "<<<", ErrMalformed},
		{"truncated", 200, `<s:Envelope><s:Body><u:GetExternalIPAddressResponse>`, ErrMalformed},
		{"no response element", 200, `<s:Envelope><s:Body></s:Body></s:Envelope>`, ErrMalformed},
		{"too deep", 200, strings.Repeat("<a>", 100) + strings.Repeat("</a>", 100), ErrMalformed},
		{"fault", 500, soapFault(501, "ActionFailed"), &SOAPError{Code: 501, Description: "ActionFailed"}},
		{"fault without code", 500, `<s:Envelope><s:Body><s:Fault></s:Fault></s:Body></s:Envelope>`, nil},
		{"empty 500", 500, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIGD(t, 1)
			f.set(func(f *fakeIGD) { f.soap = func(string, map[string]string) (int, string) { return tt.status, tt.body } })
			igd, err := f.discover(t)
			require.NoError(t, err)
			_, err = igd.ExternalIP(context.Background())
			require.Error(t, err)
			switch want := tt.wantErr.(type) {
			case nil:
			case *SOAPError:
				var se *SOAPError
				require.ErrorAs(t, err, &se)
				require.Equal(t, want, se)
			default:
				require.ErrorIs(t, err, want)
			}
		})
	}
}

func TestUPnPMalformedSSDP(t *testing.T) {
	tests := []struct {
		name   string
		answer func(base string) string
	}{
		{"garbage", func(string) string { return "\x00\x01garbage" }},
		{"not 200", func(base string) string {
			return "HTTP/1.1 404 Not Found\r\nLOCATION: " + base + "/desc.xml\r\n\r\n"
		}},
		{"no location", func(string) string { return "HTTP/1.1 200 OK\r\nST: x\r\n\r\n" }},
		{"bad location", func(string) string { return "HTTP/1.1 200 OK\r\nLOCATION: ::%%\r\n\r\n" }},
		{"location on another host", func(base string) string {
			return "HTTP/1.1 200 OK\r\nLOCATION: " + strings.Replace(base, "127.0.0.1", "127.0.0.2", 1) + "/desc.xml\r\n\r\n"
		}},
		{"https location", func(base string) string {
			return "HTTP/1.1 200 OK\r\nLOCATION: " + strings.Replace(base, "http:", "https:", 1) + "/desc.xml\r\n\r\n"
		}},
		{"oversized", func(base string) string {
			return "HTTP/1.1 200 OK\r\nX: " + strings.Repeat("a", 3000) + "\r\nLOCATION: " + base + "/desc.xml\r\n\r\n"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIGD(t, 1)
			f.set(func(f *fakeIGD) { f.ssdpAnswer = tt.answer })
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := discoverUPnPAt(ctx, f.ssdpAddr())
			require.Error(t, err)
			require.Empty(t, f.calls())
		})
	}
}

func TestUPnPMalformedDescription(t *testing.T) {
	tests := []struct{ name, desc string }{
		{"not XML", "<root><device>"},
		{"no service", `<root><device><serviceList><service><serviceType>urn:x</serviceType></service></serviceList></device></root>`},
		{"control URL elsewhere", `<root><device><serviceList><service>` +
			`<serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>` +
			`<controlURL>http://192.0.2.1/ctl</controlURL></service></serviceList></device></root>`},
		{"URLBase elsewhere", `<root><URLBase>http://192.0.2.1:80/</URLBase><device><serviceList><service>` +
			`<serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>` +
			`<controlURL>/ctl</controlURL></service></serviceList></device></root>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeIGD(t, 1)
			f.set(func(f *fakeIGD) { f.description = tt.desc })
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			defer cancel()
			_, err := discoverUPnPAt(ctx, f.ssdpAddr())
			require.Error(t, err)
			require.Empty(t, f.calls())
		})
	}
}

// endlessReader streams 'a' forever.
type endlessReader struct{}

func (endlessReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// A gateway streaming an endless body: reading stops at MaxHTTPBody.
func TestUPnPEndlessBody(t *testing.T) {
	t.Run("description", func(t *testing.T) {
		f := newFakeIGD(t, 1)
		f.set(func(f *fakeIGD) {
			f.override = func(w http.ResponseWriter, r *http.Request) {
				io.Copy(w, endlessReader{}) // ends when the client hangs up
			}
		})
		_, err := f.discover(t)
		require.ErrorIs(t, err, ErrBodyTooLarge)
	})
	t.Run("SOAP", func(t *testing.T) {
		f := newFakeIGD(t, 1)
		igd, err := f.discover(t)
		require.NoError(t, err)
		f.set(func(f *fakeIGD) {
			f.override = func(w http.ResponseWriter, r *http.Request) { io.Copy(w, endlessReader{}) }
		})
		_, err = igd.ExternalIP(context.Background())
		require.ErrorIs(t, err, ErrBodyTooLarge)
	})
}

// A gateway that accepts the request and never answers: the context
// deadline ends the call.
func TestUPnPHangingGateway(t *testing.T) {
	f := newFakeIGD(t, 1)
	igd, err := f.discover(t)
	require.NoError(t, err)
	release := make(chan struct{})
	f.set(func(f *fakeIGD) {
		f.override = func(w http.ResponseWriter, r *http.Request) {
			select {
			case <-release:
			case <-r.Context().Done():
			}
		}
	})
	defer close(release)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = igd.ExternalIP(ctx)
	require.ErrorIs(t, err, context.DeadlineExceeded)
}

// No gateway answers the search: discovery ends with the context.
func TestUPnPNoGateway(t *testing.T) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	defer conn.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err = discoverUPnPAt(ctx, conn.LocalAddr().(*net.UDPAddr).AddrPort())
	require.ErrorIs(t, err, ErrNoGateway)
}

// TestUPnPLongRemoteText: text a gateway chooses (a malformed value, a
// fault description, a control URL) is cut to maxRemoteText bytes in the
// errors that carry it, which end up in log lines.
func TestUPnPLongRemoteText(t *testing.T) {
	long := strings.Repeat("x", 20000)
	const maxErr = 500 // the cut text, quoted, and the message around it
	t.Run("external address", func(t *testing.T) {
		f := newFakeIGD(t, 1)
		f.set(func(f *fakeIGD) {
			f.soap = func(action string, _ map[string]string) (int, string) {
				return 200, soapOK(action, "<NewExternalIPAddress>"+long+"</NewExternalIPAddress>")
			}
		})
		igd, err := f.discover(t)
		require.NoError(t, err)
		_, err = igd.ExternalIP(context.Background())
		require.ErrorIs(t, err, ErrMalformed)
		require.Less(t, len(err.Error()), maxErr)
	})
	t.Run("fault description", func(t *testing.T) {
		f := newFakeIGD(t, 1)
		f.set(func(f *fakeIGD) {
			f.soap = func(string, map[string]string) (int, string) { return 500, soapFault(501, long) }
		})
		igd, err := f.discover(t)
		require.NoError(t, err)
		_, err = igd.ExternalIP(context.Background())
		var se *SOAPError
		require.ErrorAs(t, err, &se)
		require.Equal(t, 501, se.Code)
		require.Equal(t, long[:maxRemoteText]+"…", se.Description)
		require.Less(t, len(err.Error()), maxErr)
	})
	t.Run("control URL", func(t *testing.T) {
		f := newFakeIGD(t, 1)
		f.set(func(f *fakeIGD) {
			f.description = `<root><device><serviceList><service>` +
				`<serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType>` +
				`<controlURL>http://192.0.2.1/` + long + `</controlURL></service></serviceList></device></root>`
		})
		ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
		defer cancel()
		_, err := discoverUPnPAt(ctx, f.ssdpAddr())
		require.ErrorIs(t, err, ErrMalformed)
		require.Less(t, len(err.Error()), maxErr)
	})
}
