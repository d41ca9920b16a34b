package rlpx

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/stretchr/testify/require"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlp"
)

func TestAuthVectors(t *testing.T) {
	keyA, keyB := hexKey(t, hexStaticA), hexKey(t, hexStaticB)
	ephA := hexKey(t, hexEphA)
	tests := []struct {
		name    string
		legacy  bool
		version uint64
		rest    []string
	}{
		{"auth1", true, 4, nil},
		{"auth2", false, 4, nil},
		{"auth3", false, 56, []string{"01", "02", "c20405"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkt := vector(t, tt.name)
			hs := &handshakeState{priv: keyB}
			_, plain, legacy, err := hs.readPacket(bytes.NewReader(pkt), legacyAuthLen)
			if err != nil {
				t.Fatal(err)
			}
			if legacy != tt.legacy {
				t.Fatalf("legacy = %v, want %v", legacy, tt.legacy)
			}
			var msg authMsg
			if legacy {
				err = msg.decodeLegacy(plain)
			} else {
				err = msg.decodeEIP8(plain)
			}
			if err != nil {
				t.Fatal(err)
			}
			if msg.Version != tt.version {
				t.Errorf("version = %d, want %d", msg.Version, tt.version)
			}
			checkRest(t, msg.Rest, tt.rest)
			if !legacy && !bytes.Equal(msg.Signature[:], unhex(t, hexAuthSig)) {
				t.Errorf("signature = %x", msg.Signature)
			}
			if msg.InitiatorPubkey != ethcrypto.MarshalPubkey(keyA.PubKey()) {
				t.Errorf("initiator key = %x", msg.InitiatorPubkey)
			}
			if msg.Nonce != hex32(t, hexNonceA) {
				t.Errorf("nonce = %x", msg.Nonce)
			}
			// The full path: readAuth recovers A's keys from the packet.
			hs = &handshakeState{priv: keyB}
			if err := hs.readAuth(bytes.NewReader(pkt)); err != nil {
				t.Fatal(err)
			}
			if !hs.remote.IsEqual(keyA.PubKey()) || !hs.remoteEph.IsEqual(ephA.PubKey()) {
				t.Error("recovered wrong initiator keys")
			}
			if !bytes.Equal(hs.auth, pkt) {
				t.Error("auth transcript differs from the packet")
			}
		})
	}
}

func TestAckVectors(t *testing.T) {
	keyA, keyB := hexKey(t, hexStaticA), hexKey(t, hexStaticB)
	ephB := hexKey(t, hexEphB)
	tests := []struct {
		name    string
		legacy  bool
		version uint64
		rest    []string
	}{
		{"ack1", true, 4, nil},
		{"ack2", false, 4, nil},
		{"ack3", false, 57, []string{"06", "c20708", "81fa"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pkt := vector(t, tt.name)
			hs := &handshakeState{priv: keyA, remote: keyB.PubKey()}
			_, plain, legacy, err := hs.readPacket(bytes.NewReader(pkt), legacyAckLen)
			if err != nil {
				t.Fatal(err)
			}
			if legacy != tt.legacy {
				t.Fatalf("legacy = %v, want %v", legacy, tt.legacy)
			}
			var msg ackMsg
			if legacy {
				err = msg.decodeLegacy(plain)
			} else {
				err = msg.decodeEIP8(plain)
			}
			if err != nil {
				t.Fatal(err)
			}
			if msg.Version != tt.version {
				t.Errorf("version = %d, want %d", msg.Version, tt.version)
			}
			checkRest(t, msg.Rest, tt.rest)
			if msg.EphemeralPubkey != ethcrypto.MarshalPubkey(ephB.PubKey()) {
				t.Errorf("ephemeral key = %x", msg.EphemeralPubkey)
			}
			if msg.Nonce != hex32(t, hexNonceB) {
				t.Errorf("nonce = %x", msg.Nonce)
			}
			if err := hs.readAck(bytes.NewReader(pkt)); err != nil {
				t.Fatal(err)
			}
			if !hs.remoteEph.IsEqual(ephB.PubKey()) || !bytes.Equal(hs.ack, pkt) {
				t.Error("readAck: wrong key or transcript")
			}
		})
	}
}

func checkRest(t *testing.T, got []rlp.RawValue, want []string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("rest = %x, want %v", got, want)
	}
	for i := range want {
		if !bytes.Equal(got[i], unhex(t, want[i])) {
			t.Errorf("rest[%d] = %x, want %s", i, got[i], want[i])
		}
	}
}

// TestHandshakeVectorSecrets runs node B's side of the handshake on Auth₂
// and checks the published secrets, with Ack₂ as B's sent ack.
func TestHandshakeVectorSecrets(t *testing.T) {
	hs := &handshakeState{priv: hexKey(t, hexStaticB), eph: hexKey(t, hexEphB), respNonce: hex32(t, hexNonceB)}
	if err := hs.readAuth(bytes.NewReader(vector(t, "auth2"))); err != nil {
		t.Fatal(err)
	}
	hs.ack = vector(t, "ack2")
	s := hs.secrets()
	if s.aes != hex32(t, hexAESSecret) || s.mac != hex32(t, hexMACSecret) {
		t.Fatalf("aes %x mac %x", s.aes, s.mac)
	}
	s.ingress.Write([]byte("foo"))
	if got := s.ingress.Sum(nil); !bytes.Equal(got, unhex(t, hexIngressFoo)) {
		t.Fatalf("ingress-mac(\"foo\") = %x", got)
	}
}

// TestAuthEncoding checks what we send: EIP-8, version 4, 100–300 bytes of
// padding, a size prefix that counts the ciphertext, and a body the
// recipient decodes back.
func TestAuthEncoding(t *testing.T) {
	keyA, keyB := hexKey(t, hexStaticA), hexKey(t, hexStaticB)
	for i := range 20 {
		hs := &handshakeState{initiator: true, priv: keyA, remote: keyB.PubKey(), rand: rand.Reader}
		if err := hs.generate(&hs.initNonce); err != nil {
			t.Fatal(err)
		}
		if err := hs.makeAuth(); err != nil {
			t.Fatal(err)
		}
		size := int(binary.BigEndian.Uint16(hs.auth))
		if size != len(hs.auth)-2 {
			t.Fatalf("round %d: size prefix %d for %d-byte packet", i, size, len(hs.auth))
		}
		msg := authMsg{Version: 4}
		body := len(msg.appendEIP8(nil))
		if pad := size - eciesOverhead - body; pad < 100 || pad > 300 {
			t.Fatalf("round %d: padding %d", i, pad)
		}
		rd := &handshakeState{priv: keyB}
		if err := rd.readAuth(bytes.NewReader(hs.auth)); err != nil {
			t.Fatal(err)
		}
		if !rd.remoteEph.IsEqual(hs.eph.PubKey()) || rd.initNonce != hs.initNonce {
			t.Fatalf("round %d: decoded auth differs", i)
		}
	}
}

// handshakePair runs both sides of a handshake over the given connections
// and returns the two Conns.
func handshakePair(t testing.TB, cc, sc net.Conn, ccfg, scfg Config) (client, server *Conn) {
	t.Helper()
	keyC, _ := secp256k1.GeneratePrivateKey()
	keyS, _ := secp256k1.GeneratePrivateKey()
	client = Client(cc, keyC, keyS.PubKey(), ccfg)
	server = Server(sc, keyS, scfg)
	errc := make(chan error, 1)
	go func() { errc <- server.Handshake(context.Background()) }()
	if err := client.Handshake(context.Background()); err != nil {
		t.Fatalf("client handshake: %v", err)
	}
	if err := <-errc; err != nil {
		t.Fatalf("server handshake: %v", err)
	}
	if !server.RemotePubkey().IsEqual(keyC.PubKey()) || !client.RemotePubkey().IsEqual(keyS.PubKey()) {
		t.Fatal("RemotePubkey mismatch")
	}
	return client, server
}

func tcpPair(t testing.TB) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := ln.Accept()
		ch <- res{c, err}
	}()
	cc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	return cc, r.c
}

// exchange sends payload from w to r (concurrently, as net.Pipe needs) and
// checks what arrives.
func exchange(t *testing.T, w, r *Conn, code uint64, payload []byte) {
	t.Helper()
	errc := make(chan error, 1)
	go func() {
		_, err := w.WriteMsg(code, payload)
		errc <- err
	}()
	gotCode, got, _, err := r.ReadMsg()
	if werr := <-errc; werr != nil {
		t.Fatalf("write: %v", werr)
	}
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if gotCode != code || !bytes.Equal(got, payload) {
		t.Fatalf("got code %d and %d bytes, want code %d and %d bytes", gotCode, len(got), code, len(payload))
	}
}

func TestHandshakeAndMessages(t *testing.T) {
	transports := map[string]func(testing.TB) (net.Conn, net.Conn){
		"pipe": func(testing.TB) (net.Conn, net.Conn) { return net.Pipe() },
		"tcp":  tcpPair,
	}
	for tname, pair := range transports {
		for _, snappyOn := range []bool{false, true} {
			name := tname + "/plain"
			if snappyOn {
				name = tname + "/snappy"
			}
			t.Run(name, func(t *testing.T) {
				cc, sc := pair(t)
				client, server := handshakePair(t, cc, sc, Config{}, Config{})
				defer client.Close()
				defer server.Close()
				client.SetSnappy(snappyOn)
				server.SetSnappy(snappyOn)
				// The largest payload: 16 MiB − 1 uncompressed with
				// snappy; without it the frame (code ‖ payload) must
				// fit 24 bits, leaving 16 MiB − 2 after a 1-byte code.
				largest := 1<<24 - 1
				if !snappyOn {
					largest = maxFrameSize - 1
				}
				sizes := []int{0, 1, 1024, 1 << 20}
				if tname == "pipe" && (snappyOn || !raceEnabled) {
					sizes = append(sizes, largest)
				}
				for _, size := range sizes {
					payload := make([]byte, size)
					rand.Read(payload[:min(size, 4096)]) // compressible tail
					exchange(t, client, server, 0x10, payload)
					exchange(t, server, client, 0x11, payload)
				}
			})
		}
	}
}

// TestConcurrentReadWrite runs a reader and a writer on each side at once.
func TestConcurrentReadWrite(t *testing.T) {
	cc, sc := tcpPair(t)
	client, server := handshakePair(t, cc, sc, Config{}, Config{})
	defer client.Close()
	defer server.Close()
	const n = 200
	errc := make(chan error, 4)
	send := func(c *Conn) {
		for i := range n {
			if _, err := c.WriteMsg(uint64(i), bytes.Repeat([]byte{byte(i)}, i*10)); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}
	recv := func(c *Conn) {
		for i := range n {
			code, p, _, err := c.ReadMsg()
			if err == nil && (code != uint64(i) || !bytes.Equal(p, bytes.Repeat([]byte{byte(i)}, i*10))) {
				err = errors.New("wrong message")
			}
			if err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}
	go send(client)
	go send(server)
	go recv(client)
	go recv(server)
	for range 4 {
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
	}
}

func TestHandshakeLegacyPolicy(t *testing.T) {
	keyB := hexKey(t, hexStaticB)
	t.Run("auth1 rejected", func(t *testing.T) {
		hs := &handshakeState{priv: keyB, rejectLegacy: true}
		if err := hs.readAuth(bytes.NewReader(vector(t, "auth1"))); !errors.Is(err, ErrLegacyHandshake) {
			t.Fatalf("err = %v, want ErrLegacyHandshake", err)
		}
	})
	t.Run("ack1 rejected", func(t *testing.T) {
		hs := &handshakeState{priv: hexKey(t, hexStaticA), rejectLegacy: true}
		if err := hs.readAck(bytes.NewReader(vector(t, "ack1"))); !errors.Is(err, ErrLegacyHandshake) {
			t.Fatalf("err = %v, want ErrLegacyHandshake", err)
		}
	})
	t.Run("auth2 accepted", func(t *testing.T) {
		hs := &handshakeState{priv: keyB, rejectLegacy: true}
		if err := hs.readAuth(bytes.NewReader(vector(t, "auth2"))); err != nil {
			t.Fatal(err)
		}
	})
}

// sealAuth encrypts an arbitrary auth body to B as an EIP-8 packet.
func sealAuth(t *testing.T, body []byte) []byte {
	t.Helper()
	var prefix [2]byte
	binary.BigEndian.PutUint16(prefix[:], uint16(len(body)+eciesOverhead))
	ct, err := Encrypt(rand.Reader, hexKey(t, hexStaticB).PubKey(), body, prefix[:])
	if err != nil {
		t.Fatal(err)
	}
	return append(prefix[:], ct...)
}

// TestReadAuthBadInput covers truncated ciphertexts, invalid points and
// oversized prefixes on the recipient side.
func TestReadAuthBadInput(t *testing.T) {
	keyA := hexKey(t, hexStaticA)
	auth2 := vector(t, "auth2")
	validMsg := func() authMsg {
		var m authMsg
		hs := &handshakeState{priv: hexKey(t, hexStaticB)}
		_, plain, _, err := hs.readPacket(bytes.NewReader(auth2), legacyAuthLen)
		if err != nil || m.decodeEIP8(plain) != nil {
			t.Fatal("cannot decode auth2")
		}
		return m
	}
	withKey := func(k []byte) []byte {
		m := validMsg()
		copy(m.InitiatorPubkey[:], k)
		return sealAuth(t, m.appendEIP8(nil))
	}
	p := unhex(t, "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
	pubA := ethcrypto.MarshalPubkey(keyA.PubKey())
	offCurve := pubA
	offCurve[63] ^= 1
	size := func(n int, tail []byte) []byte {
		return append([]byte{byte(n >> 8), byte(n)}, tail...)
	}
	badR := append([]byte{}, auth2...)
	copy(badR[2:], append([]byte{4}, make([]byte, 64)...))
	badSig := validMsg()
	badSig.Signature[64] = 7
	shortSig := sealAuth(t, func() []byte {
		b, m := rlp.StartList(nil)
		b = rlp.AppendBytes(b, make([]byte, 64))
		return rlp.EndList(b, m)
	}())

	tests := []struct {
		name string
		in   []byte
		want error
	}{
		{"size 0xffff", size(0xffff, make([]byte, 100)), ErrHandshakeSize},
		{"size 2049", size(2049, make([]byte, 100)), ErrHandshakeSize},
		{"size 0", size(0, nil), ErrHandshakeSize},
		{"size 97", size(97, make([]byte, 97)), ErrHandshakeSize},
		{"size 112", size(112, make([]byte, 112)), ErrHandshakeSize},
		{"size 113, all zero", size(113, make([]byte, 113)), ErrInvalidPublicKey},
		{"empty stream", nil, io.EOF},
		{"truncated body", auth2[:200], io.ErrUnexpectedEOF},
		{"ECIES R all zero", badR, ErrInvalidPublicKey},
		{"corrupted tag", append(append([]byte{}, auth2[:len(auth2)-1]...), auth2[len(auth2)-1]^1), ErrInvalidMAC},
		{"initiator key x = p", withKey(append(append([]byte{}, p...), pubA[32:]...)), ErrInvalidPublicKey},
		{"initiator key off curve", withKey(offCurve[:]), ErrInvalidPublicKey},
		{"initiator key all zero", withKey(make([]byte, 64)), ErrInvalidPublicKey},
		{"initiator key all ff", withKey(bytes.Repeat([]byte{0xff}, 64)), ErrInvalidPublicKey},
		{"bad recovery id", sealAuth(t, badSig.appendEIP8(nil)), ErrInvalidHandshake},
		{"not a list", sealAuth(t, []byte{0x80}), ErrInvalidHandshake},
		{"short signature", shortSig, ErrInvalidHandshake},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			hs := &handshakeState{priv: hexKey(t, hexStaticB)}
			if err := hs.readAuth(bytes.NewReader(tt.in)); !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
		})
	}
}

// TestReadAckBadInput checks invalid ephemeral keys in the ack (S2, S3).
func TestReadAckBadInput(t *testing.T) {
	keyA := hexKey(t, hexStaticA)
	seal := func(eph []byte) []byte {
		var m ackMsg
		copy(m.EphemeralPubkey[:], eph)
		m.Version = 4
		body := m.appendEIP8(nil)
		var prefix [2]byte
		binary.BigEndian.PutUint16(prefix[:], uint16(len(body)+eciesOverhead))
		ct, err := Encrypt(rand.Reader, keyA.PubKey(), body, prefix[:])
		if err != nil {
			t.Fatal(err)
		}
		return append(prefix[:], ct...)
	}
	pub := ethcrypto.MarshalPubkey(hexKey(t, hexEphB).PubKey())
	off := pub
	off[10] ^= 0x40
	tests := map[string][]byte{
		"all zero":  seal(make([]byte, 64)),
		"x = p":     seal(append(unhex(t, "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"), pub[32:]...)),
		"off curve": seal(off[:]),
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			hs := &handshakeState{priv: keyA}
			if err := hs.readAck(bytes.NewReader(in)); !errors.Is(err, ErrInvalidPublicKey) {
				t.Fatalf("err = %v, want ErrInvalidPublicKey", err)
			}
		})
	}
}

// TestHandshakeStalled covers S4's slow-loris: a peer sends half an auth
// message and stalls; the configured deadline cuts it off. Nothing sleeps:
// the test waits on the handshake's result.
func TestHandshakeStalled(t *testing.T) {
	auth2 := vector(t, "auth2")
	tests := []struct {
		name string
		cfg  Config
		ctx  func() (context.Context, context.CancelFunc)
	}{
		{"config timeout", Config{HandshakeTimeout: 50 * time.Millisecond}, func() (context.Context, context.CancelFunc) {
			return context.Background(), func() {}
		}},
		{"context deadline", Config{}, func() (context.Context, context.CancelFunc) {
			return context.WithTimeout(context.Background(), 50*time.Millisecond)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cc, sc := tcpPair(t)
			defer cc.Close()
			server := Server(sc, hexKey(t, hexStaticB), tt.cfg)
			defer server.Close()
			if _, err := cc.Write(auth2[:len(auth2)/2]); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := tt.ctx()
			defer cancel()
			err := server.Handshake(ctx)
			if !errors.Is(err, ErrHandshakeTimeout) {
				t.Fatalf("err = %v, want ErrHandshakeTimeout", err)
			}
			if _, _, _, rerr := server.ReadMsg(); rerr != err {
				t.Fatalf("ReadMsg after failed handshake: %v", rerr)
			}
			if again := server.Handshake(context.Background()); again != err {
				t.Fatalf("second Handshake: %v", again)
			}
		})
	}
	t.Run("cancel", func(t *testing.T) {
		cc, sc := net.Pipe()
		defer cc.Close()
		server := Server(sc, hexKey(t, hexStaticB), Config{})
		defer server.Close()
		ctx, cancel := context.WithCancel(context.Background())
		errc := make(chan error, 1)
		go func() { errc <- server.Handshake(ctx) }()
		cc.Write(auth2[:10]) // returns once the server has read it
		cancel()
		if err := <-errc; !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
}

func TestHandshakeWrongKey(t *testing.T) {
	cc, sc := net.Pipe()
	keyC, _ := secp256k1.GeneratePrivateKey()
	keyS, _ := secp256k1.GeneratePrivateKey()
	other, _ := secp256k1.GeneratePrivateKey()
	client := Client(cc, keyC, other.PubKey(), Config{}) // dials the wrong identity
	server := Server(sc, keyS, Config{})
	errc := make(chan error, 1)
	go func() {
		errc <- server.Handshake(context.Background())
		server.Close()
	}()
	cerr := client.Handshake(context.Background())
	if err := <-errc; !errors.Is(err, ErrInvalidMAC) {
		t.Fatalf("server: err = %v, want ErrInvalidMAC", err)
	}
	if !errors.Is(cerr, ErrAuthRejected) {
		t.Fatalf("client: err = %v, want ErrAuthRejected", cerr)
	}
	client.Close()
}

// TestHandshakeWrongKeyTCP is TestHandshakeWrongKey over TCP, where the
// server's close may reach the client as a reset.
func TestHandshakeWrongKeyTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	keyC, _ := secp256k1.GeneratePrivateKey()
	keyS, _ := secp256k1.GeneratePrivateKey()
	other, _ := secp256k1.GeneratePrivateKey()
	errc := make(chan error, 1)
	go func() {
		fd, err := ln.Accept()
		if err != nil {
			errc <- err
			return
		}
		server := Server(fd, keyS, Config{})
		errc <- server.Handshake(context.Background())
		server.Close()
	}()
	fd, err := net.Dial("tcp", ln.Addr().String())
	require.NoError(t, err)
	client := Client(fd, keyC, other.PubKey(), Config{})
	defer client.Close()
	cerr := client.Handshake(context.Background())
	require.ErrorIs(t, <-errc, ErrInvalidMAC)
	require.ErrorIs(t, cerr, ErrAuthRejected)
	require.Equal(t, 1, strings.Count(cerr.Error(), "rlpx:"), "error chain repeats itself: %v", cerr)
}

func FuzzAuthDecode(f *testing.F) {
	keyB := hexKey(f, hexStaticB)
	for _, name := range []string{"auth1", "auth2", "auth3"} {
		pkt := vector(f, name)
		f.Add(pkt)
		if plain, err := Decrypt(keyB, pkt[2:], pkt[:2]); err == nil {
			f.Add(plain) // the decrypted body, for the decoder below
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		hs := &handshakeState{priv: keyB}
		hs.readAuth(bytes.NewReader(in))
		var m authMsg
		if m.decodeEIP8(in) == nil {
			var again authMsg
			if err := again.decodeEIP8(m.appendEIP8(nil)); err != nil {
				t.Fatalf("re-encoded auth does not decode: %v", err)
			}
		}
		m.decodeLegacy(in)
	})
}

func FuzzAckDecode(f *testing.F) {
	keyA := hexKey(f, hexStaticA)
	for _, name := range []string{"ack1", "ack2", "ack3"} {
		pkt := vector(f, name)
		f.Add(pkt)
		if plain, err := Decrypt(keyA, pkt[2:], pkt[:2]); err == nil {
			f.Add(plain)
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		hs := &handshakeState{priv: keyA}
		hs.readAck(bytes.NewReader(in))
		var m ackMsg
		if m.decodeEIP8(in) == nil {
			var again ackMsg
			if err := again.decodeEIP8(m.appendEIP8(nil)); err != nil {
				t.Fatalf("re-encoded ack does not decode: %v", err)
			}
		}
		m.decodeLegacy(in)
	})
}

// TestLegacyAuthGetsLegacyAck plays a pre-EIP-8 initiator (node A of the
// EIP-8 vectors) against our recipient: Auth₁ must be answered in the Ack₁
// format (no size prefix, exactly 210 bytes, a 97-byte body decrypted
// without shared MAC data), and A, reading only that format, must complete
// the session.
func TestLegacyAuthGetsLegacyAck(t *testing.T) {
	keyA, keyB := hexKey(t, hexStaticA), hexKey(t, hexStaticB)
	pa, pb := net.Pipe()
	defer pa.Close()
	defer pb.Close()
	server := Server(pb, keyB, Config{})
	errc := make(chan error, 1)
	go func() { errc <- server.Handshake(context.Background()) }()

	auth1 := vector(t, "auth1")
	if _, err := pa.Write(auth1); err != nil {
		t.Fatal(err)
	}
	if got, want := len(vector(t, "ack1")), legacyAckLen; got != want {
		t.Fatalf("Ack₁ vector is %d bytes, want %d", got, want)
	}
	ack := make([]byte, legacyAckLen)
	if _, err := io.ReadFull(pa, ack); err != nil {
		t.Fatal(err)
	}
	// What a legacy-only initiator does: decrypt the fixed-size packet with
	// no size prefix as shared MAC data, and parse the fixed layout.
	plain, err := Decrypt(keyA, ack, nil)
	if err != nil {
		t.Fatalf("ack is not a pre-EIP-8 ack (first bytes %x): %v", ack[:4], err)
	}
	if err := <-errc; err != nil {
		t.Fatal("server handshake:", err)
	}
	var msg ackMsg
	if err := msg.decodeLegacy(plain); err != nil {
		t.Fatal(err)
	}
	if plain[len(plain)-1] != 0 {
		t.Errorf("known-peer flag %#x, want 0", plain[len(plain)-1])
	}
	hs := &handshakeState{initiator: true, priv: keyA, remote: keyB.PubKey(), eph: hexKey(t, hexEphA), initNonce: hex32(t, hexNonceA), auth: auth1, ack: ack}
	if err := hs.handleAck(&msg); err != nil {
		t.Fatal(err)
	}
	client := connWithSecrets(pa, hs.secrets(), Config{})
	exchange(t, client, server, 0x10, []byte("from a legacy initiator"))
	exchange(t, server, client, 0x11, []byte("to a legacy initiator"))
}

func TestHandshakeInvalidConfig(t *testing.T) {
	for name, cfg := range map[string]Config{
		"negative HandshakeTimeout": {HandshakeTimeout: -1},
		"negative AuthTimeout":      {AuthTimeout: -time.Second},
		"negative MaxMessageSize":   {MaxMessageSize: -1},
	} {
		t.Run(name, func(t *testing.T) {
			cc, sc := net.Pipe()
			defer cc.Close()
			defer sc.Close()
			key, _ := secp256k1.GeneratePrivateKey()
			err := Server(sc, key, cfg).Handshake(context.Background())
			require.ErrorIs(t, err, ErrInvalidConfig)
		})
	}
}
