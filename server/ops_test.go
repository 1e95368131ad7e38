package server_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/hibiken/asynq"

	"peerpath/migrations/testdb"
)

// MustArchivedTask puts a task whose payload names a person into queue and archives it, as the
// last failed retry would.
func MustArchivedTask(tb testing.TB, queue string) string {
	tb.Helper()
	opt, err := asynq.ParseRedisURI(testdb.RedisURL())
	if err != nil {
		tb.Fatal(err)
	}
	client := asynq.NewClient(opt)
	defer client.Close()
	info, err := client.EnqueueContext(context.Background(),
		asynq.NewTask("email:send", []byte(`{"to":"sam.private@example.org"}`)), asynq.Queue(queue))
	if err != nil {
		tb.Fatal(err)
	}
	insp := asynq.NewInspector(opt)
	defer insp.Close()
	if err := insp.ArchiveTask(queue, info.ID); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		i := asynq.NewInspector(opt)
		defer i.Close()
		_ = i.DeleteQueue(queue, true)
	})
	return info.ID
}

func TestOpsQueues(t *testing.T) {
	t.Parallel()
	h, store, _ := MustServer(t)
	queue := testdb.Prefix(t)
	id := MustArchivedTask(t, queue)
	if _, err := testdb.Owner(store.DB()).Exec(`INSERT INTO people (email, name, password_hash, operator) VALUES ('ops@peerpath.test', 'Ops', 'x', true)`); err != nil {
		t.Fatal(err)
	}
	operator := MustSessionCookie(t, store, "ops@peerpath.test")

	t.Run("NotFoundForOthers", func(t *testing.T) {
		for _, who := range []struct {
			name string
			opts []reqOpt
		}{
			{"SignedOut", nil},
			{"Trainee", []reqOpt{MustSessionCookie(t, store, "trainee1@riverside.example")}},
			{"OrgAdmin", []reqOpt{MustSessionCookie(t, store, "admin@riverside.example")}},
		} {
			t.Run(who.name, func(t *testing.T) {
				for _, path := range []string{"/api/v1/ops/queues", "/api/v1/ops/queues/" + queue + "/archived"} {
					wantError(t, Do(t, h, http.MethodGet, path, "", who.opts...), http.StatusNotFound, "not_found")
				}
			})
		}
	})
	t.Run("Queues", func(t *testing.T) {
		var got struct {
			Queues []struct {
				Name     string `json:"name"`
				Size     int    `json:"size"`
				Archived int    `json:"archived"`
				Retry    int    `json:"retry"`
				Pending  int    `json:"pending"`
			} `json:"queues"`
		}
		rec := Do(t, h, http.MethodGet, "/api/v1/ops/queues", "", operator)
		if rec.Code != http.StatusOK {
			t.Fatalf("got %d %s", rec.Code, rec.Body)
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, q := range got.Queues {
			if q.Name == queue {
				found = true
				if q.Archived != 1 || q.Size != 1 || q.Pending != 0 {
					t.Errorf("queue %s: got %+v, want 1 archived task", queue, q)
				}
			}
		}
		if !found {
			t.Errorf("queues: got %s, want %s listed", rec.Body, queue)
		}
	})
	t.Run("Archived", func(t *testing.T) {
		var got struct {
			Items []struct {
				ID        string  `json:"id"`
				Type      string  `json:"type"`
				LastError string  `json:"last_error"`
				FailedAt  *string `json:"failed_at"`
				Retried   int     `json:"retried"`
				MaxRetry  int     `json:"max_retry"`
			} `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		rec := Do(t, h, http.MethodGet, "/api/v1/ops/queues/"+queue+"/archived?limit=10", "", operator)
		MustDecode(t, rec, &got)
		if rec.Code != http.StatusOK || len(got.Items) != 1 || got.Items[0].ID != id || got.Items[0].Type != "email:send" || got.NextCursor != "" {
			t.Errorf("archived: got %d %s, want the one task", rec.Code, rec.Body)
		}
		if strings.Contains(rec.Body.String(), "sam.private") {
			t.Errorf("archived: got %s, want no payload", rec.Body)
		}
	})
	t.Run("ErrArchived", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodGet, "/api/v1/ops/queues/no-such-queue-"+queue+"/archived", "", operator), http.StatusNotFound, "not_found")
		wantFields(t, Do(t, h, http.MethodGet, "/api/v1/ops/queues/"+queue+"/archived?cursor=x", "", operator), "cursor")
		wantFields(t, Do(t, h, http.MethodGet, "/api/v1/ops/queues/"+queue+"/archived?limit=1000", "", operator), "limit")
	})
	t.Run("Metrics", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/metrics", "")
		body := rec.Body.String()
		for _, want := range []string{
			`peerpath_queue_tasks{queue="` + queue + `",state="archived"} 1`,
			`peerpath_queue_tasks{queue="` + queue + `",state="retry"} 0`,
			"peerpath_queue_up 1",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics: want %q in\n%s", want, grepLines(body, "peerpath_queue"))
			}
		}
	})
}

func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
