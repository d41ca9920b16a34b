package progtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

// linesBin is testdata/lines, the program these tests run.
var linesBin = NewBinary("testdata/lines")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		linesBin.Remove()
		os.Exit(code)
	}))
}

// fatalT is a testing.TB whose Fatal and Fatalf record the message and end
// the goroutine, as the real ones do, without failing the test.
type fatalT struct {
	testing.TB
	msg string
}

func (f *fatalT) Helper() {}

func (f *fatalT) Fatal(args ...any) { f.msg = fmt.Sprint(args...); runtime.Goexit() }

func (f *fatalT) Fatalf(format string, args ...any) {
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// mustFail runs fn on a goroutine of its own with a fatalT and returns the
// message it failed with; it fails t if fn returns instead.
func mustFail(t *testing.T, fn func(testing.TB)) string {
	t.Helper()
	f := &fatalT{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn(f)
		f.msg = ""
	}()
	<-done
	if f.msg == "" {
		t.Fatal("did not fail")
	}
	return f.msg
}

func TestNextInterrupt(t *testing.T) {
	p := Start(t, exec.Command(linesBin.Path(t), "one", "two"))
	if got := []string{p.Next(t), p.Next(t)}; got[0] != "one" || got[1] != "two" {
		t.Fatalf("lines %q, want one, two", got)
	}
	p.Interrupt(t)
	if err := p.Stop(); err != nil {
		t.Fatalf("Stop after Interrupt = %v, want the clean exit again", err)
	}
}

// TestOutputEnded: Next after the last line fails, naming the lines read
// and carrying the standard error.
func TestOutputEnded(t *testing.T) {
	p := Start(t, exec.Command(linesBin.Path(t), "-exit", "0", "one"))
	p.Next(t)
	msg := mustFail(t, func(t testing.TB) { p.Next(t) })
	if want := `lines: output ended after ["one"]`; !strings.HasPrefix(msg, want) || !strings.HasSuffix(msg, "\nstderr:\nstarted\n") {
		t.Fatalf("message %q, want %q and the standard error", msg, want)
	}
}

// TestNoOutput: Next fails after its timeout when the program prints
// nothing (and never will: it waits for SIGINT).
func TestNoOutput(t *testing.T) {
	p := Start(t, exec.Command(linesBin.Path(t)))
	p.timeout = time.Millisecond
	msg := mustFail(t, func(t testing.TB) { p.Next(t) })
	if want := "lines: no output within 1ms after []"; !strings.HasPrefix(msg, want) {
		t.Fatalf("message %q, want %q", msg, want)
	}
}

// TestExitStatus: Interrupt fails on an unclean exit, with the status and
// the standard error; Stop reports the status again.
func TestExitStatus(t *testing.T) {
	p := Start(t, exec.Command(linesBin.Path(t), "-onint", "3", "ready"))
	p.Next(t)
	msg := mustFail(t, func(t testing.TB) { p.Interrupt(t) })
	if want := "lines: exit after SIGINT: exit status 3\nstderr:\nstarted\n"; msg != want {
		t.Fatalf("message %q, want %q", msg, want)
	}
	var ee *exec.ExitError
	if err := p.Stop(); !errors.As(err, &ee) || ee.ExitCode() != 3 {
		t.Fatalf("Stop = %v, want exit status 3", err)
	}
}
