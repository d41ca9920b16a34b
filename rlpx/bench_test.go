package rlpx

import (
	"bytes"
	"context"
	"crypto/rand"
	"net"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// loopConn is a net.Conn whose writes are read back from the same buffer,
// so one Conn can write frames that another reads without goroutines.
type loopConn struct{ buf *bytes.Buffer }

func (c loopConn) Read(p []byte) (int, error)       { return c.buf.Read(p) }
func (c loopConn) Write(p []byte) (int, error)      { return c.buf.Write(p) }
func (c loopConn) Close() error                     { return nil }
func (c loopConn) LocalAddr() net.Addr              { return &net.TCPAddr{} }
func (c loopConn) RemoteAddr() net.Addr             { return &net.TCPAddr{} }
func (c loopConn) SetDeadline(time.Time) error      { return nil }
func (c loopConn) SetReadDeadline(time.Time) error  { return nil }
func (c loopConn) SetWriteDeadline(time.Time) error { return nil }

func BenchmarkHandshake(b *testing.B) {
	keyC, _ := secp256k1.GeneratePrivateKey()
	keyS, _ := secp256k1.GeneratePrivateKey()
	b.ReportAllocs()
	for b.Loop() {
		cc, sc := net.Pipe()
		client, server := Client(cc, keyC, keyS.PubKey(), Config{}), Server(sc, keyS, Config{})
		errc := make(chan error, 1)
		go func() { errc <- server.Handshake(context.Background()) }()
		if err := client.Handshake(context.Background()); err != nil {
			b.Fatal(err)
		}
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
		cc.Close()
		sc.Close()
	}
}

// BenchmarkReadAuth is the recipient's cost of one auth message: read,
// ECIES decrypt, decode, recover the ephemeral key.
func BenchmarkReadAuth(b *testing.B) {
	keyB := hexKey(b, hexStaticB)
	pkt := vector(b, "auth2")
	b.ReportAllocs()
	for b.Loop() {
		hs := &handshakeState{priv: keyB}
		if err := hs.readAuth(bytes.NewReader(pkt)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkFrame measures WriteMsg+ReadMsg of one message through an
// in-memory buffer; SetBytes is the payload size.
func BenchmarkFrame(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1KiB", 1 << 10}, {"64KiB", 64 << 10}} {
		for _, snappyOn := range []bool{false, true} {
			name := size.name + "/plain"
			if snappyOn {
				name = size.name + "/snappy"
			}
			b.Run(name, func(b *testing.B) {
				payload := make([]byte, size.n)
				rand.Read(payload[:size.n/2]) // half random, half zeros
				sa, sb := vectorSecrets(b)
				wire := loopConn{new(bytes.Buffer)}
				w := connWithSecrets(wire, sa, Config{})
				r := connWithSecrets(wire, sb, Config{})
				w.SetSnappy(snappyOn)
				r.SetSnappy(snappyOn)
				b.SetBytes(int64(size.n))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := w.WriteMsg(0x10, payload); err != nil {
						b.Fatal(err)
					}
					if _, _, _, err := r.ReadMsg(); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
