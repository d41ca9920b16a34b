package nat

import (
	"encoding/xml"
	"net/netip"
	"testing"
)

// Fuzz targets for every parser of gateway bytes: none may panic, and
// whatever they accept must satisfy the checks they promise.

func FuzzSSDPAnswer(f *testing.F) {
	f.Add([]byte(okSSDP("http://127.0.0.1:5000")))
	f.Add([]byte("HTTP/1.1 200 OK\r\nLOCATION: http://127.0.0.2/x\r\n\r\n"))
	f.Add([]byte("\x00garbage"))
	from := netip.MustParseAddr("127.0.0.1")
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := parseSSDPAnswer(b, from)
		if err == nil && (u.Scheme != "http" || u.Hostname() != "127.0.0.1") {
			t.Fatalf("accepted location %v", u)
		}
	})
}

func FuzzSOAPAnswer(f *testing.F) {
	f.Add([]byte(soapOK("GetExternalIPAddress", "<NewExternalIPAddress>8.8.4.4</NewExternalIPAddress>")), 200)
	f.Add([]byte(soapFault(718, "ConflictInMappingEntry")), 500)
	f.Add([]byte("<a><b>"), 200)
	f.Fuzz(func(t *testing.T, b []byte, status int) {
		parseSOAPAnswer(b, "GetExternalIPAddress", status)
	})
}

func FuzzDescription(f *testing.F) {
	f.Add([]byte(igdDescription))
	f.Fuzz(func(t *testing.T, b []byte) {
		var d upnpDescription
		if xml.Unmarshal(b, &d) == nil {
			d.findService()
		}
	})
}

func FuzzSTUNAnswer(f *testing.F) {
	var txid [12]byte
	req := make([]byte, 20)
	req[1] = 1
	copy(req[4:], []byte{0x21, 0x12, 0xa4, 0x42})
	f.Add(stunAnswer(req, xorMapped(netip.MustParseAddrPort("8.8.4.4:1"))))
	f.Add(stunAnswer(req, []byte{0, 1, 0, 8, 0, 1, 0, 1, 8, 8, 4, 4}))
	f.Fuzz(func(t *testing.T, b []byte) {
		ap, err := parseSTUNAnswer(b, txid)
		if err == nil && !ap.IsValid() {
			t.Fatal("accepted an answer without an address")
		}
	})
}

func FuzzPMPAnswer(f *testing.F) {
	f.Add(pmpExternalAnswer(0, [4]byte{8, 8, 4, 4}), byte(0))
	f.Add(pmpMapAnswer([]byte{0, 2, 0, 0, 1, 2, 3, 4, 0, 0, 0, 60}, 1234, 60), byte(2))
	f.Add([]byte{0, 129, 0, 3}, byte(1))
	f.Fuzz(func(t *testing.T, b []byte, op byte) {
		err := checkPMPAnswer(b, op, pmpMapAnswerLen)
		if err == nil && (len(b) < pmpMapAnswerLen || b[0] != 0 || b[1] != op+128 || b[2]|b[3] != 0) {
			t.Fatalf("accepted % x for opcode %d", b, op)
		}
	})
}
