package discover

import "testing"

func FuzzParseNode(f *testing.F) {
	f.Add(vectorENR)
	f.Add("enode://" + vectorPubkey + "@10.3.58.6:30303?discport=30301")
	f.Add("enode://" + vectorPubkey + "@[2001:db8::1]:1")
	f.Add("enode://" + vectorPubkey)
	f.Add(vectorPubkey)
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseNode(s)
		if err != nil {
			return
		}
		// Whatever parses prints, and parses back to the same node.
		_ = n.TerminalString()
		for _, text := range []string{n.String(), n.URLv4()} {
			back, err := ParseNode(text)
			if err != nil {
				t.Fatalf("%q parsed but its form %q does not: %v", s, text, err)
			}
			if back.ID() != n.ID() || back.UDPAddr() != n.UDPAddr() || back.TCPAddr() != n.TCPAddr() {
				t.Fatalf("%q: round trip through %q changed the node", s, text)
			}
		}
	})
}
