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
