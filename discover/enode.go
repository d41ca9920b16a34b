package discover

import (
	"encoding/hex"
	"fmt"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
)

// maxNodeText bounds the text ParseNode accepts. An enode URL is at most
// about 200 bytes and an "enr:" record 404.
const maxNodeText = 1024

// ParseNode parses a node in any of its text forms:
//
//   - "enr:<base64url>": a signed record (verified; see NewNode);
//   - "enode://<128 hex>@<ip>:<tcp>[?discport=<udp>]": public key and
//     endpoint, the UDP port defaulting to the TCP port;
//   - "enode://<128 hex>" or a bare 128-hex public key: an incomplete node
//     with only an identity (see Node.Incomplete).
//
// Hosts must be IP literals (IPv6 in brackets): ParseNode never resolves
// names. Errors wrap ErrInvalidNode.
func ParseNode(s string) (*Node, error) {
	s = strings.TrimSpace(s)
	if len(s) > maxNodeText {
		return nil, fmt.Errorf("%w: %d bytes of text", ErrInvalidNode, len(s))
	}
	switch {
	case strings.HasPrefix(s, "enr:"):
		rec, err := enr.Parse(s)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidNode, err)
		}
		return NewNode(rec)
	case strings.HasPrefix(s, "enode://"):
		return parseEnode(s)
	case len(s) == 128:
		return parseIncomplete(s)
	default:
		return nil, fmt.Errorf("%w: want an enode:// URL, an enr: record or a 128-hex public key", ErrInvalidNode)
	}
}

// MustParseNode is like ParseNode but panics on error. It is meant for
// constants in tests and programs (bootnode lists), never for input.
func MustParseNode(s string) *Node {
	n, err := ParseNode(s)
	if err != nil {
		panic(err)
	}
	return n
}

func parseIncomplete(hexkey string) (*Node, error) {
	if len(hexkey) != 128 {
		return nil, fmt.Errorf("%w: public key has %d hex characters, want 128", ErrInvalidNode, len(hexkey))
	}
	var key [64]byte
	if _, err := hex.Decode(key[:], []byte(hexkey)); err != nil {
		return nil, fmt.Errorf("%w: public key: %v", ErrInvalidNode, err)
	}
	pub, err := ethcrypto.UnmarshalPubkey(key[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidNode, err)
	}
	return NewV4(pub, netip.Addr{}, 0, 0), nil
}

func parseEnode(s string) (*Node, error) {
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidNode, err)
	}
	if u.User == nil {
		// "enode://<hex>": the key sits where the host would be.
		if u.Port() != "" || u.RawQuery != "" || u.Fragment != "" || (u.Path != "" && u.Path != "/") {
			return nil, fmt.Errorf("%w: enode URL without public key", ErrInvalidNode)
		}
		return parseIncomplete(u.Host)
	}
	if _, hasPassword := u.User.Password(); hasPassword {
		return nil, fmt.Errorf("%w: enode URL has a password", ErrInvalidNode)
	}
	if (u.Path != "" && u.Path != "/") || u.Fragment != "" {
		return nil, fmt.Errorf("%w: enode URL has a path or fragment", ErrInvalidNode)
	}
	n, err := parseIncomplete(u.User.Username())
	if err != nil {
		return nil, err
	}
	ip, err := netip.ParseAddr(u.Hostname())
	if err != nil {
		return nil, fmt.Errorf("%w: host must be an IP address: %v", ErrInvalidNode, err)
	}
	if ip.Zone() != "" {
		return nil, fmt.Errorf("%w: IP address with zone", ErrInvalidNode)
	}
	tcp, err := parsePort(u.Port())
	if err != nil {
		return nil, fmt.Errorf("%w: TCP port: %v", ErrInvalidNode, err)
	}
	udp := tcp
	q := u.Query()
	if d := q.Get("discport"); d != "" {
		if udp, err = parsePort(d); err != nil {
			return nil, fmt.Errorf("%w: discport: %v", ErrInvalidNode, err)
		}
	}
	return NewV4(n.pub, ip, tcp, udp), nil
}

func parsePort(s string) (uint16, error) {
	if s == "" {
		return 0, fmt.Errorf("missing")
	}
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("%q is not a port number", s)
	}
	return uint16(p), nil
}

// URLv4 returns the node's enode URL:
// "enode://<128 hex>@<ip>:<tcp>", with "?discport=<udp>" when the UDP port
// differs from the TCP port, or just "enode://<128 hex>" for an incomplete
// node.
func (n *Node) URLv4() string {
	key := n.PubkeyBytes()
	var b strings.Builder
	b.Grow(200)
	b.WriteString("enode://")
	b.WriteString(hex.EncodeToString(key[:]))
	if n.Incomplete() {
		return b.String()
	}
	b.WriteByte('@')
	b.WriteString(n.TCPAddr().String())
	if n.udp != n.tcp {
		b.WriteString("?discport=")
		b.WriteString(strconv.FormatUint(uint64(n.udp), 10))
	}
	return b.String()
}
