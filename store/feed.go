package store

import "sync"

// feed fans change topics out to subscribers without ever blocking the
// writer: each subscriber has a one-slot channel, and a new change is ORed
// into whatever is still waiting in it.
type feed struct {
	mu   sync.Mutex
	subs map[*subscriber]struct{}
}

type subscriber struct {
	topics Topic
	mu     sync.Mutex
	ch     chan Topic
	closed bool
}

func (f *feed) init() { f.subs = map[*subscriber]struct{}{} }

// Subscribe returns a channel that receives the topics that changed since
// the last receive, coalesced (it never blocks the writer), and a cancel
// function that closes it.
func (s *Store) Subscribe(topics Topic) (<-chan Topic, func()) {
	sub := &subscriber{topics: topics, ch: make(chan Topic, 1)}
	f := &s.feed
	f.mu.Lock()
	if f.subs == nil {
		// Closed store: hand back a closed channel.
		f.mu.Unlock()
		close(sub.ch)
		return sub.ch, func() {}
	}
	f.subs[sub] = struct{}{}
	f.mu.Unlock()
	var once sync.Once
	return sub.ch, func() {
		once.Do(func() {
			f.mu.Lock()
			delete(f.subs, sub)
			f.mu.Unlock()
			sub.close()
		})
	}
}

func (f *feed) publish(t Topic) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for sub := range f.subs {
		sub.send(t)
	}
}

// closeAll closes every subscription (the store is closing).
func (f *feed) closeAll() {
	f.mu.Lock()
	subs := f.subs
	f.subs = nil
	f.mu.Unlock()
	for sub := range subs {
		sub.close()
	}
}

func (sub *subscriber) send(t Topic) {
	t &= sub.topics
	if t == 0 {
		return
	}
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if sub.closed {
		return
	}
	// Only this method sends, under sub.mu, so after taking out a waiting
	// value the slot is free.
	select {
	case old := <-sub.ch:
		t |= old
	default:
	}
	sub.ch <- t
}

func (sub *subscriber) close() {
	sub.mu.Lock()
	defer sub.mu.Unlock()
	if !sub.closed {
		sub.closed = true
		close(sub.ch)
	}
}
