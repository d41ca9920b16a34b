package v5wire

import (
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/clock"
	"github.com/devp2p-go/devp2p/discover/enr"
	"github.com/devp2p-go/devp2p/internal/config"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/nodeid"
)

// Defaults for the zero values of CodecConfig.
const (
	// DefaultMaxSessions bounds the session cache (go-ethereum: 1024).
	DefaultMaxSessions = 1024
	// DefaultMaxSessionsPerIP bounds the sessions of one non-LAN source,
	// an IPv4 address or an IPv6 /64 (go-ethereum has no such bound).
	DefaultMaxSessionsPerIP = 16
	// DefaultMaxChallenges bounds the WHOAREYOU challenges awaiting a
	// handshake.
	DefaultMaxChallenges = 1024
	// DefaultChallengeTimeout is how long a WHOAREYOU challenge stays
	// valid (go-ethereum: 1 s).
	DefaultChallengeTimeout = time.Second
)

// ErrInvalidConfig is wrapped by NewCodec for a negative setting.
var ErrInvalidConfig = errors.New("v5wire: invalid config")

// ErrTooManyChallenges is returned by EncodeWhoareyou when
// MaxChallenges challenges are pending.
var ErrTooManyChallenges = errors.New("v5wire: too many pending challenges")

// CodecConfig tunes a Codec. The zero value works.
type CodecConfig struct {
	// MaxSessions bounds the session cache; the least recently used
	// session is evicted. Zero means DefaultMaxSessions (1024).
	MaxSessions int
	// MaxSessionsPerIP bounds the sessions of one non-LAN source, an IPv4
	// address or an IPv6 /64: a new session from a source at the bound
	// evicts that source's least recently used one. Zero means
	// DefaultMaxSessionsPerIP (16).
	MaxSessionsPerIP int
	// MaxChallenges bounds the WHOAREYOU challenges awaiting a handshake.
	// Zero means DefaultMaxChallenges (1024).
	MaxChallenges int
	// ChallengeTimeout is how long a challenge accepts its handshake.
	// Zero means DefaultChallengeTimeout (1 s).
	ChallengeTimeout time.Duration
	// Clock is the time source; nil means the system clock.
	Clock clock.Clock
	// Rand supplies masking IVs, nonces and ID nonces; nil means
	// crypto/rand.
	Rand io.Reader
	// AcceptNodes, if set, is asked before the records of a NODES message
	// packet are decoded and their signatures checked: it reports whether
	// the NODES from the node src at addr with request ID reqID answers a
	// request of ours. When it returns false, Decode fails with
	// ErrUnsolicited, so a peer holding a session cannot make us verify
	// signatures without being asked. (A NODES in a handshake packet is
	// not checked: handshakes are bounded by the challenges we grant.) It
	// is called on the goroutine calling Decode. nil accepts every NODES
	// message.
	AcceptNodes func(src nodeid.ID, addr netip.AddrPort, reqID []byte) bool
}

func (cfg CodecConfig) withDefaults() (CodecConfig, error) {
	c := config.NewChecker(ErrInvalidConfig)
	config.NonNegative(c, "MaxSessions", cfg.MaxSessions)
	config.NonNegative(c, "MaxSessionsPerIP", cfg.MaxSessionsPerIP)
	config.NonNegative(c, "MaxChallenges", cfg.MaxChallenges)
	config.NonNegative(c, "ChallengeTimeout", cfg.ChallengeTimeout)
	if err := c.Err(); err != nil {
		return cfg, err
	}
	config.Default(&cfg.MaxSessions, DefaultMaxSessions)
	config.Default(&cfg.MaxSessionsPerIP, DefaultMaxSessionsPerIP)
	config.Default(&cfg.MaxChallenges, DefaultMaxChallenges)
	config.Default(&cfg.ChallengeTimeout, DefaultChallengeTimeout)
	cfg.Clock = clock.OrSystem(cfg.Clock)
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	return cfg, nil
}

// Codec encodes and decodes packets for one local node, keeping the
// session keys and the WHOAREYOU challenges in flight. It is not safe for
// concurrent use and starts no goroutines.
type Codec struct {
	cfg    CodecConfig
	priv   *secp256k1.PrivateKey
	self   nodeid.ID
	record func() *enr.Record

	sessions   *sessionCache
	challenges map[sessionKey]*challenge
	records    *recordCache
	selfMask   cipher.Block // unmasks packets sent to us
}

// challenge is a WHOAREYOU we sent and the state needed to check the
// handshake answering it.
type challenge struct {
	w      *Whoareyou
	packet []byte      // the encoded packet, resent byte for byte
	known  *enr.Record // the sender's record as we knew it, or nil
	sent   time.Time
}

// NewCodec returns a codec for the node with key priv. record returns our
// current signed record; it is called when a handshake must include it.
func NewCodec(priv *secp256k1.PrivateKey, record func() *enr.Record, cfg CodecConfig) (*Codec, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	return &Codec{
		cfg:        cfg,
		priv:       priv,
		self:       nodeid.FromPubkey(ethcrypto.PubkeyOf(priv)),
		record:     record,
		sessions:   newSessionCache(cfg.MaxSessions, cfg.MaxSessionsPerIP),
		challenges: make(map[sessionKey]*challenge),
		records:    newRecordCache(DefaultRecordCache),
		selfMask:   newMaskCipher(nodeid.FromPubkey(ethcrypto.PubkeyOf(priv))),
	}, nil
}

// Self returns the local node ID.
func (c *Codec) Self() nodeid.ID { return c.self }

// HasSession reports whether a session with id at addr is established.
func (c *Codec) HasSession(id nodeid.ID, addr netip.AddrPort) bool {
	_, ok := c.sessions.byKey[sessionKey{id, addr}]
	return ok
}

// SessionCount returns the number of cached sessions.
func (c *Codec) SessionCount() int { return c.sessions.len() }

// DeleteSession forgets the session with id at addr.
func (c *Codec) DeleteSession(id nodeid.ID, addr netip.AddrPort) {
	c.sessions.remove(sessionKey{id, addr})
}

func (c *Codec) random(b []byte) {
	if _, err := io.ReadFull(c.cfg.Rand, b); err != nil {
		panic(fmt.Sprintf("v5wire: random source failed: %v", err))
	}
}

func (c *Codec) newIV() (iv [MaskingIVSize]byte) {
	c.random(iv[:])
	return iv
}

// nonceFor makes a message nonce: a 4-byte per-session counter and 8
// random bytes (discv5-wire.md, "Message Packet").
func (c *Codec) nonceFor(s *session) (n Nonce) {
	s.nonceCounter++
	binary.BigEndian.PutUint32(n[:4], s.nonceCounter)
	c.random(n[4:])
	return n
}

// EncodeMessage encodes m for the node id at addr. With a session, the
// result is a message packet; without one it is a random packet that makes
// the node answer with a WHOAREYOU, and m is not sent (the caller resends
// it with EncodeHandshake). It returns the packet's nonce, which the
// WHOAREYOU will echo.
func (c *Codec) EncodeMessage(id nodeid.ID, addr netip.AddrPort, m Message) ([]byte, Nonce, error) {
	if len(m.RequestID()) > MaxRequestIDSize {
		return nil, Nonce{}, ErrInvalidReqID
	}
	s := c.sessions.get(sessionKey{id, addr})
	if s == nil {
		var nonce Nonce
		c.random(nonce[:])
		random := make([]byte, randomMessageSize)
		c.random(random)
		p, err := encodeRandomPacket(id, c.self, c.newIV(), nonce, random)
		return p, nonce, err
	}
	nonce := c.nonceFor(s)
	p, err := encodeMessagePacket(id, c.self, c.newIV(), nonce, s.write, AppendMessage(nil, m))
	return p, nonce, err
}

// EncodeHandshake answers the WHOAREYOU w from the node id (key pub) at
// addr with a handshake packet carrying m, and stores the new session. Our
// record is included when w.RecordSeq is lower than its sequence number.
func (c *Codec) EncodeHandshake(id nodeid.ID, addr netip.AddrPort, pub *secp256k1.PublicKey, w *Whoareyou, m Message) ([]byte, Nonce, error) {
	if len(m.RequestID()) > MaxRequestIDSize {
		return nil, Nonce{}, ErrInvalidReqID
	}
	eph, err := secp256k1.GeneratePrivateKeyFromRand(c.cfg.Rand)
	if err != nil {
		return nil, Nonce{}, err
	}
	hp := HandshakeParams{Key: c.priv, Ephemeral: eph, RemoteID: id, RemoteKey: pub, ChallengeData: w.ChallengeData}
	if rec := c.record(); rec != nil && w.RecordSeq < rec.Seq() {
		if hp.Record, err = rec.AppendRLP(nil); err != nil {
			return nil, Nonce{}, err
		}
	}
	var counter session
	nonce := c.nonceFor(&counter)
	p, keys, err := encodeHandshakePacket(c.self, c.newIV(), nonce, hp, AppendMessage(nil, m))
	if err != nil {
		return nil, Nonce{}, err
	}
	// The session is stored when the handshake is sent, as go-ethereum
	// does: a reply to it is then readable at once.
	s := newSession(keys.InitiatorKey, keys.RecipientKey)
	s.nonceCounter = counter.nonceCounter
	c.sessions.put(sessionKey{id, addr}, s)
	return p, nonce, nil
}

// EncodeWhoareyou makes the WHOAREYOU answering the undecryptable packet
// with the given nonce from the node id at addr. known is the node's record
// as we hold it, or nil. While an earlier challenge to the same node and
// address is pending, the identical packet is returned again (the resend
// rule go-ethereum follows), so that a handshake answering either packet
// succeeds.
func (c *Codec) EncodeWhoareyou(id nodeid.ID, addr netip.AddrPort, nonce Nonce, known *enr.Record) ([]byte, error) {
	now := c.cfg.Clock.Now()
	k := sessionKey{id, addr}
	if ch := c.challenges[k]; ch != nil && now.Sub(ch.sent) < c.cfg.ChallengeTimeout {
		return ch.packet, nil
	}
	if len(c.challenges) >= c.cfg.MaxChallenges {
		c.expireChallenges(now)
		if len(c.challenges) >= c.cfg.MaxChallenges {
			return nil, ErrTooManyChallenges
		}
	}
	w := &Whoareyou{Nonce: nonce}
	c.random(w.IDNonce[:])
	if known != nil {
		w.RecordSeq = known.Seq()
	}
	p, err := EncodeWhoareyou(id, c.newIV(), w)
	if err != nil {
		return nil, err
	}
	c.challenges[k] = &challenge{w: w, packet: p, known: known, sent: now}
	return p, nil
}

// PendingChallenges returns the number of WHOAREYOU challenges held.
func (c *Codec) PendingChallenges() int { return len(c.challenges) }

func (c *Codec) expireChallenges(now time.Time) {
	for k, ch := range c.challenges {
		if now.Sub(ch.sent) >= c.cfg.ChallengeTimeout {
			delete(c.challenges, k)
		}
	}
}

// Decode reads a packet received from addr. It returns the sender's ID
// (zero for a WHOAREYOU, which does not name its sender), the sender's
// record when a handshake carried a new one, and the packet: a Message,
// *Whoareyou, or *Unknown for a message packet that does not decrypt
// under a session with the sender at addr.
//
// A handshake is checked only against a pending challenge to the same
// node and address, and any failure consumes that challenge. Errors wrap
// the package's Err values. The results do not alias input; the records
// of a NODES message may be shared with the codec's cache of verified
// records and must not be modified.
func (c *Codec) Decode(input []byte, addr netip.AddrPort) (nodeid.ID, *enr.Record, Packet, error) {
	h, hdr, msg, err := unmaskWith(c.selfMask, input)
	if err != nil {
		return nodeid.ID{}, nil, nil, err
	}
	switch h.Flag {
	case flagWhoareyou:
		w, err := decodeWhoareyou(h, hdr)
		return nodeid.ID{}, nil, w, err
	case flagMessage:
		return c.decodeMessagePacket(h, hdr, msg, addr)
	case flagHandshake:
		return c.decodeHandshake(h, hdr, msg, addr)
	default:
		return nodeid.ID{}, nil, nil, fmt.Errorf("%w: flag %d", ErrInvalidHeader, h.Flag)
	}
}

func (c *Codec) decodeMessagePacket(h *header, hdr, msg []byte, addr netip.AddrPort) (nodeid.ID, *enr.Record, Packet, error) {
	if len(h.AuthData) != MessageAuthSize {
		return nodeid.ID{}, nil, nil, fmt.Errorf("%w: message authdata of %d bytes", ErrInvalidAuthData, len(h.AuthData))
	}
	src := nodeid.ID(h.AuthData)
	s := c.sessions.get(sessionKey{src, addr})
	if s == nil {
		return src, nil, &Unknown{Nonce: h.Nonce}, nil
	}
	pt, err := decryptGCM(s.read, h.Nonce[:], msg, hdr)
	if err != nil && s.prevRead != nil {
		pt, err = decryptGCM(s.prevRead, h.Nonce[:], msg, hdr)
	}
	if err != nil {
		return src, nil, &Unknown{Nonce: h.Nonce}, nil
	}
	if err := c.checkNodes(src, addr, pt); err != nil {
		return src, nil, nil, err
	}
	m, err := decodeMessage(pt, c.records.decode)
	return src, nil, m, err
}

// checkNodes asks AcceptNodes about the message pt from src at addr if it
// is a NODES message, before its records are decoded.
func (c *Codec) checkNodes(src nodeid.ID, addr netip.AddrPort, pt []byte) error {
	if c.cfg.AcceptNodes == nil || len(pt) == 0 || pt[0] != NodesMsg {
		return nil
	}
	w := openBody("NODES", pt[1:])
	reqID := w.reqID()
	if w.err != nil {
		return w.err
	}
	if !c.cfg.AcceptNodes(src, addr, reqID) {
		return fmt.Errorf("%w from %v", ErrUnsolicited, addr)
	}
	return nil
}

func (c *Codec) decodeHandshake(h *header, hdr, msg []byte, addr netip.AddrPort) (nodeid.ID, *enr.Record, Packet, error) {
	auth, err := DecodeHandshakeAuth(h.AuthData)
	if err != nil {
		return nodeid.ID{}, nil, nil, err
	}
	src := auth.SrcID
	k := sessionKey{src, addr}
	ch := c.challenges[k]
	if ch == nil {
		return src, nil, nil, ErrUnexpectedHandshake
	}
	// One attempt per challenge: whatever the outcome, it is used up, so
	// a bad handshake cannot be retried to make us repeat EC work.
	delete(c.challenges, k)
	if c.cfg.Clock.Now().Sub(ch.sent) >= c.cfg.ChallengeTimeout {
		return src, nil, nil, ErrUnexpectedHandshake
	}
	rec, fresh, err := handshakeRecord(auth, ch.known)
	if err != nil {
		return src, nil, nil, err
	}
	pub, err := rec.Pubkey()
	if err != nil {
		return src, nil, nil, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
	}
	if err := VerifyIDNonce(pub, auth.Signature, ch.w.ChallengeData, auth.PubKey, c.self); err != nil {
		return src, nil, nil, err
	}
	eph, err := parseEphemeral(auth.PubKey)
	if err != nil {
		return src, nil, nil, err
	}
	keys := DeriveKeys(ECDH(c.priv, eph), src, c.self, ch.w.ChallengeData)
	pt, err := decryptGCM(newGCM(keys.InitiatorKey[:]), h.Nonce[:], msg, hdr)
	if err != nil {
		return src, nil, nil, err
	}
	m, err := DecodeMessage(pt)
	if err != nil {
		return src, nil, nil, err
	}
	c.sessions.put(k, newSession(keys.RecipientKey, keys.InitiatorKey))
	if !fresh {
		rec = nil
	}
	return src, rec, m, nil
}

// handshakeRecord picks the record that authenticates a handshake: the
// one it carries if we know none or an older one, else ours. fresh reports
// that the handshake's record was taken.
func handshakeRecord(auth *HandshakeAuth, known *enr.Record) (rec *enr.Record, fresh bool, err error) {
	if len(auth.Record) > 0 {
		r, err := enr.Decode(auth.Record)
		if err != nil {
			return nil, false, fmt.Errorf("%w: %w", ErrInvalidRecord, err)
		}
		if known == nil || known.Seq() < r.Seq() {
			if nodeid.ID(r.NodeID()) != auth.SrcID {
				return nil, false, fmt.Errorf("%w: record of another node", ErrInvalidRecord)
			}
			return r, true, nil
		}
	}
	if known == nil {
		return nil, false, ErrNoRecord
	}
	return known, false, nil
}
