package rlpx_test

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/rlpx"
)

// This example connects a client and a server over an in-memory pipe, runs
// the handshake on both sides and sends one message each way.
func Example() {
	serverKey, _ := secp256k1.GeneratePrivateKey()
	clientKey, _ := secp256k1.GeneratePrivateKey()
	cc, sc := net.Pipe()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	done := make(chan struct{})
	go func() {
		defer close(done)
		server := rlpx.Server(sc, serverKey, rlpx.Config{})
		defer server.Close()
		if err := server.Handshake(ctx); err != nil {
			fmt.Println("server handshake:", err)
			return
		}
		code, payload, _, err := server.ReadMsg()
		if err != nil {
			fmt.Println("server read:", err)
			return
		}
		fmt.Printf("server got message %#x: %q\n", code, payload)
		server.WriteMsg(0x11, []byte("pong"))
	}()

	client := rlpx.Client(cc, clientKey, serverKey.PubKey(), rlpx.Config{})
	defer client.Close()
	if err := client.Handshake(ctx); err != nil {
		fmt.Println("client handshake:", err)
		return
	}
	client.WriteMsg(0x10, []byte("ping"))
	code, payload, _, err := client.ReadMsg()
	if err != nil {
		fmt.Println("client read:", err)
		return
	}
	fmt.Printf("client got message %#x: %q\n", code, payload)
	<-done

	// Output:
	// server got message 0x10: "ping"
	// client got message 0x11: "pong"
}

// ExampleEncrypt encrypts a message with ECIES and decrypts it again.
func ExampleEncrypt() {
	key, _ := secp256k1.GeneratePrivateKey()
	ct, err := rlpx.Encrypt(rand.Reader, key.PubKey(), []byte("hello"), nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	pt, err := rlpx.Decrypt(key, ct, nil)
	fmt.Printf("%d bytes of ciphertext, plaintext %q, error %v\n", len(ct), pt, err)
	// Output:
	// 118 bytes of ciphertext, plaintext "hello", error <nil>
}
