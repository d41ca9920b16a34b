// Package dnstest runs a real DNS server on loopback for tests: it answers
// TXT queries from a map that the test may change while it runs. Only
// _test.go files import it, so github.com/miekg/dns is in no program's
// build.
package dnstest

import (
	"net"
	"strings"
	"sync"
	"testing"

	"github.com/miekg/dns"
)

// Server answers TXT queries over UDP and TCP on one 127.0.0.1 port.
// Names are looked up without their final dot; other names get NXDOMAIN.
// Texts over 255 bytes are sent as several character-strings of one
// record, the way zone files hold them.
type Server struct {
	addr    string
	mu      sync.Mutex
	zone    map[string]string
	servers []*dns.Server
	wg      sync.WaitGroup
}

// Start starts a server holding zones; the test's cleanup stops it.
func Start(t testing.TB, zones ...map[string]string) *Server {
	t.Helper()
	s := &Server{zone: map[string]string{}}
	s.Update(zones...)
	pc, ln, err := listen()
	if err != nil {
		t.Fatal(err)
	}
	s.addr = pc.LocalAddr().String()
	s.servers = []*dns.Server{{PacketConn: pc, Handler: s}, {Listener: ln, Handler: s}}
	for _, srv := range s.servers {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			srv.ActivateAndServe()
		}()
		<-started
	}
	t.Cleanup(func() {
		for _, srv := range s.servers {
			srv.Shutdown()
		}
		s.wg.Wait()
	})
	return s
}

// listen opens a UDP socket and a TCP listener on the same free port of
// 127.0.0.1, retrying when the TCP port is taken.
func listen() (pc net.PacketConn, ln net.Listener, err error) {
	for range 20 {
		if pc, err = net.ListenPacket("udp", "127.0.0.1:0"); err != nil {
			return nil, nil, err
		}
		if ln, err = net.Listen("tcp", pc.LocalAddr().String()); err == nil {
			return pc, ln, nil
		}
		pc.Close()
	}
	return nil, nil, err
}

// Addr returns the server's "127.0.0.1:port".
func (s *Server) Addr() string { return s.addr }

// Update adds or replaces records.
func (s *Server) Update(zones ...map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, z := range zones {
		for k, v := range z {
			s.zone[k] = v
		}
	}
}

// Remove deletes the record at name.
func (s *Server) Remove(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.zone, name)
}

// ServeDNS implements dns.Handler.
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	resp := new(dns.Msg)
	resp.SetReply(req)
	resp.Authoritative = true
	if len(req.Question) == 1 {
		q := req.Question[0]
		s.mu.Lock()
		text, ok := s.zone[strings.TrimSuffix(q.Name, ".")]
		s.mu.Unlock()
		switch {
		case !ok:
			resp.Rcode = dns.RcodeNameError
		case q.Qtype == dns.TypeTXT:
			var parts []string
			for len(text) > 255 {
				parts, text = append(parts, text[:255]), text[255:]
			}
			resp.Answer = append(resp.Answer, &dns.TXT{
				Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
				Txt: append(parts, text),
			})
		}
	}
	w.WriteMsg(resp)
}
