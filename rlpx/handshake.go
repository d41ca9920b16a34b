package rlpx

// The RLPx handshake, rlpx.md "Initial Handshake" and EIP-8:
//
//	initiator → recipient: auth
//	recipient → initiator: ack
//
// Both sides then derive the session secrets (secrets.go).

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/internal/ctxio"
	"github.com/devp2p-go/devp2p/internal/ethcrypto"
)

// Handshake runs the RLPx handshake: as initiator for a Conn made by Client,
// as recipient for one made by Server. It must complete before ReadMsg or
// WriteMsg. The whole exchange is bounded by ctx's deadline, or by
// Config.HandshakeTimeout (default 5 s) if ctx has none, through deadlines
// on the underlying connection; cancelling ctx aborts it. A recipient must
// moreover have read the complete auth message within Config.AuthTimeout
// (default 1 s) of the call. The connection's deadlines are cleared on
// success.
//
// Handshake runs at most once: later calls return the first result. A
// failed handshake leaves the Conn unusable (its error is sticky); close it.
func (c *Conn) Handshake(ctx context.Context) error {
	c.hsMu.Lock()
	defer c.hsMu.Unlock()
	if c.hsDone {
		return c.hsErr
	}
	c.hsDone = true
	if err := c.handshake(ctx); err != nil {
		if c.closed.Load() && !errors.Is(err, net.ErrClosed) {
			err = fmt.Errorf("%w: %w", net.ErrClosed, err)
		}
		c.hsErr = c.fail(err)
	}
	return c.hsErr
}

func (c *Conn) handshake(ctx context.Context) (err error) {
	if err := ctx.Err(); err != nil {
		return &opError{"handshake", err}
	}
	if c.priv == nil {
		return errors.New("rlpx: handshake: nil private key")
	}
	if err := c.cfg.check(); err != nil {
		return err
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = time.Now().Add(c.cfg.handshakeTimeout())
	}
	if err := c.conn.SetDeadline(deadline); err != nil {
		return &opError{"handshake", err}
	}
	authDeadline := false // whether the auth deadline is the earlier one
	if !c.initiator {
		// The auth is the recipient's only read, so its deadline can stay
		// in place until the handshake ends.
		if t := time.Now().Add(c.cfg.authTimeout()); t.Before(deadline) {
			if err := c.conn.SetReadDeadline(t); err != nil {
				return &opError{"handshake", err}
			}
			authDeadline = true
		}
	}
	// Cancellation interrupts blocked I/O by moving the deadline to the past.
	stop := ctxio.Interrupt(ctx, c.conn)

	hs := &handshakeState{
		initiator:    c.initiator,
		priv:         c.priv,
		remote:       c.remote.Load(),
		rand:         c.cfg.rand(),
		rejectLegacy: c.cfg.RejectLegacy,
	}
	if !c.initiator {
		hs.received = func() { c.authed.Store(true) }
	}
	var sec *secrets
	if c.initiator {
		sec, err = hs.runInitiator(c.conn)
	} else {
		sec, err = hs.runRecipient(c.conn)
	}
	hs.wipe()
	if !stop() {
		// ctx ended while we ran; whatever I/O error we saw is its doing.
		return &opError{"handshake", fmt.Errorf("%w: %w", ErrHandshakeTimeout, context.Cause(ctx))}
	}
	if err != nil {
		if errors.Is(err, os.ErrDeadlineExceeded) {
			if authDeadline && !c.authed.Load() {
				return &opError{"handshake", fmt.Errorf("%w: auth not received within %v: %w", ErrHandshakeTimeout, c.cfg.authTimeout(), err)}
			}
			return &opError{"handshake", fmt.Errorf("%w: %w", ErrHandshakeTimeout, err)}
		}
		return &opError{"handshake", err}
	}
	if err := c.conn.SetDeadline(time.Time{}); err != nil {
		return &opError{"handshake", err}
	}
	if !c.initiator {
		c.remote.Store(hs.remote)
	}
	c.install(sec)
	return nil
}

// handshakeState holds one side of a handshake in progress. It is used once
// and wiped afterwards.
type handshakeState struct {
	initiator    bool
	priv         *secp256k1.PrivateKey
	rand         io.Reader
	rejectLegacy bool
	received     func() // if not nil, called once the remote's packet is read in full

	remote    *secp256k1.PublicKey  // remote static key: known to the initiator, learned by the recipient
	eph       *secp256k1.PrivateKey // our ephemeral key
	remoteEph *secp256k1.PublicKey
	initNonce [32]byte
	respNonce [32]byte
	auth, ack []byte // the packets exactly as on the wire

	legacyAuth bool // the auth came in the pre-EIP-8 format; the ack answers in kind
}

func (hs *handshakeState) runInitiator(rw io.ReadWriter) (*secrets, error) {
	if hs.remote == nil {
		return nil, fmt.Errorf("%w: no remote public key to dial", ErrInvalidPublicKey)
	}
	if err := hs.generate(&hs.initNonce); err != nil {
		return nil, err
	}
	if err := hs.makeAuth(); err != nil {
		return nil, err
	}
	if _, err := rw.Write(hs.auth); err != nil {
		return nil, fmt.Errorf("writing auth: %w", err)
	}
	if err := hs.readAck(rw); err != nil {
		return nil, err
	}
	return hs.secrets(), nil
}

func (hs *handshakeState) runRecipient(rw io.ReadWriter) (*secrets, error) {
	if err := hs.readAuth(rw); err != nil {
		return nil, err
	}
	if err := hs.generate(&hs.respNonce); err != nil {
		return nil, err
	}
	if err := hs.makeAck(); err != nil {
		return nil, err
	}
	if _, err := rw.Write(hs.ack); err != nil {
		return nil, fmt.Errorf("writing ack: %w", err)
	}
	return hs.secrets(), nil
}

// generate creates our ephemeral key and nonce.
func (hs *handshakeState) generate(nonce *[32]byte) error {
	eph, err := secp256k1.GeneratePrivateKeyFromRand(hs.rand)
	if err != nil {
		return fmt.Errorf("ephemeral key: %w", err)
	}
	hs.eph = eph
	if _, err := io.ReadFull(hs.rand, nonce[:]); err != nil {
		return fmt.Errorf("nonce: %w", err)
	}
	return nil
}

// signedValue is static-shared-secret ⊕ initiator-nonce, the value the
// initiator signs with its ephemeral key.
func (hs *handshakeState) signedValue() [32]byte {
	x := ethcrypto.ECDH(hs.priv, hs.remote)
	for i := range x {
		x[i] ^= hs.initNonce[i]
	}
	return x
}

func (hs *handshakeState) makeAuth() error {
	signed := hs.signedValue()
	sig, err := ethcrypto.Sign(hs.eph, signed[:])
	if err != nil {
		return err
	}
	msg := authMsg{
		Signature:       sig,
		InitiatorPubkey: ethcrypto.MarshalPubkey(ethcrypto.PubkeyOf(hs.priv)),
		Nonce:           hs.initNonce,
		Version:         handshakeVersion,
	}
	hs.auth, err = hs.sealEIP8(msg.appendEIP8(nil), hs.remote)
	return err
}

func (hs *handshakeState) makeAck() error {
	msg := ackMsg{
		EphemeralPubkey: ethcrypto.MarshalPubkey(ethcrypto.PubkeyOf(hs.eph)),
		Nonce:           hs.respNonce,
		Version:         handshakeVersion,
	}
	var err error
	if hs.legacyAuth {
		// EIP-8: the recipient answers in the format the auth came in, so
		// a pre-EIP-8 initiator can read the ack.
		hs.ack, err = Encrypt(hs.rand, hs.remote, msg.appendLegacy(nil), nil)
		return err
	}
	hs.ack, err = hs.sealEIP8(msg.appendEIP8(nil), hs.remote)
	return err
}

// sealEIP8 pads body with 100–300 bytes and encrypts it to pub, returning
// size ‖ ECIES(pub, body ‖ padding, S2 = size).
func (hs *handshakeState) sealEIP8(body []byte, pub *secp256k1.PublicKey) ([]byte, error) {
	var r [2]byte
	if _, err := io.ReadFull(hs.rand, r[:]); err != nil {
		return nil, fmt.Errorf("padding: %w", err)
	}
	pad := 100 + int(binary.BigEndian.Uint16(r[:]))%201
	body = append(body, make([]byte, pad)...)
	var prefix [2]byte
	binary.BigEndian.PutUint16(prefix[:], uint16(len(body)+eciesOverhead))
	ct, err := Encrypt(hs.rand, pub, body, prefix[:])
	if err != nil {
		return nil, err
	}
	return append(prefix[:], ct...), nil
}

// readAuth reads and checks the initiator's auth message and learns the
// initiator's static and ephemeral keys.
func (hs *handshakeState) readAuth(r io.Reader) error {
	packet, plain, legacy, err := hs.readPacket(r, legacyAuthLen)
	if err != nil {
		return fmt.Errorf("reading auth: %w", err)
	}
	hs.auth, hs.legacyAuth = packet, legacy
	var msg authMsg
	if legacy {
		err = msg.decodeLegacy(plain)
	} else {
		err = msg.decodeEIP8(plain)
	}
	if err != nil {
		return err
	}
	return hs.handleAuth(&msg, legacy)
}

func (hs *handshakeState) handleAuth(msg *authMsg, legacy bool) error {
	remote, err := ethcrypto.UnmarshalPubkey(msg.InitiatorPubkey[:])
	if err != nil {
		return keyError("auth: initiator key", err)
	}
	hs.remote = remote
	hs.initNonce = msg.Nonce
	signed := hs.signedValue()
	remoteEph, err := ethcrypto.Recover(signed[:], msg.Signature[:])
	if err != nil {
		return fmt.Errorf("%w: auth signature: %w", ErrInvalidHandshake, err)
	}
	if legacy {
		pub := ethcrypto.MarshalPubkey(remoteEph)
		if ethcrypto.Keccak256(pub[:]) != msg.EphemeralHash {
			return fmt.Errorf("%w: auth ephemeral key hash mismatch", ErrInvalidHandshake)
		}
	}
	hs.remoteEph = remoteEph
	return nil
}

// readAck reads and checks the recipient's ack message.
func (hs *handshakeState) readAck(r io.Reader) error {
	packet, plain, legacy, err := hs.readPacket(r, legacyAckLen)
	if errors.Is(err, io.EOF) || errors.Is(err, syscall.ECONNRESET) {
		// Not one byte of ack: the remote hung up on our auth.
		return fmt.Errorf("%w: %w", ErrAuthRejected, err)
	}
	if err != nil {
		return fmt.Errorf("reading ack: %w", err)
	}
	hs.ack = packet
	var msg ackMsg
	if legacy {
		err = msg.decodeLegacy(plain)
	} else {
		err = msg.decodeEIP8(plain)
	}
	if err != nil {
		return err
	}
	return hs.handleAck(&msg)
}

func (hs *handshakeState) handleAck(msg *ackMsg) error {
	remoteEph, err := ethcrypto.UnmarshalPubkey(msg.EphemeralPubkey[:])
	if err != nil {
		return keyError("ack: ephemeral key", err)
	}
	hs.remoteEph = remoteEph
	hs.respNonce = msg.Nonce
	return nil
}

// readPacket reads one auth or ack packet and decrypts it with our static
// key. It returns the packet exactly as received and its plaintext.
//
// Telling the formats apart (EIP-8): a legacy packet has no size prefix and
// starts with the 0x04 of its ECIES key. If the first byte is 0x04, read up
// to the fixed legacy size and try to decrypt; if that fails, the first two
// bytes are an EIP-8 size (0x04xx). Any other first byte means EIP-8, so a
// short EIP-8 packet is never waited on for bytes that will not come.
func (hs *handshakeState) readPacket(r io.Reader, legacySize int) (packet, plain []byte, legacy bool, err error) {
	buf := make([]byte, 2, 2+MaxHandshakeSize)
	if _, err := io.ReadFull(r, buf); err != nil {
		return nil, nil, false, err
	}
	if buf[0] == 0x04 {
		buf = buf[:legacySize]
		if _, err := io.ReadFull(r, buf[2:]); err != nil {
			return nil, nil, false, err
		}
		if plain, err := Decrypt(hs.priv, buf, nil); err == nil {
			hs.packetRead()
			if hs.rejectLegacy {
				return nil, nil, false, ErrLegacyHandshake
			}
			return buf, plain, true, nil
		}
	}
	size := int(binary.BigEndian.Uint16(buf[:2]))
	if size > MaxHandshakeSize {
		return nil, nil, false, fmt.Errorf("%w: size prefix %d exceeds %d", ErrHandshakeSize, size, MaxHandshakeSize)
	}
	if size < eciesOverhead {
		return nil, nil, false, fmt.Errorf("%w: size prefix %d is below the ECIES overhead", ErrHandshakeSize, size)
	}
	have := len(buf)
	buf = buf[:2+size] // size ≥ 0x0400 whenever have > 2, so this never shrinks
	if _, err := io.ReadFull(r, buf[have:]); err != nil {
		return nil, nil, false, err
	}
	hs.packetRead()
	plain, err = Decrypt(hs.priv, buf[2:], buf[:2])
	if err != nil {
		return nil, nil, false, err
	}
	return buf, plain, false, nil
}

func (hs *handshakeState) packetRead() {
	if hs.received != nil {
		hs.received()
	}
}

// secrets derives the session secrets from the completed exchange.
func (hs *handshakeState) secrets() *secrets {
	ecdhe := ethcrypto.ECDH(hs.eph, hs.remoteEph)
	return deriveSecrets(hs.initiator, ecdhe, hs.initNonce, hs.respNonce, hs.auth, hs.ack)
}

// wipe drops the ephemeral key and transcript.
func (hs *handshakeState) wipe() {
	if hs.eph != nil {
		hs.eph.Zero()
	}
	hs.eph, hs.remoteEph, hs.auth, hs.ack = nil, nil, nil, nil
	hs.initNonce, hs.respNonce = [32]byte{}, [32]byte{}
}
