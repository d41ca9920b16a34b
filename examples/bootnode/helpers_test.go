package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/devp2p-go/devp2p/discover"
)

// lineTimeout bounds the wait for each line the program prints; it is a
// failure bound.
const lineTimeout = 30 * time.Second

// build is the program, built by bootnodeBin at most once per run of the
// test binary; TestMain removes dir.
var build struct {
	once sync.Once
	dir  string
	bin  string
	err  error
}

// bootnodeBin builds the program on first use and returns its path. It
// skips the test in -short mode.
func bootnodeBin(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a binary")
	}
	build.once.Do(func() {
		build.dir, build.err = os.MkdirTemp("", "bootnode-test")
		if build.err != nil {
			return
		}
		build.bin = filepath.Join(build.dir, "bootnode")
		if out, err := exec.Command("go", "build", "-o", build.bin, ".").CombinedOutput(); err != nil {
			build.err = fmt.Errorf("build: %v\n%s", err, out)
		}
	})
	if build.err != nil {
		t.Fatal(build.err)
	}
	return build.bin
}

// program is a running bootnode whose standard output is read line by line.
type program struct {
	cmd     *exec.Cmd
	lines   <-chan string // closed at the end of standard output
	quit    chan struct{} // closed by stop: the scanner discards the rest
	scanned chan struct{} // closed when the scanner goroutine returns
	read    []string      // the lines next returned

	stopOnce sync.Once
	waitErr  error
}

// startBootnode builds the program if needed and starts it with args. Its
// standard error goes to the test's. The test's cleanup kills the process
// and waits for it and for the goroutine that reads its output.
func startBootnode(t *testing.T, args ...string) *program {
	t.Helper()
	cmd := exec.Command(bootnodeBin(t), args...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	p := &program{cmd: cmd, lines: lines, quit: make(chan struct{}), scanned: make(chan struct{})}
	go func() {
		defer close(p.scanned)
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-p.quit:
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill() // fails if the test already stopped it
		p.stop()
	})
	return p
}

// next returns the next line of output. It fails the test if none comes
// within lineTimeout or if the output has ended.
func (p *program) next(t *testing.T) string {
	t.Helper()
	select {
	case l, ok := <-p.lines:
		if !ok {
			t.Fatalf("output ended after %q", p.read)
		}
		p.read = append(p.read, l)
		return l
	case <-time.After(lineTimeout):
		t.Fatalf("no output within %v", lineTimeout)
		return ""
	}
}

// interrupt sends SIGINT and checks that the program exits cleanly.
func (p *program) interrupt(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := p.stop(); err != nil {
		t.Fatalf("exit after SIGINT: %v", err)
	}
}

// stop reads the output to its end, so that the scanner goroutine returns,
// then waits for the process and returns how it exited. It does not end
// the process; later calls return the first result.
func (p *program) stop() error {
	p.stopOnce.Do(func() {
		close(p.quit)
		<-p.scanned
		p.waitErr = p.cmd.Wait()
	})
	return p.waitErr
}

// ping pings n from a fresh node on loopback, over discv5 if v5 is set and
// over discv4 if not, and returns the ping's error.
func ping(t *testing.T, ctx context.Context, n *discover.Node, v5 bool) error {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := secp256k1.GeneratePrivateKey()
	var client interface {
		Ping(context.Context, *discover.Node) (uint64, error)
		Close()
	}
	if v5 {
		client, err = discover.ListenV5(conn, key, discover.Config{})
	} else {
		client, err = discover.Listen(conn, key, discover.Config{})
	}
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	_, err = client.Ping(ctx, n)
	return err
}
