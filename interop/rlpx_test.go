package interop

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"net"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethrlpx "github.com/ethereum/go-ethereum/p2p/rlpx"

	"github.com/devp2p-go/devp2p/rlpx"
)

// rlpxGethKey converts a private key to go-ethereum's representation.
func rlpxGethKey(t testing.TB, k *secp256k1.PrivateKey) *ecdsa.PrivateKey {
	t.Helper()
	gk, err := gethcrypto.ToECDSA(k.Serialize())
	if err != nil {
		t.Fatal(err)
	}
	return gk
}

func rlpxGethPub(t testing.TB, p *secp256k1.PublicKey) *ecdsa.PublicKey {
	t.Helper()
	gp, err := gethcrypto.UnmarshalPubkey(p.SerializeUncompressed())
	if err != nil {
		t.Fatal(err)
	}
	return gp
}

// rlpxTCPLoopback returns both ends of a TCP connection on 127.0.0.1.
func rlpxTCPLoopback(t testing.TB) (dialer, accepted net.Conn) {
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
	dialer, err = net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-ch
	if r.err != nil {
		t.Fatal(r.err)
	}
	return dialer, r.c
}

// rlpxMsgConn is the common shape of both implementations' message I/O.
type rlpxMsgConn interface {
	write(code uint64, payload []byte) error
	read() (uint64, []byte, error)
}

type rlpxOurs struct{ c *rlpx.Conn }

func (o rlpxOurs) write(code uint64, p []byte) error { _, err := o.c.WriteMsg(code, p); return err }
func (o rlpxOurs) read() (uint64, []byte, error) {
	code, p, _, err := o.c.ReadMsg()
	return code, p, err
}

type rlpxGeths struct{ c *gethrlpx.Conn }

func (g rlpxGeths) write(code uint64, p []byte) error { _, err := g.c.Write(code, p); return err }
func (g rlpxGeths) read() (uint64, []byte, error) {
	code, p, _, err := g.c.Read()
	return code, p, err
}

// rlpxExchange sends messages of several sizes from w to r and checks
// that r reads exactly what w wrote.
func rlpxExchange(t *testing.T, w, r rlpxMsgConn, snappyOn bool) {
	t.Helper()
	largest := 1<<24 - 2 // frame = 1-byte code ‖ payload must fit 24 bits
	if snappyOn {
		largest = 1<<24 - 1
	}
	for i, size := range []int{0, 1, 100, 1024, 64 << 10, 1 << 20, largest} {
		payload := make([]byte, size)
		rand.Read(payload[:min(size, 8192)])
		code := uint64(0x10 + i)
		errc := make(chan error, 1)
		go func() { errc <- w.write(code, payload) }()
		gotCode, got, err := r.read()
		if werr := <-errc; werr != nil {
			t.Fatalf("size %d: write: %v", size, werr)
		}
		if err != nil {
			t.Fatalf("size %d: read: %v", size, err)
		}
		if gotCode != code || !bytes.Equal(got, payload) {
			t.Fatalf("size %d: got code %#x and %d bytes", size, gotCode, len(got))
		}
	}
}

func TestRLPxInterop(t *testing.T) {
	for _, snappyOn := range []bool{false, true} {
		mode := "plain"
		if snappyOn {
			mode = "snappy"
		}
		// Our Client dials go-ethereum's recipient.
		t.Run("ours-initiator/"+mode, func(t *testing.T) {
			ourKey, _ := secp256k1.GeneratePrivateKey()
			theirKey, _ := secp256k1.GeneratePrivateKey()
			dc, ac := rlpxTCPLoopback(t)
			defer dc.Close()
			defer ac.Close()
			them := gethrlpx.NewConn(ac, nil)
			type res struct {
				pub *ecdsa.PublicKey
				err error
			}
			ch := make(chan res, 1)
			go func() {
				pub, err := them.Handshake(rlpxGethKey(t, theirKey))
				ch <- res{pub, err}
			}()
			us := rlpx.Client(dc, ourKey, theirKey.PubKey(), rlpx.Config{})
			if err := us.Handshake(context.Background()); err != nil {
				t.Fatalf("our handshake: %v", err)
			}
			r := <-ch
			if r.err != nil {
				t.Fatalf("geth handshake: %v", r.err)
			}
			if !bytes.Equal(gethcrypto.FromECDSAPub(r.pub), ourKey.PubKey().SerializeUncompressed()) {
				t.Fatal("geth saw the wrong initiator key")
			}
			us.SetSnappy(snappyOn)
			them.SetSnappy(snappyOn)
			rlpxExchange(t, rlpxOurs{us}, rlpxGeths{them}, snappyOn)
			rlpxExchange(t, rlpxGeths{them}, rlpxOurs{us}, snappyOn)
		})
		// go-ethereum dials our Server.
		t.Run("geth-initiator/"+mode, func(t *testing.T) {
			ourKey, _ := secp256k1.GeneratePrivateKey()
			theirKey, _ := secp256k1.GeneratePrivateKey()
			dc, ac := rlpxTCPLoopback(t)
			defer dc.Close()
			defer ac.Close()
			them := gethrlpx.NewConn(dc, rlpxGethPub(t, ourKey.PubKey()))
			errc := make(chan error, 1)
			go func() {
				_, err := them.Handshake(rlpxGethKey(t, theirKey))
				errc <- err
			}()
			us := rlpx.Server(ac, ourKey, rlpx.Config{})
			if err := us.Handshake(context.Background()); err != nil {
				t.Fatalf("our handshake: %v", err)
			}
			if err := <-errc; err != nil {
				t.Fatalf("geth handshake: %v", err)
			}
			if !us.RemotePubkey().IsEqual(theirKey.PubKey()) {
				t.Fatal("we saw the wrong initiator key")
			}
			us.SetSnappy(snappyOn)
			them.SetSnappy(snappyOn)
			rlpxExchange(t, rlpxOurs{us}, rlpxGeths{them}, snappyOn)
			rlpxExchange(t, rlpxGeths{them}, rlpxOurs{us}, snappyOn)
		})
	}
}
