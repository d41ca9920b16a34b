// Package progtest builds the example programs and runs them in their
// tests: a [Binary] is a main package built at most once per run of the
// test binary, and a [Program] is a started command whose standard output
// the test reads line by line, with a timeout, and whose standard error is
// kept for the failure messages.
//
// A Program's reading goroutine is joined by [Program.Stop] and, at the
// latest, by the test's cleanup, which also kills the process; so none
// outlives the test that started it (the example packages check with
// goleak).
package progtest

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"
)

// LineTimeout bounds the wait for each line in [Program.Next]; it is a
// failure bound, not a pace.
const LineTimeout = 30 * time.Second

// Binary is a main package built at most once per run of the test binary,
// on first use, without the race detector (a program in a separate process
// stays fast when its test runs under -race). Declare one in a package
// variable and have TestMain call [Binary.Remove] after the tests ran.
type Binary struct {
	dir string // the package directory

	once sync.Once
	tmp  string // holds the program; removed by Remove
	path string
	err  error
}

// NewBinary returns the Binary of the main package in dir, a directory
// relative to the test's working directory (its package's) or absolute.
// Nothing is built until [Binary.Path].
func NewBinary(dir string) *Binary {
	return &Binary{dir: dir}
}

// Path builds the program on first use and returns the path of the
// executable. It skips the test in -short mode, and fails it, with the
// compiler's output, if the build failed (for this test and every later
// one).
func (b *Binary) Path(t testing.TB) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds a binary")
	}
	b.once.Do(b.build)
	if b.err != nil {
		t.Fatal(b.err)
	}
	return b.path
}

// build runs "go build" in b.dir into a fresh temporary directory.
func (b *Binary) build() {
	abs, err := filepath.Abs(b.dir)
	if err != nil {
		b.err = err
		return
	}
	if b.tmp, b.err = os.MkdirTemp("", "progtest-"); b.err != nil {
		return
	}
	b.path = filepath.Join(b.tmp, filepath.Base(abs))
	cmd := exec.Command("go", "build", "-o", b.path, ".")
	cmd.Dir = abs
	if out, err := cmd.CombinedOutput(); err != nil {
		b.err = fmt.Errorf("progtest: build %s: %v\n%s", b.dir, err, out)
	}
}

// Remove deletes the built program, if any. Call it from TestMain once
// the tests have run; Path must not be called after it.
func (b *Binary) Remove() {
	if b.tmp != "" {
		os.RemoveAll(b.tmp)
	}
}

// Program is a started command whose standard output is read line by line
// by a goroutine it owns, and whose standard error is kept in a buffer.
// Its methods are called from the test's goroutine, one at a time.
type Program struct {
	cmd     *exec.Cmd
	name    string        // the executable's base name, for messages
	timeout time.Duration // the wait for each line in Next
	stderr  bytes.Buffer  // filled by exec's copying goroutine; read only after Stop

	// The reading goroutine.
	lines   <-chan string // closed at the end of standard output
	scanErr error         // why the output ended early; read after lines is closed
	quit    chan struct{} // closed by Stop: the reader discards the rest
	scanned chan struct{} // closed when the reader has returned

	read     []string // the lines Next returned
	reported bool     // a failure message carried the standard error

	stopOnce sync.Once
	waitErr  error
}

// Start starts cmd, whose Stdout and Stderr must be unset: the Program
// reads the one and keeps the other. The test's cleanup kills the process
// and waits for it and for the goroutine that reads its output; if the
// test failed and no message of the Program's carried the standard error
// yet, the cleanup logs it.
func Start(t testing.TB, cmd *exec.Cmd) *Program {
	t.Helper()
	if cmd.Stdout != nil || cmd.Stderr != nil {
		t.Fatal("progtest: Start sets the command's Stdout and Stderr")
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	p := &Program{
		cmd:     cmd,
		name:    filepath.Base(cmd.Path),
		timeout: LineTimeout,
		lines:   lines,
		quit:    make(chan struct{}),
		scanned: make(chan struct{}),
	}
	cmd.Stderr = &p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go p.scan(stdout, lines)
	t.Cleanup(func() {
		cmd.Process.Kill() // fails if the test already stopped it
		p.Stop()
		if t.Failed() && !p.reported && p.stderr.Len() > 0 {
			t.Logf("%s stderr:\n%s", p.name, p.stderr.String())
		}
	})
	return p
}

// scan hands the lines of stdout to Next until Stop, then reads the rest
// to its end, so that the process never blocks on a full pipe.
func (p *Program) scan(stdout io.Reader, lines chan<- string) {
	defer close(p.scanned)
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		select {
		case lines <- sc.Text():
		case <-p.quit:
		}
	}
	p.scanErr = sc.Err() // a line too long for the scanner
	close(lines)
	io.Copy(io.Discard, stdout)
}

// Next returns the next line of standard output. It fails the test, after
// killing the process, if the output has ended or no line comes within
// LineTimeout.
func (p *Program) Next(t testing.TB) string {
	t.Helper()
	timer := time.NewTimer(p.timeout)
	defer timer.Stop()
	select {
	case line, ok := <-p.lines:
		if !ok && p.scanErr != nil {
			p.fatalf(t, "output ended after %q: %v", p.read, p.scanErr)
		}
		if !ok {
			p.fatalf(t, "output ended after %q", p.read)
		}
		p.read = append(p.read, line)
		return line
	case <-timer.C:
		p.fatalf(t, "no output within %v after %q", p.timeout, p.read)
		return ""
	}
}

// Interrupt sends SIGINT and fails the test unless the program then exits
// cleanly (status 0).
func (p *Program) Interrupt(t testing.TB) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if err := p.Stop(); err != nil {
		p.fatalf(t, "exit after SIGINT: %v", err)
	}
}

// Stop discards the rest of the output, waits for the reading goroutine
// and for the process, and returns how the process exited (as
// [exec.Cmd.Wait]). It does not end the process. Later calls return the
// first result.
func (p *Program) Stop() error {
	p.stopOnce.Do(func() {
		close(p.quit)
		<-p.scanned
		p.waitErr = p.cmd.Wait()
	})
	return p.waitErr
}

// fatalf kills the process, waits for it, and ends the test with the
// message and the program's standard error.
func (p *Program) fatalf(t testing.TB, format string, args ...any) {
	t.Helper()
	p.cmd.Process.Kill() // fails if it has exited
	p.Stop()
	p.reported = true
	t.Fatalf("%s: "+format+"\nstderr:\n%s", append(append([]any{p.name}, args...), p.stderr.String())...)
}
