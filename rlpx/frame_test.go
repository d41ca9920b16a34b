package rlpx

import (
	"bytes"
	"errors"
	"hash"
	"io"
	"net"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/internal/ethcrypto"
	"github.com/devp2p-go/devp2p/rlp"
)

// fakeHash is the MAC hash of go-ethereum's TestFrameReadWrite golden
// vector: it ignores writes and always sums to 32×0x01.
type fakeHash struct{}

func (fakeHash) Write(p []byte) (int, error) { return len(p), nil }
func (fakeHash) Sum(b []byte) []byte         { return append(b, bytes.Repeat([]byte{1}, 32)...) }
func (fakeHash) Reset()                      {}
func (fakeHash) Size() int                   { return 32 }
func (fakeHash) BlockSize() int              { return 136 }

var _ hash.Hash = fakeHash{}

// bufConn is a net.Conn over in-memory buffers: reads come from in, writes
// go to out. Each Write call is recorded.
type bufConn struct {
	in     *bytes.Reader
	out    bytes.Buffer
	writes int
}

func newBufConn(in []byte) *bufConn { return &bufConn{in: bytes.NewReader(in)} }

func (c *bufConn) Read(p []byte) (int, error)  { return c.in.Read(p) }
func (c *bufConn) Write(p []byte) (int, error) { c.writes++; return c.out.Write(p) }
func (c *bufConn) Close() error                { return nil }
func (c *bufConn) LocalAddr() net.Addr         { return &net.TCPAddr{} }
func (c *bufConn) RemoteAddr() net.Addr        { return &net.TCPAddr{} }
func (c *bufConn) SetDeadline(time.Time) error { return nil }
func (c *bufConn) SetReadDeadline(time.Time) error {
	return nil
}
func (c *bufConn) SetWriteDeadline(time.Time) error { return nil }

// connWithSecrets returns a Conn whose handshake is replaced by s.
func connWithSecrets(nc net.Conn, s *secrets, cfg Config) *Conn {
	c := Server(nc, nil, cfg)
	c.hsDone = true
	c.install(s)
	return c
}

// vectorSecrets returns the (Auth₂, Ack₂) session as seen by A (initiator)
// and B (recipient), derived from the EIP-8 keys and nonces.
func vectorSecrets(tb testing.TB) (a, b *secrets) {
	tb.Helper()
	ephA, ephB := hexKey(tb, hexEphA), hexKey(tb, hexEphB)
	nonceA, nonceB := hex32(tb, hexNonceA), hex32(tb, hexNonceB)
	auth, ack := vector(tb, "auth2"), vector(tb, "ack2")
	a = deriveSecrets(true, ethcrypto.ECDH(ephA, ephB.PubKey()), nonceA, nonceB, auth, ack)
	b = deriveSecrets(false, ethcrypto.ECDH(ephB, ephA.PubKey()), nonceA, nonceB, auth, ack)
	return a, b
}

func TestDeriveSecretsVector(t *testing.T) {
	a, b := vectorSecrets(t)
	for name, s := range map[string]*secrets{"initiator": a, "recipient": b} {
		t.Run(name, func(t *testing.T) {
			if s.aes != hex32(t, hexAESSecret) {
				t.Errorf("aes-secret = %x, want %s", s.aes, hexAESSecret)
			}
			if s.mac != hex32(t, hexMACSecret) {
				t.Errorf("mac-secret = %x, want %s", s.mac, hexMACSecret)
			}
		})
	}
	b.ingress.Write([]byte("foo"))
	if got := b.ingress.Sum(nil); !bytes.Equal(got, unhex(t, hexIngressFoo)) {
		t.Errorf("ingress-mac(\"foo\") = %x, want %s", got, hexIngressFoo)
	}
	// A's egress is B's ingress.
	a.egress.Write([]byte("foo"))
	if got := a.egress.Sum(nil); !bytes.Equal(got, unhex(t, hexIngressFoo)) {
		t.Errorf("initiator egress(\"foo\") = %x, want %s", got, hexIngressFoo)
	}
}

func goldenSecrets() *secrets {
	k := ethcrypto.Keccak256()
	return &secrets{aes: k, mac: k, egress: fakeHash{}, ingress: fakeHash{}}
}

// TestFrameGolden checks go-ethereum's TestFrameReadWrite golden frame:
// header layout, padding and AES-256-CTR, with all MACs forced to 0x01.
func TestFrameGolden(t *testing.T) {
	golden := vector(t, "frame_golden")
	payload := unhex(t, "c401020304")

	t.Run("encode", func(t *testing.T) {
		nc := newBufConn(nil)
		c := connWithSecrets(nc, goldenSecrets(), Config{})
		n, err := c.WriteMsg(8, payload)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(nc.out.Bytes(), golden) {
			t.Fatalf("frame = %x\nwant    %x", nc.out.Bytes(), golden)
		}
		if n != len(golden) || nc.writes != 1 {
			t.Fatalf("wireSize %d, %d writes; want %d, 1", n, nc.writes, len(golden))
		}
	})
	t.Run("decode", func(t *testing.T) {
		c := connWithSecrets(newBufConn(golden), goldenSecrets(), Config{})
		code, got, n, err := c.ReadMsg()
		if err != nil {
			t.Fatal(err)
		}
		if code != 8 || !bytes.Equal(got, payload) || n != len(golden) {
			t.Fatalf("got code %d payload %x size %d", code, got, n)
		}
	})
}

// TestFrameVectors checks the frames go-ethereum produced with the (Auth₂,
// Ack₂) session, byte for byte in both directions.
func TestFrameVectors(t *testing.T) {
	hello := vector(t, "hello_eip8")
	wire := append(vector(t, "frame_e2e_1"), vector(t, "frame_e2e_2")...)
	a, b := vectorSecrets(t)

	t.Run("encode", func(t *testing.T) {
		nc := newBufConn(nil)
		c := connWithSecrets(nc, b, Config{})
		if _, err := c.WriteMsg(0, hello); err != nil {
			t.Fatal(err)
		}
		c.SetSnappy(true)
		if _, err := c.WriteMsg(2, []byte{0xc0}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(nc.out.Bytes(), wire) {
			t.Fatalf("frames = %x\nwant     %x", nc.out.Bytes(), wire)
		}
	})
	t.Run("decode", func(t *testing.T) {
		c := connWithSecrets(newBufConn(wire), a, Config{})
		code, got, n, err := c.ReadMsg()
		if err != nil {
			t.Fatal(err)
		}
		if code != 0 || !bytes.Equal(got, hello) || n != 176 {
			t.Fatalf("frame 1: code %d size %d payload %x", code, n, got)
		}
		c.SetSnappy(true)
		code, got, n, err = c.ReadMsg()
		if err != nil {
			t.Fatal(err)
		}
		if code != 2 || !bytes.Equal(got, []byte{0xc0}) || n != 64 {
			t.Fatalf("frame 2: code %d size %d payload %x", code, n, got)
		}
		if _, _, _, err := c.ReadMsg(); !errors.Is(err, io.EOF) {
			t.Fatalf("after last frame: err = %v, want io.EOF", err)
		}
	})
}

func TestMessageCodes(t *testing.T) {
	for _, code := range []uint64{0, 1, 0x0f, 0x10, 0x7f, 0x80, 0xff, 0x100, 0xffff_ffff, 1<<64 - 1} {
		enc := rlp.AppendUint64(nil, code)
		got, rest, err := splitCode(append(enc, 0xaa))
		if err != nil || got != code || !bytes.Equal(rest, []byte{0xaa}) {
			t.Errorf("code %#x: enc %x → %#x rest %x err %v", code, enc, got, rest, err)
		}
	}
	bad := map[string][]byte{
		"empty":          {},
		"list":           {0xc0},
		"too long":       {0x89, 1, 2, 3, 4, 5, 6, 7, 8, 9},
		"truncated":      {0x82, 0x01},
		"leading zero":   {0x82, 0x00, 0x01},
		"wrapped single": {0x81, 0x05},
	}
	for name, in := range bad {
		t.Run(name, func(t *testing.T) {
			if _, _, err := splitCode(in); !errors.Is(err, ErrInvalidFrame) {
				t.Fatalf("err = %v, want ErrInvalidFrame", err)
			}
		})
	}
}

// sealFrames returns the wire bytes of messages written by B in the vector
// session (so A can read them), with snappy as given.
func sealFrames(t *testing.T, snappyOn bool, msgs ...[]byte) []byte {
	t.Helper()
	_, b := vectorSecrets(t)
	nc := newBufConn(nil)
	c := connWithSecrets(nc, b, Config{})
	c.SetSnappy(snappyOn)
	for i, m := range msgs {
		if _, err := c.WriteMsg(uint64(0x10+i), m); err != nil {
			t.Fatal(err)
		}
	}
	return nc.out.Bytes()
}

func readerFor(t *testing.T, wire []byte, cfg Config) *Conn {
	t.Helper()
	a, _ := vectorSecrets(t)
	return connWithSecrets(newBufConn(wire), a, cfg)
}

func TestReadFrameBadInput(t *testing.T) {
	good := sealFrames(t, false, bytes.Repeat([]byte{7}, 100))
	flip := func(i int) []byte {
		out := append([]byte{}, good...)
		out[i] ^= 0x01
		return out
	}
	tests := []struct {
		name string
		wire []byte
		cfg  Config
		want error
	}{
		{"header ciphertext flipped", flip(0), Config{}, ErrInvalidMAC},
		{"header MAC flipped", flip(20), Config{}, ErrInvalidMAC},
		{"frame ciphertext flipped", flip(40), Config{}, ErrInvalidMAC},
		{"frame MAC flipped", flip(len(good) - 1), Config{}, ErrInvalidMAC},
		{"empty stream", nil, Config{}, io.EOF},
		{"half header", good[:20], Config{}, io.ErrUnexpectedEOF},
		{"header only", good[:32], Config{}, io.ErrUnexpectedEOF},
		{"body shorter than frame size", good[:len(good)-17], Config{}, io.ErrUnexpectedEOF},
		{"missing frame MAC byte", good[:len(good)-1], Config{}, io.ErrUnexpectedEOF},
		{"frame above MaxMessageSize", good, Config{MaxMessageSize: 50}, ErrMessageTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := readerFor(t, tt.wire, tt.cfg)
			_, _, _, err := c.ReadMsg()
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			// The error is sticky for reads; writes go on, so that a
			// Disconnect can still be sent.
			if _, _, _, err2 := c.ReadMsg(); err2 != err {
				t.Fatalf("second read: err = %v, want the sticky %v", err2, err)
			}
			if _, err2 := c.WriteMsg(1, []byte{0xc1, 0x02}); err2 != nil {
				t.Fatalf("write after a read failure: %v", err2)
			}
		})
	}
}

// TestSnappyBombs covers snappy bombs (EIP-706 "Security
// Considerations"): each
// is carried in a frame with valid MACs and rejected without allocating
// from the declared length.
func TestSnappyBombs(t *testing.T) {
	valid := unhex(t, "0204c104") // snappy(c104)
	tests := []struct {
		name    string
		payload []byte
	}{
		{"16 MiB + 1 declared", unhex(t, "81808008")},
		{"4 GiB declared", unhex(t, "ffffffff0f")},
		{"varint overflow", unhex(t, "ffffffffffffffffffff01")},
		{"empty block", nil},
		{"header larger than body", unhex(t, "0504c104")},
		{"header smaller than body", unhex(t, "0104c104")},
		{"truncated literal", valid[:3]},
		{"literal longer than block", unhex(t, "02fcc104")},
		{"copy before start", unhex(t, "0a0502")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := readerFor(t, sealFrames(t, false, tt.payload), Config{})
			c.SetSnappy(true)
			_, _, _, err := c.ReadMsg()
			if !errors.Is(err, ErrSnappy) {
				t.Fatalf("err = %v, want ErrSnappy", err)
			}
			if cap(c.dbuf) > 64 {
				t.Fatalf("decode buffer grew to %d bytes", cap(c.dbuf))
			}
		})
	}
	t.Run("valid", func(t *testing.T) {
		c := readerFor(t, sealFrames(t, false, valid), Config{})
		c.SetSnappy(true)
		_, got, _, err := c.ReadMsg()
		if err != nil || !bytes.Equal(got, unhex(t, "c104")) {
			t.Fatalf("got %x, %v", got, err)
		}
	})
	t.Run("above MaxMessageSize", func(t *testing.T) {
		c := readerFor(t, sealFrames(t, true, make([]byte, 1000)), Config{MaxMessageSize: 999})
		c.SetSnappy(true)
		if _, _, _, err := c.ReadMsg(); !errors.Is(err, ErrSnappy) {
			t.Fatalf("err = %v, want ErrSnappy", err)
		}
	})
}

func TestWriteTooLarge(t *testing.T) {
	_, b := vectorSecrets(t)
	nc := newBufConn(nil)
	c := connWithSecrets(nc, b, Config{})
	tests := []struct {
		name   string
		snappy bool
		code   uint64
		size   int
		want   error
	}{
		{"plain largest", false, 0x10, maxFrameSize - 1, nil},
		{"plain one over", false, 0x10, maxFrameSize, ErrMessageTooLarge},
		{"plain two-byte code", false, 0x80, maxFrameSize - 1, ErrMessageTooLarge},
		{"snappy 16 MiB - 1", true, 0x10, 1<<24 - 1, nil},
		{"snappy 16 MiB", true, 0x10, 1 << 24, ErrMessageTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c.SetSnappy(tt.snappy)
			before := nc.out.Len()
			_, err := c.WriteMsg(tt.code, make([]byte, tt.size))
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if err != nil && nc.out.Len() != before {
				t.Fatal("a refused message wrote bytes")
			}
		})
	}
	// Refusals are not sticky.
	if _, err := c.WriteMsg(1, []byte{1}); err != nil {
		t.Fatalf("write after refusal: %v", err)
	}
}

func TestNotHandshaked(t *testing.T) {
	c := Server(newBufConn(nil), nil, Config{})
	if _, _, _, err := c.ReadMsg(); !errors.Is(err, ErrHandshakeNotDone) {
		t.Fatalf("ReadMsg: err = %v", err)
	}
	if _, err := c.WriteMsg(1, nil); !errors.Is(err, ErrHandshakeNotDone) {
		t.Fatalf("WriteMsg: err = %v", err)
	}
}

// FuzzReadFrame feeds arbitrary bytes to ReadMsg, in the (Auth₂, Ack₂)
// session or, with fakeMAC, in the golden-vector session whose MACs are
// all 0x01 (so mutations can get past the MAC checks).
func FuzzReadFrame(f *testing.F) {
	f.Add(append(vector(f, "frame_e2e_1"), vector(f, "frame_e2e_2")...), false, false)
	f.Add(vector(f, "frame_golden"), true, false)
	f.Add(vector(f, "frame_golden"), true, true)
	f.Add([]byte{}, false, true)
	ephA, ephB := hexKey(f, hexEphA), hexKey(f, hexEphB)
	ecdhe := ethcrypto.ECDH(ephA, ephB.PubKey())
	nonceA, nonceB := hex32(f, hexNonceA), hex32(f, hexNonceB)
	auth, ack := vector(f, "auth2"), vector(f, "ack2")
	f.Fuzz(func(t *testing.T, wire []byte, fakeMAC, snappyOn bool) {
		s := goldenSecrets()
		if !fakeMAC {
			s = deriveSecrets(true, ecdhe, nonceA, nonceB, auth, ack)
		}
		c := connWithSecrets(newBufConn(wire), s, Config{})
		c.SetSnappy(snappyOn)
		for range 4 {
			_, payload, _, err := c.ReadMsg()
			if err != nil {
				return
			}
			if len(payload) > DefaultMaxMessageSize {
				t.Fatalf("payload of %d bytes", len(payload))
			}
		}
	})
}
