package server

import "testing"

func TestFeed(t *testing.T) {
	var f feed[int]
	if n := f.send(0); n != 0 {
		t.Fatalf("send with no subscribers dropped %d", n)
	}
	fast := make(chan int, 10)
	slow := make(chan int, 1)
	unsubFast := f.subscribe(fast)
	unsubSlow := f.subscribe(slow)

	// The slow subscriber's buffer fills after one event; later events are
	// dropped for it and the sender is never blocked.
	for i := 1; i <= 3; i++ {
		want := 0
		if i > 1 {
			want = 1
		}
		if n := f.send(i); n != want {
			t.Fatalf("send(%d) dropped %d, want %d", i, n, want)
		}
	}
	if got := drain(fast); len(got) != 3 || got[0] != 1 || got[2] != 3 {
		t.Fatalf("fast subscriber got %v, want [1 2 3]", got)
	}
	if got := drain(slow); len(got) != 1 || got[0] != 1 {
		t.Fatalf("slow subscriber got %v, want [1]", got)
	}

	// After unsubscribing, nothing more arrives and the channel may be closed.
	unsubSlow()
	unsubSlow()
	close(slow)
	f.send(4)
	if got := drain(fast); len(got) != 1 || got[0] != 4 {
		t.Fatalf("fast subscriber got %v, want [4]", got)
	}
	unsubFast()
	if n := f.send(5); n != 0 || len(fast) != 0 {
		t.Fatalf("send after all unsubscribed: dropped %d, queued %d", n, len(fast))
	}
}

func drain(ch chan int) []int {
	var out []int
	for {
		select {
		case v, ok := <-ch:
			if !ok {
				return out
			}
			out = append(out, v)
		default:
			return out
		}
	}
}
