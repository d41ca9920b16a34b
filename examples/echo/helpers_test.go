package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"

	"go.uber.org/goleak"
)

// echoBin is the command built once by TestMain.
var echoBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "echo-test")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	echoBin = filepath.Join(dir, "echo")
	build := exec.Command("go", "build", "-o", echoBin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building echo:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, "goleak:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// testCommand is the echo command with args, ended by ctx.
func testCommand(ctx context.Context, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, echoBin, args...)
}

// listener is a running "echo -listen" whose standard output is read line
// by line.
type listener struct {
	cmd     *exec.Cmd
	stderr  bytes.Buffer  // read only after stop
	lines   <-chan string // closed at the end of standard output
	quit    chan struct{} // closed by stop: the scanner discards the rest
	scanned chan struct{} // closed when the scanner goroutine returns
	read    []string      // the lines next returned

	stopOnce sync.Once
	waitErr  error
}

// startListener starts "echo -listen 127.0.0.1:0" with extra arguments,
// ended by ctx. The test's cleanup kills it and waits for it and for the
// goroutine that reads its output.
func startListener(t *testing.T, ctx context.Context, extra ...string) *listener {
	t.Helper()
	cmd := testCommand(ctx, append([]string{"-listen", "127.0.0.1:0"}, extra...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	l := &listener{cmd: cmd, lines: lines, quit: make(chan struct{}), scanned: make(chan struct{})}
	cmd.Stderr = &l.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(l.scanned)
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			select {
			case lines <- sc.Text():
			case <-l.quit:
			}
		}
	}()
	t.Cleanup(func() {
		cmd.Process.Kill() // fails if the test already stopped it
		l.stop()
	})
	return l
}

// next returns the next line of output. It fails the test if the output
// has ended; ctx bounds the wait.
func (l *listener) next(t *testing.T) string {
	t.Helper()
	line, ok := <-l.lines
	if !ok {
		l.fatalf(t, "listener output ended after %q", l.read)
	}
	l.read = append(l.read, line)
	return line
}

// fatalf kills the listener and ends the test with the message and the
// listener's standard error.
func (l *listener) fatalf(t *testing.T, format string, args ...any) {
	t.Helper()
	l.cmd.Process.Kill() // fails if it has exited
	l.stop()
	t.Fatalf(format+"\nstderr:\n%s", append(args, l.stderr.String())...)
}

// interrupt sends SIGINT and checks that the listener exits cleanly.
func (l *listener) interrupt(t *testing.T) {
	t.Helper()
	if err := l.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := l.stop(); err != nil {
		t.Fatalf("listener exit: %v\nstderr:\n%s", err, l.stderr.String())
	}
}

// stop reads the output to its end, so that the scanner goroutine returns,
// then waits for the process and returns how it exited. It does not end
// the process; later calls return the first result.
func (l *listener) stop() error {
	l.stopOnce.Do(func() {
		close(l.quit)
		<-l.scanned
		l.waitErr = l.cmd.Wait()
	})
	return l.waitErr
}
