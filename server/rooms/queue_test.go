package rooms

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

// TestLiveQueue checks what the room's queue promises: nothing runs while the room loads,
// functions run one at a time in the order posted (from many goroutines, each in its own order),
// a stop drops what is left and what comes after, and stopped closes once nothing runs.
func TestLiveQueue(t *testing.T) {
	l := &live{running: true, stopped: make(chan struct{})}
	var mu sync.Mutex
	var ran []string
	busy := 0
	record := func(s string) func() {
		return func() {
			mu.Lock()
			busy++
			if busy > 1 {
				t.Errorf("%s ran beside another function", s)
			}
			ran = append(ran, s)
			mu.Unlock()
			time.Sleep(time.Microsecond)
			mu.Lock()
			busy--
			mu.Unlock()
		}
	}
	l.post(record("during load"))
	time.Sleep(10 * time.Millisecond)
	mu.Lock()
	if len(ran) != 0 {
		t.Fatalf("got %v run while the room was held, want nothing", ran)
	}
	mu.Unlock()
	go l.run()

	const posters, each = 4, 50
	var wg sync.WaitGroup
	for p := range posters {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				l.post(record(fmt.Sprintf("%d:%d", p, i)))
			}
		}()
	}
	wg.Wait()
	done := make(chan struct{})
	l.post(func() {
		l.stop()
		close(done)
	})
	l.post(record("after the stop, queued"))
	<-done
	select {
	case <-l.stopped:
	case <-time.After(5 * time.Second):
		t.Fatal("stopped was not closed")
	}
	l.post(record("after the stop"))

	mu.Lock()
	defer mu.Unlock()
	if got, want := len(ran), 1+posters*each; got != want {
		t.Fatalf("got %d functions run, want %d: %v", got, want, ran)
	}
	if ran[0] != "during load" {
		t.Errorf("got %q first, want what was posted during the load", ran[0])
	}
	next := make([]int, posters)
	for _, s := range ran[1:] {
		var p, i int
		if _, err := fmt.Sscanf(s, "%d:%d", &p, &i); err != nil {
			t.Fatalf("got %q run, want only the posters' functions", s)
		}
		if i != next[p] {
			t.Fatalf("poster %d: got %d run after %d, want them in order", p, i, next[p]-1)
		}
		next[p]++
	}
}

// TestLiveStopIdle stops a room nobody is running: stopped closes at once.
func TestLiveStopIdle(t *testing.T) {
	l := &live{stopped: make(chan struct{})}
	l.post(func() {})
	time.Sleep(10 * time.Millisecond)
	l.stop()
	select {
	case <-l.stopped:
	case <-time.After(time.Second):
		t.Fatal("stopped was not closed")
	}
	l.stop() // a second stop is harmless
}
