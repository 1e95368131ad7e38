package rooms

import (
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"peerpath/courses"
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

// TestLiveRunHere checks the receiver's way in: an idle room runs a quick function on the
// caller's goroutine before runHere returns; anything else keeps the queue's order, and whatever
// was posted meanwhile still runs, after it.
func TestLiveRunHere(t *testing.T) {
	tests := []struct {
		name string
		// held: the room is loading; stopped: it has stopped.
		held, stopped bool
		quick         bool
		// postInQuick and postInF post "g" from inside quick or f.
		postInQuick, postInF bool
		wantNow              []string // run when runHere returns
		want                 []string // run in the end
	}{
		{name: "idle and quick runs here", quick: true, wantNow: []string{"f"}, want: []string{"f"}},
		{name: "idle and slow is queued", quick: false, want: []string{"f"}},
		{name: "slow stays ahead of what came while quick looked", postInQuick: true, want: []string{"f", "g"}},
		{name: "what f posted runs after it", quick: true, postInF: true, wantNow: []string{"f"}, want: []string{"f", "g"}},
		{name: "a held room queues it", held: true, quick: true, want: []string{"f"}},
		{name: "a stopped room drops it", stopped: true, quick: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := &live{running: tt.held, stopped: make(chan struct{})}
			if tt.stopped {
				l.stop()
			}
			var mu sync.Mutex
			var ran []string
			done := make(chan struct{}, 2)
			record := func(s string) {
				mu.Lock()
				ran = append(ran, s)
				mu.Unlock()
				done <- struct{}{}
			}
			g := func() { record("g") }
			quick := func() bool {
				if tt.postInQuick {
					l.post(g)
				}
				return tt.quick
			}
			f := func() {
				if tt.postInF {
					l.post(g)
				}
				record("f")
			}
			l.runHere(quick, f)
			mu.Lock()
			now := append([]string(nil), ran...)
			mu.Unlock()
			if tt.wantNow != nil && fmt.Sprint(now) != fmt.Sprint(tt.wantNow) {
				t.Errorf("got %v run when runHere returned, want %v", now, tt.wantNow)
			}
			if tt.held {
				go l.run()
			}
			for range tt.want {
				select {
				case <-done:
				case <-time.After(5 * time.Second):
					t.Fatalf("got %v run, want %v", ran, tt.want)
				}
			}
			time.Sleep(10 * time.Millisecond)
			mu.Lock()
			defer mu.Unlock()
			if fmt.Sprint(ran) != fmt.Sprint(tt.want) {
				t.Errorf("got %v run, want %v", ran, tt.want)
			}
			l.qmu.Lock()
			defer l.qmu.Unlock()
			if l.running {
				t.Error("got the room still held after its queue emptied, want it idle")
			}
		})
	}
}

// TestLiveQuick checks which messages from Redis the receiver may run itself: only those that
// need no database and no Redis round trip.
// quickRoom is the state of a room that decides whether a message is quick.
type quickRoom struct {
	owned, transcript, failed bool
	unlogged                  int64
	logBacklog                int
}

// live makes a room in that state, of the log's gen 2.
func (r quickRoom) live() *live {
	l := &live{hub: &Hub{logQueue: make(chan logItem, 4)}, conns: map[*conn]struct{}{}}
	l.spec.TranscriptAllowed = r.transcript
	l.owned.Store(r.owned)
	l.gen.Store(2)
	if r.failed {
		l.failed.Store(2)
	}
	l.unlogged.Store(r.unlogged)
	for range r.logBacklog {
		l.hub.logQueue <- logItem{}
	}
	return l
}

func TestLiveQuick(t *testing.T) {
	chat := json.RawMessage(`{"type":"chat","req_id":"r","data":{"text":"hi"}}`)
	hand := json.RawMessage(`{"type":"hand.raise","req_id":"r","data":{}}`)
	cmd := func(n int64) *courses.RoleplayCommand {
		return &courses.RoleplayCommand{N: n, Kind: courses.CommandIntent}
	}
	fwd := func(kind string, in json.RawMessage) wire {
		return wire{From: "b", Session: "s", Ref: 1, Forward: &forwarded{Kind: kind, Person: "p", Intent: in}}
	}
	type room = quickRoom
	peer := []struct {
		name string
		room room
		w    wire
		want bool
	}{
		{"a chat to the owner", room{owned: true}, fwd(courses.CommandIntent, chat), true},
		{"a chat whose words are kept", room{owned: true, transcript: true}, fwd(courses.CommandIntent, chat), false},
		{"another intent waits for the log", room{owned: true}, fwd(courses.CommandIntent, hand), false},
		{"a join", room{owned: true}, fwd(courses.CommandJoin, json.RawMessage(`{}`)), false},
		{"not the owner", room{}, fwd(courses.CommandIntent, chat), false},
		{"after a failed log write", room{owned: true, failed: true}, fwd(courses.CommandIntent, chat), false},
		{"too much unlogged", room{owned: true, unlogged: maxUnlogged}, fwd(courses.CommandIntent, chat), false},
		{"the log writer far behind", room{owned: true, logBacklog: 3}, fwd(courses.CommandIntent, chat), false},
		{"an intent that does not decode", room{owned: true}, fwd(courses.CommandIntent, json.RawMessage(`{"type":"chat"`)), false},
		{"a follow", room{owned: true}, wire{From: "b", Session: "s", Follow: true}, false},
		{"an answer", room{}, wire{From: "a", Session: "s", Ref: 1, Error: errNotOwner}, false},
	}
	for _, tt := range peer {
		t.Run("peer: "+tt.name, func(t *testing.T) {
			l := tt.room.live()
			if got := l.quickFromPeer(tt.w); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
			if tt.want && tt.w.Forward.decoded == nil {
				t.Error("got no decoded intent kept for fromPeer, want it")
			}
		})
	}

	c := &conn{}
	client := []struct {
		name       string
		room       room
		owner      string // the owner a follower knows
		registered bool
		msg        string
		want       bool
	}{
		{"a chat on the owner", room{owned: true}, "", true, string(chat), true},
		{"a chat on a follower", room{}, "a", true, string(chat), true},
		{"a follower that knows no owner", room{}, "", true, string(chat), false},
		{"a connection the room did not register", room{owned: true}, "", false, string(chat), false},
		{"a chat whose words are kept", room{owned: true, transcript: true}, "", true, string(chat), false},
		{"after a failed log write", room{owned: true, failed: true}, "", true, string(chat), false},
		{"too much unlogged", room{owned: true, unlogged: maxUnlogged}, "", true, string(chat), false},
		{"the log writer far behind", room{owned: true, logBacklog: 3}, "", true, string(chat), false},
		{"another intent", room{owned: true}, "", true, string(hand), false},
		{"a hello", room{owned: true}, "", true, `{"type":"hello","data":{"last_seq":3}}`, false},
		{"a message that does not decode", room{}, "a", true, `{"type":"chat"`, false},
	}
	for _, tt := range client {
		t.Run("client: "+tt.name, func(t *testing.T) {
			l := tt.room.live()
			l.owner = tt.owner
			if tt.registered {
				l.conns[c] = struct{}{}
			}
			in := l.quickMessage(c, []byte(tt.msg))
			if got := in != nil; got != tt.want {
				t.Errorf("got quick %v, want %v", got, tt.want)
			}
			if in != nil && in.Type != "chat" {
				t.Errorf("got a decoded %q, want the chat", in.Type)
			}
		})
	}

	owner := []struct {
		name string
		w    wire
		want bool
	}{
		{"the next command", wire{From: "a", Epoch: 3, Command: cmd(8)}, true},
		{"one already applied", wire{From: "a", Epoch: 3, Command: cmd(5)}, true},
		{"one after a gap", wire{From: "a", Epoch: 3, Command: cmd(9)}, false},
		{"a new tenure reloads", wire{From: "a", Epoch: 4, Command: cmd(8)}, false},
		{"an older tenure", wire{From: "a", Epoch: 2, Command: cmd(8)}, false},
		{"another owner", wire{From: "c", Epoch: 3, Command: cmd(8)}, false},
		{"a handover", wire{From: "a", Epoch: 3, Handover: true}, false},
	}
	for _, tt := range owner {
		t.Run("owner: "+tt.name, func(t *testing.T) {
			l := &live{owner: "a", epoch: 3, applied: 7}
			if got := l.quickFromOwner(tt.w); got != tt.want {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
