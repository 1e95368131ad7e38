package server

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// limiter counts failures per key in a sliding window kept in Redis, so every server instance
// sees the same counts.
type limiter struct {
	rdb    *redis.Client
	prefix string
	max    int
	window time.Duration
	now    func() time.Time
}

// blocked returns how long to wait when any key has reached the limit, else 0.
func (l *limiter) blocked(ctx context.Context, keys ...string) (time.Duration, error) {
	now := l.now()
	var wait time.Duration
	for _, k := range keys {
		k = l.prefix + k
		cutoff := float64(now.Add(-l.window).UnixMicro())
		pipe := l.rdb.Pipeline()
		pipe.ZRemRangeByScore(ctx, k, "-inf", fmt.Sprint(cutoff))
		n := pipe.ZCard(ctx, k)
		oldest := pipe.ZRangeWithScores(ctx, k, 0, 0)
		if _, err := pipe.Exec(ctx); err != nil {
			return 0, fmt.Errorf("rate limit %s: %w", k, err)
		}
		if int(n.Val()) >= l.max && len(oldest.Val()) > 0 {
			until := time.UnixMicro(int64(oldest.Val()[0].Score)).Add(l.window)
			if d := until.Sub(now); d > wait {
				wait = d
			}
		}
	}
	return wait, nil
}

// reserveScript counts an attempt against every key at once, unless a key is already at the
// limit: then it returns how many microseconds until the oldest counted attempt leaves the window.
// KEYS: the counters. ARGV: cutoff, now (µs), member, max, window (ms).
var reserveScript = redis.NewScript(`
local wait = 0
for _, k in ipairs(KEYS) do
  redis.call('ZREMRANGEBYSCORE', k, '-inf', ARGV[1])
  if redis.call('ZCARD', k) >= tonumber(ARGV[4]) then
    local oldest = redis.call('ZRANGE', k, 0, 0, 'WITHSCORES')
    local left = tonumber(oldest[2]) + tonumber(ARGV[5]) * 1000 - tonumber(ARGV[2])
    if left > wait then wait = left end
  end
end
if wait > 0 then return wait end
for _, k in ipairs(KEYS) do
  redis.call('ZADD', k, ARGV[2], ARGV[3])
  redis.call('PEXPIRE', k, ARGV[5])
end
return 0`)

// reserve counts an attempt against every key before it is made, in one step, so attempts made
// at the same moment cannot all pass a check that only one of them should: an attempt that
// turns out well is released again. It returns the attempt's member, or how long to wait.
func (l *limiter) reserve(ctx context.Context, keys ...string) (string, time.Duration, error) {
	now := l.now()
	b := make([]byte, 8)
	rand.Read(b)
	member := hex.EncodeToString(b)
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = l.prefix + k
	}
	wait, err := reserveScript.Run(ctx, l.rdb, full, fmt.Sprint(now.Add(-l.window).UnixMicro()), now.UnixMicro(),
		member, l.max, l.window.Milliseconds()).Int64()
	if err != nil {
		return "", 0, fmt.Errorf("rate limit: %w", err)
	}
	if wait > 0 {
		return "", time.Duration(wait) * time.Microsecond, nil
	}
	return member, 0, nil
}

// release takes back an attempt reserve counted.
func (l *limiter) release(ctx context.Context, member string, keys ...string) error {
	if member == "" {
		return nil
	}
	pipe := l.rdb.Pipeline()
	for _, k := range keys {
		pipe.ZRem(ctx, l.prefix+k, member)
	}
	_, err := pipe.Exec(ctx)
	return err
}

// fail records one failure against every key.
func (l *limiter) fail(ctx context.Context, keys ...string) error {
	now := l.now()
	// A random member keeps failures at the same instant distinct.
	b := make([]byte, 8)
	rand.Read(b)
	member := hex.EncodeToString(b)
	pipe := l.rdb.Pipeline()
	for _, k := range keys {
		k = l.prefix + k
		pipe.ZAdd(ctx, k, redis.Z{Score: float64(now.UnixMicro()), Member: member})
		pipe.PExpire(ctx, k, l.window)
	}
	_, err := pipe.Exec(ctx)
	return err
}

// reset forgets the failures of key.
func (l *limiter) reset(ctx context.Context, key string) error {
	return l.rdb.Del(ctx, l.prefix+key).Err()
}

// loginKeys are the keys a sign-in is counted under: the account (hashed, so Redis holds no
// email addresses) and the client address.
func loginKeys(email, addr string) (account, client string) {
	h := sha256.Sum256([]byte(strings.ToLower(strings.TrimSpace(email))))
	return "login:account:" + hex.EncodeToString(h[:16]), "login:addr:" + addr
}

func retryAfter(d time.Duration) string {
	return fmt.Sprint(int(math.Ceil(d.Seconds())))
}
