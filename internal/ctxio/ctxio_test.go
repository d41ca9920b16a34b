package ctxio

import (
	"context"
	"errors"
	"net"
	"os"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// TestInterruptRead checks that cancelling the context unblocks a read and
// that stop then reports the cancellation.
func TestInterruptRead(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	stop := Interrupt(ctx, a)
	errc := make(chan error, 1)
	go func() {
		_, err := a.Read(make([]byte, 1))
		errc <- err
	}()
	cancel()
	if err := <-errc; !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("read: %v, want a deadline error", err)
	}
	if stop() {
		t.Error("stop reports no cancellation")
	}
	if stop() {
		t.Error("second stop differs")
	}
}

// TestInterruptNotCancelled checks that stop before the context ends leaves
// the deadlines alone, also when the context ends afterwards.
func TestInterruptNotCancelled(t *testing.T) {
	c := &recorder{}
	ctx, cancel := context.WithCancel(context.Background())
	stop := Interrupt(ctx, c)
	if !stop() || !stop() {
		t.Fatal("stop reports a cancellation")
	}
	cancel()
	if c.calls != 0 {
		t.Errorf("%d deadline calls after stop", c.calls)
	}
	// A context that cannot end.
	if !Interrupt(context.Background(), c)() {
		t.Error("background context reported cancelled")
	}
}

// TestInterruptJoinsCallback checks that stop waits for a callback that is
// moving the deadlines, so that the caller's later reset wins.
func TestInterruptJoinsCallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &recorder{block: make(chan struct{})}
		ctx, cancel := context.WithCancel(context.Background())
		stop := Interrupt(ctx, c)
		cancel()
		synctest.Wait() // the callback is blocked in SetReadDeadline

		stopped := make(chan bool, 1)
		go func() { stopped <- stop() }()
		synctest.Wait()
		select {
		case <-stopped:
			t.Fatal("stop returned while the callback runs")
		default:
		}
		close(c.block)
		if <-stopped {
			t.Error("stop reports no cancellation")
		}
		if c.calls != 2 {
			t.Errorf("%d deadline calls when stop returned, want 2", c.calls)
		}
	})
}

// recorder counts deadline calls; with block set, SetReadDeadline waits
// for it to close.
type recorder struct {
	block chan struct{}
	calls int
}

func (r *recorder) SetReadDeadline(time.Time) error {
	if r.block != nil {
		<-r.block
	}
	r.calls++
	return nil
}

func (r *recorder) SetWriteDeadline(time.Time) error {
	r.calls++
	return nil
}
