package timerslot

import (
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/clock"
)

// fires reports whether the slot's channel has a tick ready.
func fires(s *Slot) bool {
	select {
	case <-s.C():
		s.Fired()
		return true
	default:
		return false
	}
}

func TestSlot(t *testing.T) {
	var clk clock.Simulated
	s := New(&clk)
	if s.C() != nil {
		t.Fatal("new slot has a channel")
	}
	now := clk.Now()
	steps := []struct {
		name  string
		do    func()
		run   time.Duration
		fired bool
	}{
		{"arm 10s, run 9s", func() { s.Set(now.Add(10*time.Second), clk.Now()) }, 9 * time.Second, false},
		{"same deadline keeps the timer", func() { s.Set(now.Add(10*time.Second), clk.Now()) }, time.Second, true},
		{"disarmed after firing", func() {}, time.Hour, false},
		{"re-arm earlier", func() {
			s.Set(clk.Now().Add(time.Minute), clk.Now())
			s.Set(clk.Now().Add(time.Second), clk.Now())
		}, time.Second, true},
		{"re-arm later", func() {
			s.Set(clk.Now().Add(time.Second), clk.Now())
			s.Set(clk.Now().Add(time.Minute), clk.Now())
		}, 30 * time.Second, false},
		{"disarm with zero", func() { s.Set(time.Time{}, clk.Now()) }, time.Hour, false},
		{"past deadline fires at once", func() { s.Set(clk.Now().Add(-time.Second), clk.Now()) }, 0, true},
	}
	for _, st := range steps {
		st.do()
		clk.Run(st.run)
		if got := fires(&s); got != st.fired {
			t.Fatalf("%s: fired = %v, want %v", st.name, got, st.fired)
		}
	}
	if s.C() != nil {
		t.Error("channel after firing")
	}
	s.Set(clk.Now().Add(time.Second), clk.Now())
	s.Stop()
	if s.C() != nil || clk.ActiveTimers() != 0 {
		t.Errorf("after Stop: channel %v, %d active timers", s.C(), clk.ActiveTimers())
	}
}
