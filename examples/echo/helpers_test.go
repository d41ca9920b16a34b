package main

import (
	"context"
	"os"
	"os/exec"
	"testing"

	"go.uber.org/goleak"

	"github.com/devp2p-go/devp2p/examples/internal/progtest"
)

// echoBin is the program, built on first use; TestMain removes it.
var echoBin = progtest.NewBinary(".")

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.Cleanup(func(code int) {
		echoBin.Remove()
		os.Exit(code)
	}))
}

// testCommand is the echo command with args, ended by ctx. It skips the
// test in -short mode.
func testCommand(t *testing.T, ctx context.Context, args ...string) *exec.Cmd {
	t.Helper()
	return exec.CommandContext(ctx, echoBin.Path(t), args...)
}

// startListener starts "echo -listen 127.0.0.1:0" with extra arguments,
// ended by ctx or, at the latest, by the test's cleanup.
func startListener(t *testing.T, ctx context.Context, extra ...string) *progtest.Program {
	t.Helper()
	return progtest.Start(t, testCommand(t, ctx, append([]string{"-listen", "127.0.0.1:0"}, extra...)...))
}
