package server_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/redis/go-redis/v9"

	"peerpath/server"
)

// MustDownRedis returns a client of a Redis that is not there.
func MustDownRedis(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{Addr: "127.0.0.1:1", DialTimeout: 200 * time.Millisecond, MaxRetries: -1, DialerRetries: 1})
	tb.Cleanup(func() { c.Close() })
	return c
}

func TestHealth(t *testing.T) {
	t.Parallel()
	h, _, _ := MustServer(t)

	t.Run("Healthz", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/healthz", "")
		var got map[string]string
		MustDecode(t, rec, &got)
		if rec.Code != http.StatusOK || got["status"] != "ok" {
			t.Errorf("got %d %s, want 200 and status ok", rec.Code, rec.Body)
		}
	})
	t.Run("Readyz", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/readyz", "")
		var got map[string]any
		MustDecode(t, rec, &got)
		want := map[string]any{"status": "ok", "checks": map[string]any{"postgres": "ok", "redis": "ok"}}
		if diff := cmp.Diff(want, got); diff != "" || rec.Code != http.StatusOK {
			t.Errorf("got %d (-want +got):\n%s", rec.Code, diff)
		}
	})
	t.Run("Metrics", func(t *testing.T) {
		Do(t, h, http.MethodGet, "/healthz", "")
		Do(t, h, http.MethodGet, "/api/v1/nowhere", "")
		rec := Do(t, h, http.MethodGet, "/metrics", "")
		if rec.Code != http.StatusOK {
			t.Fatalf("got %d, want 200", rec.Code)
		}
		body := rec.Body.String()
		for _, want := range []string{
			`peerpath_http_requests_total{method="GET",route="/healthz",status="200"}`,
			// Unknown paths are counted under one label, not one per path.
			`peerpath_http_requests_total{method="GET",route="unmatched",status="404"}`,
			"peerpath_http_request_duration_seconds_bucket",
			"peerpath_outbox_pending 0",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics: got no %q in\n%s", want, body)
			}
		}
		if strings.Contains(body, "/api/v1/nowhere") {
			t.Error("metrics: got the raw path of an unknown route, want it counted as unmatched")
		}
	})
}

func TestReadyzRedisDown(t *testing.T) {
	t.Parallel()
	h, _, _ := MustServer(t, func(c *server.Config) { c.Redis = MustDownRedis(t) })
	rec := Do(t, h, http.MethodGet, "/readyz", "")
	var got map[string]any
	MustDecode(t, rec, &got)
	want := map[string]any{"status": "unavailable", "checks": map[string]any{"postgres": "ok", "redis": "unreachable"}}
	if diff := cmp.Diff(want, got); diff != "" || rec.Code != http.StatusServiceUnavailable {
		t.Errorf("got %d, want 503 (-want +got):\n%s", rec.Code, diff)
	}
	if rec := Do(t, h, http.MethodGet, "/healthz", ""); rec.Code != http.StatusOK {
		t.Errorf("healthz: got %d, want 200 while the process runs", rec.Code)
	}
}
