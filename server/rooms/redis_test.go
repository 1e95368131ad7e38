package rooms

import (
	"bufio"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

func TestAppendCommand(t *testing.T) {
	tests := []struct {
		name, cmd, key string
		arg            []byte
		want           string
	}{
		{"two words", "AUTH", "secret", nil, "*2\r\n$4\r\nAUTH\r\n$6\r\nsecret\r\n"},
		{"three", "PUBLISH", "room", []byte(`{"a":1}`), "*3\r\n$7\r\nPUBLISH\r\n$4\r\nroom\r\n$7\r\n{\"a\":1}\r\n"},
		{"an empty third word", "PUBLISH", "probe", []byte{}, "*3\r\n$7\r\nPUBLISH\r\n$5\r\nprobe\r\n$0\r\n\r\n"},
		{"line breaks inside are only bytes", "PUBLISH", "r", []byte("a\r\nb"), "*3\r\n$7\r\nPUBLISH\r\n$1\r\nr\r\n$4\r\na\r\nb\r\n"},
		{"multibyte lengths in bytes", "PUBLISH", "é", []byte("ü"), "*3\r\n$7\r\nPUBLISH\r\n$2\r\né\r\n$2\r\nü\r\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := string(appendCommand([]byte("x"), tt.cmd, tt.key, tt.arg)); got != "x"+tt.want {
				t.Errorf("got %q, want %q", got, "x"+tt.want)
			}
		})
	}
}

func TestSubscriberRead(t *testing.T) {
	msg := func(ch, payload string) string {
		return string(appendArray(nil, "message", []string{ch, payload}))
	}
	tests := []struct {
		name    string
		stream  string
		want    []string // channel=payload, in order
		wantErr string
	}{
		{"a message", msg("a", `{"x":1}`), []string{`a={"x":1}`}, "EOF"},
		{"confirmations and pongs are not messages",
			"*3\r\n$9\r\nsubscribe\r\n$1\r\na\r\n:1\r\n*2\r\n$4\r\npong\r\n$0\r\n\r\n" + msg("a", "1") +
				"*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n",
			[]string{"a=1"}, "EOF"},
		{"line breaks inside a payload", msg("a", "x\r\ny") + msg("b", ""), []string{"a=x\r\ny", "b="}, "EOF"},
		{"a long payload after a short one", msg("a", "s") + msg("a", strings.Repeat("é", 40000)),
			[]string{"a=s", "a=" + strings.Repeat("é", 40000)}, "EOF"},
		{"an error", "-ERR no\r\n", nil, "redis: ERR no"},
		{"a bulk string cut short", "*3\r\n$7\r\nmessage\r\n$1\r\na\r\n$5\r\nab", nil, "unexpected EOF"},
		{"a bad count", "*x\r\n", nil, "redis: malformed count"},
		{"a negative bulk length", "*3\r\n$-1\r\n", nil, "redis: malformed bulk string"},
		{"no carriage return", "*3\n", nil, "redis: malformed reply"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			s := &subscriber{}
			err := s.read(bufio.NewReader(strings.NewReader(tt.stream)), func(ch, payload []byte) {
				got = append(got, string(ch)+"="+string(payload))
			})
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("got messages %q, want %q", got, tt.want)
			}
			if err == nil || err.Error() != tt.wantErr {
				t.Errorf("got error %v, want %q", err, tt.wantErr)
			}
		})
	}
}

// TestSubscriberPing runs a subscriber against a stand-in for Redis: one that answers pings
// keeps its connection, one that goes quiet is dialled again.
func TestSubscriberPing(t *testing.T) {
	const idle = 40 * time.Millisecond
	tests := []struct {
		name       string
		answers    bool
		wantDials  int
		waitFor    time.Duration
		wantAtMost bool // wantDials is a ceiling over the whole wait, not a count to reach
	}{
		{"pings answered", true, 1, 10 * idle, true},
		{"pings unanswered", false, 2, 2 * time.Second, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			var dials atomic.Int32
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					dials.Add(1)
					go fakeRedis(c, tt.answers)
				}
			}()
			rdb := redis.NewClient(&redis.Options{Addr: ln.Addr().String()})
			defer rdb.Close()
			s := newSubscriber(rdb.Options(), slog.New(slog.DiscardHandler), "ch")
			done := make(chan struct{})
			go func() { s.run(idle, func(_, _ []byte) {}); close(done) }()
			defer func() { s.close(); <-done }()
			deadline := time.Now().Add(tt.waitFor)
			for time.Now().Before(deadline) && (tt.wantAtMost || int(dials.Load()) < tt.wantDials) {
				time.Sleep(idle / 4)
			}
			if got := int(dials.Load()); tt.wantAtMost && got > tt.wantDials || !tt.wantAtMost && got < tt.wantDials {
				t.Errorf("got %d dials after %v, want %d", got, tt.waitFor, tt.wantDials)
			}
		})
	}
}

// fakeRedis answers the PING a connection opens with, then, in subscribed mode, either answers
// every later PING or nothing at all.
func fakeRedis(c net.Conn, answers bool) {
	defer c.Close()
	rd := bufio.NewReader(c)
	for first := true; ; first = false {
		n, err := readHeader(rd, '*')
		if err != nil {
			return
		}
		var cmd []byte
		for i := range n {
			var word []byte
			if word, err = readElement(rd, nil); err != nil {
				return
			}
			if i == 0 {
				cmd = word
			}
		}
		switch {
		case string(cmd) != "PING":
		case first:
			_, _ = c.Write([]byte("+PONG\r\n"))
		case answers:
			_, _ = c.Write([]byte("*2\r\n$4\r\npong\r\n$0\r\n\r\n"))
		}
	}
}
