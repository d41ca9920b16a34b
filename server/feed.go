package server

import "sync"

// feed hands events to subscribers' channels without ever blocking the
// sender: each send is non-blocking, and an event that does not fit in a
// subscriber's channel buffer is dropped for that subscriber, and send
// reports how many subscribers missed it.
// Subscribers size their buffer for the bursts they expect.
//
// Sends happen under mu, so once unsubscribe returns the channel receives
// nothing more and its owner may close it.
type feed[T any] struct {
	mu   sync.Mutex
	subs map[*feedSub[T]]struct{}
}

// feedSub is one subscription; its address identifies it, so the same
// channel may be subscribed twice.
type feedSub[T any] struct {
	ch chan<- T
}

// subscribe registers ch and returns the function that unregisters it.
// The returned function is idempotent.
func (f *feed[T]) subscribe(ch chan<- T) (unsubscribe func()) {
	sub := &feedSub[T]{ch: ch}
	f.mu.Lock()
	if f.subs == nil {
		f.subs = make(map[*feedSub[T]]struct{})
	}
	f.subs[sub] = struct{}{}
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		delete(f.subs, sub)
		f.mu.Unlock()
	}
}

// send offers ev to every subscriber and returns how many had no room for
// it.
func (f *feed[T]) send(ev T) (dropped int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for sub := range f.subs {
		select {
		case sub.ch <- ev:
		default:
			dropped++
		}
	}
	return dropped
}
