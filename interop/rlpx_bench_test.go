package interop

import (
	"bytes"
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/rand"
	"hash"
	"net"
	"runtime"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	gethkeccak "github.com/ethereum/go-ethereum/crypto/keccak"
	gethrlpx "github.com/ethereum/go-ethereum/p2p/rlpx"
	"golang.org/x/crypto/sha3"

	"github.com/devp2p-go/devp2p/rlpx"
)

// rlpxSwitchConn runs the handshake over a real connection, then (once loop is
// set) reads and writes an in-memory buffer shared with its peer, so frame
// benchmarks measure the codec and not the kernel.
type rlpxSwitchConn struct {
	net.Conn
	loop *bytes.Buffer
}

func (c *rlpxSwitchConn) Read(p []byte) (int, error) {
	if c.loop != nil {
		return c.loop.Read(p)
	}
	return c.Conn.Read(p)
}

func (c *rlpxSwitchConn) Write(p []byte) (int, error) {
	if c.loop != nil {
		return c.loop.Write(p)
	}
	return c.Conn.Write(p)
}

// rlpxHandshakeImpl runs one side of a handshake and returns the message
// connection and its SetSnappy.
type rlpxHandshakeImpl func(tb testing.TB, c net.Conn, key *secp256k1.PrivateKey, remote *secp256k1.PublicKey) (rlpxMsgConn, func(bool))

func rlpxOurSide(tb testing.TB, c net.Conn, key *secp256k1.PrivateKey, remote *secp256k1.PublicKey) (rlpxMsgConn, func(bool)) {
	var conn *rlpx.Conn
	if remote != nil {
		conn = rlpx.Client(c, key, remote, rlpx.Config{})
	} else {
		conn = rlpx.Server(c, key, rlpx.Config{})
	}
	if err := conn.Handshake(context.Background()); err != nil {
		tb.Error(err)
	}
	return rlpxOurs{conn}, conn.SetSnappy
}

func rlpxGethSide(tb testing.TB, c net.Conn, key *secp256k1.PrivateKey, remote *secp256k1.PublicKey) (rlpxMsgConn, func(bool)) {
	var dest *ecdsa.PublicKey
	if remote != nil {
		dest = rlpxGethPub(tb, remote)
	}
	conn := gethrlpx.NewConn(c, dest)
	if _, err := conn.Handshake(rlpxGethKey(tb, key)); err != nil {
		tb.Error(err)
	}
	return rlpxGeths{conn}, conn.SetSnappy
}

var (
	rlpxBenchKeyI, _ = secp256k1.GeneratePrivateKey()
	rlpxBenchKeyR, _ = secp256k1.GeneratePrivateKey()
)

// rlpxHandshakeBoth runs a handshake between initiator and recipient.
func rlpxHandshakeBoth(tb testing.TB, initiator, recipient rlpxHandshakeImpl, ci, cr net.Conn) (i, r rlpxMsgConn, si, sr func(bool)) {
	done := make(chan struct{})
	go func() {
		defer close(done)
		r, sr = recipient(tb, cr, rlpxBenchKeyR, nil)
	}()
	i, si = initiator(tb, ci, rlpxBenchKeyI, rlpxBenchKeyR.PubKey())
	<-done
	return i, r, si, sr
}

// BenchmarkRLPxHandshake times a complete handshake (both sides, over
// net.Pipe) for each combination of implementations, so the cost of each
// side can be compared: rlpxOurs/rlpxOurs vs geth/geth, and the mixed pairs.
// cpu-ns/op is the process CPU time, stable on a shared machine.
func BenchmarkRLPxHandshake(b *testing.B) {
	impls := []struct {
		name                 string
		initiator, recipient rlpxHandshakeImpl
	}{
		{"ours-ours", rlpxOurSide, rlpxOurSide},
		{"geth-geth", rlpxGethSide, rlpxGethSide},
		{"ours-init_geth-resp", rlpxOurSide, rlpxGethSide},
		{"geth-init_ours-resp", rlpxGethSide, rlpxOurSide},
	}
	for _, impl := range impls {
		b.Run(impl.name, func(b *testing.B) {
			b.ReportAllocs()
			cpu := rlpxStartCPU()
			for b.Loop() {
				ci, cr := net.Pipe()
				rlpxHandshakeBoth(b, impl.initiator, impl.recipient, ci, cr)
				ci.Close()
				cr.Close()
			}
			cpu.report(b, 0)
		})
	}
}

// BenchmarkRLPxFrame measures WriteMsg+ReadMsg of one message (the frame is
// written into memory and read back by the peer), rlpxOurs vs go-ethereum, and
// next to them the crypto-only bound: the Keccak-256 and AES-256-CTR work
// the protocol requires for the same bytes in both directions.
func BenchmarkRLPxFrame(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"1KiB", 1 << 10}, {"64KiB", 64 << 10}} {
		for _, snappyOn := range []bool{false, true} {
			mode := "plain"
			if snappyOn {
				mode = "snappy"
			}
			for _, impl := range []struct {
				name string
				side rlpxHandshakeImpl
			}{{"ours", rlpxOurSide}, {"geth", rlpxGethSide}} {
				b.Run(size.name+"/"+mode+"/"+impl.name, func(b *testing.B) {
					pi, pr := net.Pipe()
					ci, cr := &rlpxSwitchConn{Conn: pi}, &rlpxSwitchConn{Conn: pr}
					w, r, sw, sr := rlpxHandshakeBoth(b, impl.side, impl.side, ci, cr)
					pi.Close()
					pr.Close()
					loop := new(bytes.Buffer)
					ci.loop, cr.loop = loop, loop
					sw(snappyOn)
					sr(snappyOn)
					payload := make([]byte, size.n)
					rand.Read(payload[:size.n/2]) // half random, half zeros
					b.SetBytes(int64(size.n))
					b.ReportAllocs()
					cpu := rlpxStartCPU()
					for b.Loop() {
						if err := w.write(0x10, payload); err != nil {
							b.Fatal(err)
						}
						if _, _, err := r.read(); err != nil {
							b.Fatal(err)
						}
					}
					cpu.report(b, size.n)
				})
			}
		}
		for _, k := range []struct {
			name string
			new  func() hash.Hash
		}{{"x-crypto-keccak", sha3.NewLegacyKeccak256}, {"geth-keccak", gethkeccak.NewLegacyKeccak256}} {
			b.Run(size.name+"/bound/"+k.name, func(b *testing.B) {
				rlpxBenchBound(b, size.n, k.new)
			})
		}
	}
}

// rlpxBenchBound does, for both directions, the crypto of one frame carrying n
// payload bytes: AES-256-CTR over header and padded body, Keccak-256 over
// the body and the two 16-byte MAC seeds, and the four digest reads.
func rlpxBenchBound(b *testing.B, n int, newHash func() hash.Hash) {
	body := (n + 1 + 15) &^ 15
	buf := make([]byte, 16+body)
	block, _ := aes.NewCipher(make([]byte, 32))
	stream := cipher.NewCTR(block, make([]byte, 16))
	h := newHash()
	var sum [32]byte
	b.SetBytes(int64(n))
	b.ReportAllocs()
	cpu := rlpxStartCPU()
	for b.Loop() {
		for range 2 { // writer and reader
			stream.XORKeyStream(buf, buf)
			h.Sum(sum[:0])
			h.Write(sum[:16])
			h.Sum(sum[:0])
			h.Write(buf[16:])
			h.Sum(sum[:0])
			h.Write(sum[:16])
			h.Sum(sum[:0])
		}
	}
	cpu.report(b, n)
}

// rlpxCPUClock measures the CPU time the process spends, so results stay
// comparable on a machine shared with other work (wall-clock ns/op does
// not).
type rlpxCPUClock time.Duration

func rlpxProcessCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func rlpxStartCPU() rlpxCPUClock { return rlpxCPUClock(rlpxProcessCPU()) }

// report adds cpu-ns/op and, for n > 0, cpu-MB/s (n bytes per op).
func (c rlpxCPUClock) report(b *testing.B, n int) {
	used := rlpxProcessCPU() - time.Duration(c)
	if b.N == 0 || used <= 0 {
		return
	}
	perOp := float64(used) / float64(b.N)
	b.ReportMetric(perOp, "cpu-ns/op")
	if n > 0 {
		b.ReportMetric(float64(n)/perOp*1e3, "cpu-MB/s")
	}
}

// rlpxThreadCPU is the CPU time of the calling OS thread, in nanoseconds
// (clock_gettime CLOCK_THREAD_CPUTIME_ID; getrusage only counts ticks).
func rlpxThreadCPU() time.Duration {
	var ts syscall.Timespec
	const clockThreadCPUTimeID = 3
	syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockThreadCPUTimeID, uintptr(unsafe.Pointer(&ts)), 0)
	return time.Duration(ts.Nano())
}

// BenchmarkRLPxFrameInterleaved is the fair side-by-side: every iteration
// runs a batch of write+read through our Conn, a batch through
// go-ethereum's, and a batch of the crypto-only bound, on one locked OS
// thread, and charges each the thread CPU time it used. Load from other
// processes then hits all three alike. It reports each one's throughput,
// the time ratio ours/geth (< 1 means we are faster) and our throughput as
// a fraction of the bound.
func BenchmarkRLPxFrameInterleaved(b *testing.B) {
	b.ReportAllocs()
	for _, size := range []struct {
		name  string
		n     int
		batch int
	}{{"1KiB", 1 << 10, 32}, {"64KiB", 64 << 10, 1}} {
		for _, snappyOn := range []bool{false, true} {
			mode := "plain"
			if snappyOn {
				mode = "snappy"
			}
			b.Run(size.name+"/"+mode, func(b *testing.B) {
				payload := make([]byte, size.n)
				rand.Read(payload[:size.n/2]) // half random, half zeros
				type side struct {
					w, r rlpxMsgConn
					cpu  time.Duration
				}
				setup := func(impl rlpxHandshakeImpl) *side {
					pi, pr := net.Pipe()
					ci, cr := &rlpxSwitchConn{Conn: pi}, &rlpxSwitchConn{Conn: pr}
					w, r, sw, sr := rlpxHandshakeBoth(b, impl, impl, ci, cr)
					pi.Close()
					pr.Close()
					loop := new(bytes.Buffer)
					ci.loop, cr.loop = loop, loop
					sw(snappyOn)
					sr(snappyOn)
					return &side{w: w, r: r}
				}
				ours, geth := setup(rlpxOurSide), setup(rlpxGethSide)
				run := func(s *side) {
					start := rlpxThreadCPU()
					for range size.batch {
						if err := s.w.write(0x10, payload); err != nil {
							b.Fatal(err)
						}
						if _, _, err := s.r.read(); err != nil {
							b.Fatal(err)
						}
					}
					s.cpu += rlpxThreadCPU() - start
				}
				// The bound: the same crypto for the same bytes, as in
				// rlpxBenchBound, with our Keccak (x/crypto).
				body := (size.n + 1 + 15) &^ 15
				buf := make([]byte, 16+body)
				block, _ := aes.NewCipher(make([]byte, 32))
				stream := cipher.NewCTR(block, make([]byte, 16))
				h := sha3.NewLegacyKeccak256()
				var sum [32]byte
				var boundCPU time.Duration
				bound := func() {
					start := rlpxThreadCPU()
					for range size.batch {
						for range 2 {
							stream.XORKeyStream(buf, buf)
							h.Sum(sum[:0])
							h.Write(sum[:16])
							h.Sum(sum[:0])
							h.Write(buf[16:])
							h.Sum(sum[:0])
							h.Write(sum[:16])
							h.Sum(sum[:0])
						}
					}
					boundCPU += rlpxThreadCPU() - start
				}
				runtime.LockOSThread()
				defer runtime.UnlockOSThread()
				b.SetBytes(int64(size.n * size.batch * 3))
				for b.Loop() {
					run(ours)
					run(geth)
					bound()
				}
				mbps := func(d time.Duration) float64 {
					return float64(size.n*size.batch*b.N) / 1e6 / d.Seconds()
				}
				b.ReportMetric(mbps(ours.cpu), "ours-MB/s")
				b.ReportMetric(mbps(geth.cpu), "geth-MB/s")
				b.ReportMetric(mbps(boundCPU), "bound-MB/s")
				b.ReportMetric(float64(ours.cpu)/float64(geth.cpu), "ours/geth-time")
				b.ReportMetric(mbps(ours.cpu)/mbps(boundCPU), "ours/bound")
			})
		}
	}
}
