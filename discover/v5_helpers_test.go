package discover

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/discover/discovertest"
	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/nodeid"
)

// startV5 starts a discv5 node on conn with key (a new one if nil).
func startV5(t testing.TB, conn UDPConn, key *secp256k1.PrivateKey, cfg Config) *UDPv5 {
	t.Helper()
	if key == nil {
		key = newV5Key(t)
	}
	u, err := ListenV5(conn, key, cfg)
	require.NoError(t, err)
	t.Cleanup(u.Close)
	return u
}

func newV5Key(t testing.TB) *secp256k1.PrivateKey {
	t.Helper()
	k, err := secp256k1.GeneratePrivateKey()
	require.NoError(t, err)
	return k
}

// loopbackConn opens a UDP socket on 127.0.0.1 at a random port.
func loopbackConn(t testing.TB) *net.UDPConn {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	require.NoError(t, err)
	return conn
}

// signedNode makes a node with a signed record at addr.
func signedNode(t testing.TB, key *secp256k1.PrivateKey, addr netip.AddrPort) *Node {
	t.Helper()
	r := new(enr.Record)
	r.SetSeq(1)
	r.SetIP(addr.Addr())
	r.SetUDP(addr.Port())
	require.NoError(t, r.SignV4(key))
	n, err := NewNode(r)
	require.NoError(t, err)
	return n
}

// keyAtDistance grinds a key whose node ID lies at log distance d from
// id (d ≥ 250, so that it takes a few dozen tries at most).
func keyAtDistance(t testing.TB, id nodeid.ID, d int) *secp256k1.PrivateKey {
	t.Helper()
	for {
		k := newV5Key(t)
		if nodeid.LogDist(id, nodeid.FromPubkey(k.PubKey())) == d {
			return k
		}
	}
}

// v5peer is a scripted discv5 node: a codec on a pipe conn, driven by the
// test, to send what a real node would not.
type v5peer struct {
	t     testing.TB
	key   *secp256k1.PrivateKey
	id    nodeid.ID
	node  *Node
	conn  *discovertest.Conn
	codec *v5wire.Codec
}

func newV5Peer(t testing.TB, pn *pipeNet, addr string) *v5peer {
	t.Helper()
	p := &v5peer{t: t, key: newV5Key(t), conn: pn.listen(addr)}
	p.id = nodeid.FromPubkey(p.key.PubKey())
	p.node = signedNode(t, p.key, p.conn.Addr())
	c, err := v5wire.NewCodec(p.key, func() *enr.Record { return p.node.Record() }, v5wire.CodecConfig{})
	require.NoError(t, err)
	p.codec = c
	t.Cleanup(func() { p.conn.Close() })
	return p
}

// read returns the next packet, or nil after timeout.
func (p *v5peer) read(timeout time.Duration) ([]byte, netip.AddrPort) {
	data, from, _ := readPacket(p.conn, timeout)
	return data, from
}

// probe checks that u sent nothing since the peer's last read: it sends
// a PING under the established session and requires the next packet to be
// its PONG. u handles packets one at a time, in order, so any answer to
// earlier input would arrive first.
func (p *v5peer) probe(u *UDPv5, what string) {
	p.t.Helper()
	to := u.Self().UDPAddr()
	pkt, _, err := p.codec.EncodeMessage(u.self, to, &v5wire.Ping{ReqID: []byte("probe")})
	require.NoError(p.t, err)
	p.write(to, pkt)
	_, resp, _ := p.decode()
	pong, ok := resp.(*v5wire.Pong)
	require.True(p.t, ok, "%s: got %T before the probe's PONG", what, resp)
	require.Equal(p.t, []byte("probe"), pong.ReqID, what)
}

// decode reads and decodes the next packet.
func (p *v5peer) decode() (nodeid.ID, v5wire.Packet, netip.AddrPort) {
	p.t.Helper()
	pkt, from := p.read(5 * time.Second)
	require.NotNil(p.t, pkt, "no packet")
	src, _, pk, err := p.codec.Decode(pkt, from)
	require.NoError(p.t, err)
	return src, pk, from
}

func (p *v5peer) write(to netip.AddrPort, pkt []byte) {
	_, err := p.conn.WriteToUDPAddrPort(pkt, to)
	require.NoError(p.t, err)
}

// handshakeWith makes the peer establish a session with u by sending msg:
// random packet, WHOAREYOU, handshake. It returns u's answer to msg.
func (p *v5peer) handshakeWith(u *UDPv5, msg v5wire.Message) v5wire.Packet {
	p.t.Helper()
	to := u.Self().UDPAddr()
	pkt, _, err := p.codec.EncodeMessage(u.self, to, msg)
	require.NoError(p.t, err)
	p.write(to, pkt)
	_, w, _ := p.decode()
	require.IsType(p.t, &v5wire.Whoareyou{}, w)
	pkt, _, err = p.codec.EncodeHandshake(u.self, to, u.Self().Pubkey(), w.(*v5wire.Whoareyou), msg)
	require.NoError(p.t, err)
	p.write(to, pkt)
	_, resp, _ := p.decode()
	return resp
}

// answerHandshake plays the recipient of u's first request: it answers the
// random packet with a WHOAREYOU and returns the request the handshake
// carried.
func (p *v5peer) answerHandshake() (v5wire.Message, netip.AddrPort) {
	p.t.Helper()
	src, pk, from := p.decode()
	unk, ok := pk.(*v5wire.Unknown)
	require.True(p.t, ok, "want a packet without session, got %T", pk)
	who, err := p.codec.EncodeWhoareyou(src, from, unk.Nonce, nil)
	require.NoError(p.t, err)
	p.write(from, who)
	_, m, _ := p.decode()
	require.Implements(p.t, (*v5wire.Message)(nil), m)
	return m.(v5wire.Message), from
}

// pipePair starts a discv5 node on a pipe network at addr.
func pipeV5(t testing.TB, pn *pipeNet, addr string, cfg Config) *UDPv5 {
	t.Helper()
	conn := pn.listen(addr)
	key := newV5Key(t)
	cfg.LocalNode = NewLocalNode(key, nil)
	ap := netip.MustParseAddrPort(addr)
	cfg.LocalNode.SetIP(ap.Addr())
	cfg.LocalNode.SetUDP(ap.Port())
	u := startV5(t, conn, key, cfg)
	// The first refresh runs four lookups; with an empty table they end at
	// once. Waiting for them keeps a scripted peer added later from being
	// sent a lookup's FINDNODE the script does not expect.
	u.tab.waitInit(t.Context())
	return u
}

func netListenUDPAddr(addr netip.AddrPort) (UDPConn, error) {
	return net.ListenUDP("udp", net.UDPAddrFromAddrPort(addr))
}
