package rooms

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/redis/go-redis/v9"

	"peerpath/courses"
	"peerpath/migrations/testdb"
)

// TestStash checks that the words a log entry leaves out come back from Redis by reference, and
// that an entry whose words are gone stays as logged.
func TestStash(t *testing.T) {
	opt, err := redis.ParseURL(testdb.RedisURL())
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opt)
	defer rdb.Close()
	h := NewHub(Config{Redis: rdb, KeyPrefix: testdb.Prefix(t)})
	defer h.Close(context.Background())

	raw := []byte(`{"type":"chat","req_id":"c1","data":{"text":"Hello group"}}`)
	ref := h.stash(raw)
	if ref == "" {
		t.Fatal("stash: got no reference")
	}
	logged := func(ref string) json.RawMessage {
		b, _ := json.Marshal(map[string]any{"type": "chat", "req_id": ref, "data": map[string]string{"text": notKept}})
		return b
	}
	other := json.RawMessage(`{"type":"broadcast","data":{"text":"Two minutes"}}`)
	cmds := []courses.RoleplayCommand{
		{N: 1, Kind: courses.CommandIntent, Intent: logged(ref)},
		{N: 2, Kind: courses.CommandIntent, Intent: logged("gone")},
		{N: 3, Kind: courses.CommandIntent, Intent: other},
		{N: 4, Kind: courses.CommandTick},
	}
	h.unstash(context.Background(), cmds)
	tests := []struct {
		n    int
		want string
	}{
		{0, string(raw)},
		{1, string(logged("gone"))},
		{2, string(other)},
		{3, ""},
	}
	for _, tt := range tests {
		if got := string(cmds[tt.n].Intent); got != tt.want {
			t.Errorf("command %d: got %s, want %s", tt.n+1, got, tt.want)
		}
	}
	if in, err := DecodeIntent(cmds[1].Intent); err != nil || in.Data.(*ChatData).Text != notKept {
		t.Errorf("a logged chat without its words: got %+v, %v; want it to decode as %q", in, err, notKept)
	}
}
