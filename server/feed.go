package server

import "sync"

// feed hands events to subscribers' channels without ever blocking the
// sender: each send is non-blocking, and an event that does not fit in a
// subscriber's channel buffer is dropped for that subscriber (and counted).
// Subscribers size their buffer for the bursts they expect.
//
// Sends happen under mu, so once unsubscribe returns the channel receives
// nothing more and its owner may close it.
type feed[T any] struct {
	mu   sync.Mutex
	subs map[*feedSub[T]]struct{}
}

type feedSub[T any] struct {
	ch      chan<- T
	dropped uint64 // protected by feed.mu
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
			sub.dropped++
			dropped++
		}
	}
	return dropped
}
