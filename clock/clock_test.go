package clock

import (
	"sync/atomic"
	"testing"
	"time"
)

func TestSimulatedFiresInOrder(t *testing.T) {
	var c Simulated
	start := c.Now()
	if !start.Equal(SimulatedEpoch) {
		t.Fatalf("start = %v, want %v", start, SimulatedEpoch)
	}
	var order []int
	c.AfterFunc(3*time.Second, func() { order = append(order, 3) })
	c.AfterFunc(1*time.Second, func() { order = append(order, 1) })
	c.AfterFunc(2*time.Second, func() {
		order = append(order, 2)
		if got := c.Now().Sub(start); got != 2*time.Second {
			t.Errorf("Now inside timer = +%v, want +2s", got)
		}
	})
	c.Run(2500 * time.Millisecond)
	if len(order) != 2 || order[0] != 1 || order[1] != 2 {
		t.Fatalf("fired %v after 2.5s, want [1 2]", order)
	}
	if c.ActiveTimers() != 1 {
		t.Fatalf("ActiveTimers = %d, want 1", c.ActiveTimers())
	}
	c.Run(time.Second)
	if len(order) != 3 {
		t.Fatalf("fired %v, want all three", order)
	}
	if got := c.Now().Sub(start); got != 3500*time.Millisecond {
		t.Fatalf("elapsed %v, want 3.5s", got)
	}
}

func TestSimulatedTimerStopReset(t *testing.T) {
	var c Simulated
	tm := c.NewTimer(time.Second)
	if !tm.Stop() {
		t.Fatal("Stop of active timer returned false")
	}
	if tm.Stop() {
		t.Fatal("second Stop returned true")
	}
	c.Run(2 * time.Second)
	select {
	case <-tm.C():
		t.Fatal("stopped timer fired")
	default:
	}
	if tm.Reset(time.Second) {
		t.Fatal("Reset of stopped timer reported active")
	}
	c.Run(999 * time.Millisecond)
	select {
	case <-tm.C():
		t.Fatal("timer fired early")
	default:
	}
	c.Run(time.Millisecond)
	select {
	case at := <-tm.C():
		if want := SimulatedEpoch.Add(3 * time.Second); !at.Equal(want) {
			t.Fatalf("fired at %v, want %v", at, want)
		}
	default:
		t.Fatal("timer did not fire")
	}
}

func TestSimulatedWaitForTimers(t *testing.T) {
	var c Simulated
	var fired atomic.Bool
	done := make(chan struct{})
	go func() {
		defer close(done)
		tm := c.NewTimer(time.Minute)
		<-tm.C()
		fired.Store(true)
	}()
	c.WaitForTimers(1)
	c.Run(time.Minute)
	<-done
	if !fired.Load() {
		t.Fatal("goroutine did not observe the timer")
	}
}

func TestSystemClock(t *testing.T) {
	c := OrSystem(nil)
	if _, ok := c.(System); !ok {
		t.Fatalf("OrSystem(nil) = %T, want System", c)
	}
	done := make(chan struct{})
	tm := c.AfterFunc(0, func() { close(done) })
	<-done
	if tm.Stop() {
		t.Fatal("Stop after firing returned true")
	}
}
