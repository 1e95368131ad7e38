package rooms

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"peerpath/courses"
)

// notKept stands in the command log for the words of a chat message that is not kept.
const notKept = "(not kept)"

// stashFor is how long a chat message's words wait in Redis for instances that read the
// command from the log.
const stashFor = 10 * time.Minute

func (h *Hub) stashKey(ref string) string { return h.cfg.KeyPrefix + "roleplay:chat:" + ref }

// stash keeps a chat intent for other instances for a few minutes and returns its reference,
// or "" without Redis.
func (h *Hub) stash(raw []byte) string {
	if h.cfg.Redis == nil {
		return ""
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	ref := hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(h.ctx, 2*time.Second)
	defer cancel()
	if err := h.cfg.Redis.Set(ctx, h.stashKey(ref), raw, stashFor).Err(); err != nil {
		h.log.Warn("roleplay stash", "error", err)
		return ""
	}
	return ref
}

// unstash puts back the words of the chat messages among cmds whose words the log left out, in
// one round trip; a message whose words are gone stays "(not kept)".
func (h *Hub) unstash(ctx context.Context, cmds []courses.RoleplayCommand) {
	if h.cfg.Redis == nil {
		return
	}
	var idx []int
	var keys []string
	for i, c := range cmds {
		if c.Kind != courses.CommandIntent || !bytes.Contains(c.Intent, []byte(notKept)) {
			continue
		}
		var m struct {
			Type  IntentType `json:"type"`
			ReqID string     `json:"req_id"`
		}
		if json.Unmarshal(c.Intent, &m) != nil || m.Type != IntentChat || m.ReqID == "" {
			continue
		}
		idx = append(idx, i)
		keys = append(keys, h.stashKey(m.ReqID))
	}
	if len(keys) == 0 {
		return
	}
	vals, err := h.cfg.Redis.MGet(ctx, keys...).Result()
	if err != nil {
		h.log.Warn("roleplay unstash", "error", err)
		return
	}
	for j, v := range vals {
		if s, ok := v.(string); ok {
			cmds[idx[j]].Intent = json.RawMessage(s)
		}
	}
}
