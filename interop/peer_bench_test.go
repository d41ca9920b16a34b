package interop

import (
	"bytes"
	"context"
	"crypto/rand"
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	gethcrypto "github.com/ethereum/go-ethereum/crypto"
	gethlog "github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/p2p"

	"github.com/devp2p-go/devp2p/peer"
	"github.com/devp2p-go/devp2p/rlpx"
)

// Side-by-side benchmarks of a connected peer pair over TCP loopback:
// BenchmarkPeer/<case>/ours runs two of our peers (rlpx + peer), /geth two
// go-ethereum p2p.Servers. Both sides use snappy (Hello version 5) and the
// same payloads; "roundtrip" is one small message and its echo,
// "stream1KiB" one-way 1 KiB messages of random bytes.

// benchSide is what a benchmark needs from one end of a pair: send a
// message and read one.
type benchSide interface {
	send(code uint64, payload []byte) error
	read() (uint64, error)
}

type ourSide struct{ rw peer.MsgReadWriter }

func (s ourSide) send(code uint64, payload []byte) error {
	return s.rw.WriteMsg(peer.NewMsg(code, payload))
}

func (s ourSide) read() (uint64, error) {
	msg, err := s.rw.ReadMsg()
	if err != nil {
		return 0, err
	}
	return msg.Code, msg.Discard()
}

type gethSide struct{ rw p2p.MsgReadWriter }

func (s gethSide) send(code uint64, payload []byte) error {
	return s.rw.WriteMsg(p2p.Msg{Code: code, Size: uint32(len(payload)), Payload: bytes.NewReader(payload)})
}

func (s gethSide) read() (uint64, error) {
	msg, err := s.rw.ReadMsg()
	if err != nil {
		return 0, err
	}
	return msg.Code, msg.Discard()
}

// serve is the far end's loop: it echoes code 0 and counts code 1.
func serve(s benchSide, count *atomic.Int64, target *atomic.Int64, done chan<- struct{}) error {
	for {
		code, err := s.read()
		if err != nil {
			return err
		}
		switch code {
		case 0:
			if err := s.send(0, []byte{0xc3, 0x01, 0x02, 0x03}); err != nil {
				return err
			}
		case 1:
			if count.Add(1) == target.Load() {
				done <- struct{}{}
			}
		}
	}
}

// benchPairState is shared by the client benchmark and the serving side.
type benchPairState struct {
	client        benchSide
	count, target atomic.Int64
	done          chan struct{}
}

func BenchmarkPeer(b *testing.B) {
	for _, impl := range []struct {
		name  string
		start func(b *testing.B) *benchPairState
	}{
		{"ours", startOurBenchPair},
		{"geth", startGethBenchPair},
	} {
		b.Run("roundtrip/"+impl.name, func(b *testing.B) {
			st := impl.start(b)
			small := []byte{0xc3, 0x01, 0x02, 0x03}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := st.client.send(0, small); err != nil {
					b.Fatal(err)
				}
				if _, err := st.client.read(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("stream1KiB/"+impl.name, func(b *testing.B) {
			st := impl.start(b)
			data := make([]byte, 1024)
			rand.Read(data)
			st.target.Store(int64(b.N))
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := st.client.send(1, data); err != nil {
					b.Fatal(err)
				}
			}
			<-st.done
		})
	}
}

// startOurBenchPair connects two of our peers over TCP loopback.
func startOurBenchPair(b *testing.B) *benchPairState {
	st := &benchPairState{done: make(chan struct{}, 1)}
	keyA, _ := secp256k1.GeneratePrivateKey()
	keyB, _ := secp256k1.GeneratePrivateKey()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		accepted <- c
	}()
	ca, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	cb := <-accepted
	if cb == nil {
		b.Fatal("accept failed")
	}
	ra, rb := rlpx.Client(ca, keyA, keyB.PubKey(), rlpx.Config{}), rlpx.Server(cb, keyB, rlpx.Config{})

	clientRW := make(chan peer.MsgReadWriter, 1)
	release := make(chan struct{})
	client := peer.Protocol{Name: "bench", Version: 1, Length: 2, Run: func(_ *peer.Peer, rw peer.MsgReadWriter) error {
		clientRW <- rw
		<-release
		return nil
	}}
	server := peer.Protocol{Name: "bench", Version: 1, Length: 2, Run: func(_ *peer.Peer, rw peer.MsgReadWriter) error {
		return serve(ourSide{rw}, &st.count, &st.target, st.done)
	}}
	run := func(c *rlpx.Conn, key *secp256k1.PrivateKey, proto peer.Protocol, stopped chan<- struct{}) {
		defer close(stopped)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := c.Handshake(ctx); err != nil {
			c.Close()
			return
		}
		theirs, err := peer.Handshake(ctx, c, peer.NewHello(key.PubKey(), "bench", proto.Cap()))
		if err != nil {
			c.Close()
			return
		}
		p, err := peer.New(c, theirs, []peer.Protocol{proto}, peer.Config{})
		if err != nil {
			c.Close()
			return
		}
		p.Run(context.Background())
	}
	stoppedA, stoppedB := make(chan struct{}), make(chan struct{})
	go run(ra, keyA, client, stoppedA)
	go run(rb, keyB, server, stoppedB)
	b.Cleanup(func() {
		close(release)
		<-stoppedA
		<-stoppedB
	})
	select {
	case rw := <-clientRW:
		st.client = ourSide{rw}
	case <-stoppedA:
		b.Fatal("our pair did not connect")
	}
	return st
}

// startGethBenchPair connects two go-ethereum p2p.Servers.
func startGethBenchPair(b *testing.B) *benchPairState {
	st := &benchPairState{done: make(chan struct{}, 1)}
	clientRW := make(chan p2p.MsgReadWriter, 1)
	release := make(chan struct{})
	client := p2p.Protocol{Name: "bench", Version: 1, Length: 2, Run: func(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
		clientRW <- rw
		<-release
		return nil
	}}
	server := p2p.Protocol{Name: "bench", Version: 1, Length: 2, Run: func(_ *p2p.Peer, rw p2p.MsgReadWriter) error {
		return serve(gethSide{rw}, &st.count, &st.target, st.done)
	}}
	start := func(proto p2p.Protocol) *p2p.Server {
		key, _ := gethcrypto.GenerateKey()
		srv := &p2p.Server{Config: p2p.Config{
			PrivateKey: key, MaxPeers: 10, Name: "bench", NoDiscovery: true,
			ListenAddr: "127.0.0.1:0", Protocols: []p2p.Protocol{proto},
			Logger: gethlog.NewLogger(gethlog.DiscardHandler()),
		}}
		if err := srv.Start(); err != nil {
			b.Fatal(err)
		}
		return srv
	}
	srvA, srvB := start(client), start(server)
	b.Cleanup(func() {
		close(release)
		srvA.Stop()
		srvB.Stop()
	})
	srvA.AddPeer(srvB.Self())
	select {
	case rw := <-clientRW:
		st.client = gethSide{rw}
	case <-time.After(10 * time.Second):
		b.Fatal("geth pair did not connect")
	}
	return st
}
