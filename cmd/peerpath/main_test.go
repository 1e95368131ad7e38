package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strings"
	"sync"
	"testing"
	"time"

	"peerpath/migrations/testdb"
)

func envFrom(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfig(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string // the variable the message must name; "" for success
	}{
		{"Defaults", nil, ""},
		{"BadDatabaseURL", map[string]string{"DATABASE_URL": "nonsense"}, "DATABASE_URL"},
		{"MySQLDatabaseURL", map[string]string{"DATABASE_URL": "mysql://x@y/z"}, "DATABASE_URL"},
		{"BadRedisURL", map[string]string{"REDIS_URL": "http://x"}, "REDIS_URL"},
		{"BadAddr", map[string]string{"PEERPATH_ADDR": "8080"}, "PEERPATH_ADDR"},
		{"BadBaseURL", map[string]string{"PEERPATH_BASE_URL": "peerpath.example"}, "PEERPATH_BASE_URL"},
		{"BadEnv", map[string]string{"PEERPATH_ENV": "staging"}, "PEERPATH_ENV"},
		{"ProductionNeedsSMTP", map[string]string{"PEERPATH_ENV": "production", "PEERPATH_SIGNING_KEY": "k"}, "SMTP_URL"},
		{"ProductionNeedsKey", map[string]string{"PEERPATH_ENV": "production", "SMTP_URL": "smtp://m"}, "PEERPATH_SIGNING_KEY"},
		{"Production", map[string]string{"PEERPATH_ENV": "production", "SMTP_URL": "smtp://m", "PEERPATH_SIGNING_KEY": "k"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := loadConfig(envFrom(tt.env))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("got %v, want nil", err)
			case tt.wantErr != "" && (err == nil || !strings.HasPrefix(err.Error(), tt.wantErr+":")):
				t.Errorf("got %v, want an error naming %s", err, tt.wantErr)
			}
		})
	}
}

// An unreachable or unparsable DATABASE_URL or REDIS_URL ends with one line naming the variable
// and exit code 1.
func TestMainBadServices(t *testing.T) {
	_, dbURL := testdb.NewURL(t)
	tests := []struct {
		name, args string
		env        map[string]string
		want       string
	}{
		{"UnreachableDatabase", "migrate", map[string]string{"DATABASE_URL": "postgres://postgres@127.0.0.1:1/x?sslmode=disable"}, "DATABASE_URL: cannot reach PostgreSQL"},
		{"UnparsableDatabase", "serve", map[string]string{"DATABASE_URL": "::"}, "DATABASE_URL:"},
		{"UnreachableRedis", "serve", map[string]string{"DATABASE_URL": dbURL, "REDIS_URL": "redis://127.0.0.1:1/0"}, "REDIS_URL: cannot reach Redis"},
		{"UnparsableRedis", "worker", map[string]string{"DATABASE_URL": dbURL, "REDIS_URL": "redis://:x:y"}, "REDIS_URL:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := Main(context.Background(), strings.Fields(tt.args), envFrom(tt.env), &out, &errb)
			lines := strings.Split(strings.TrimSpace(errb.String()), "\n")
			if code != 1 || len(lines) != 1 || !strings.Contains(lines[0], tt.want) {
				t.Errorf("got exit %d and stderr %q, want exit 1 and one line containing %q", code, errb.String(), tt.want)
			}
		})
	}
}

func TestMainHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"org", "--help"}, {"demo", "--help"}} {
		var out, errb bytes.Buffer
		if code := Main(context.Background(), args, envFrom(nil), &out, &errb); code != 0 {
			t.Errorf("%v: got exit %d, want 0", args, code)
		}
		if out.Len()+errb.Len() == 0 {
			t.Errorf("%v: printed nothing", args)
		}
	}
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"frobnicate"}, envFrom(nil), &out, &errb); code != 2 {
		t.Errorf("unknown command: got exit %d, want 2", code)
	}
}

// The real binary's Main, started on :0: demo data, an operator onboarding a customer, a sign-in
// over HTTP, the invitation mail in the development mailbox, and a graceful shutdown.
func TestMainServe(t *testing.T) {
	_, dbURL := testdb.NewURL(t)
	queue := testdb.Prefix(t)
	env := envFrom(map[string]string{
		"DATABASE_URL": dbURL, "REDIS_URL": testdb.RedisURL(), "PEERPATH_ADDR": "127.0.0.1:0",
		"PEERPATH_BASE_URL": "http://peerpath.test", "PEERPATH_DATA_DIR": t.TempDir(), "PEERPATH_QUEUE": queue,
	})
	run := func(args ...string) string {
		var out, errb bytes.Buffer
		if code := Main(context.Background(), args, env, &out, &errb); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errb.String())
		}
		return out.String()
	}
	for i := 0; i < 2; i++ {
		if out := run("demo"); !strings.Contains(out, "trainee6@riverside.example") {
			t.Fatalf("demo output: %s", out)
		}
	}
	if out := run("org", "create", "--name", "Coastal Peer Collective", "--admin-email", "lead@coastal.example"); !strings.Contains(out, "http://peerpath.test/invite/") {
		t.Fatalf("org create output: %s", out)
	}

	ctx, cancel := context.WithCancel(context.Background())
	addr := make(chan string, 1)
	var code int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a := &app{getenv: env, stdout: io.Discard, stderr: io.Discard, ready: func(s string) { addr <- s }}
		code = a.main(ctx, []string{"serve"})
	}()
	var base string
	select {
	case a := <-addr:
		base = "http://" + a
	case <-time.After(30 * time.Second):
		t.Fatal("serve did not start")
	}

	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
	resp, err := c.Post(base+"/api/v1/auth/login", "application/json",
		strings.NewReader(`{"email":"trainee1@riverside.example","password":"peerpath-demo-2026"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("login: got %d, want 200", resp.StatusCode)
	}
	var me struct {
		Name         string                `json:"name"`
		Organisation struct{ Name string } `json:"organisation"`
	}
	getJSON(t, c, base+"/api/v1/me", &me)
	if me.Name != "Sam Okafor" || me.Organisation.Name != "Riverside Peer Network" {
		t.Errorf("me: got %+v, want Sam Okafor of Riverside Peer Network", me)
	}

	// The operator's invitation reaches the development mailbox through outbox, queue and worker.
	deadline := time.Now().Add(15 * time.Second)
	for {
		var box struct{ Items []struct{ To string } }
		getJSON(t, c, base+"/api/v1/dev/mail", &box)
		// The demo's certificates and reminder digests go out too; among them, one invitation.
		invitations := 0
		for _, m := range box.Items {
			if m.To == "lead@coastal.example" {
				invitations++
			}
		}
		if invitations == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("mailbox: got %+v, want the invitation to lead@coastal.example", box.Items)
		}
		time.Sleep(50 * time.Millisecond)
	}

	cancel()
	wg.Wait()
	if code != 0 {
		t.Errorf("serve exit code after shutdown: got %d, want 0", code)
	}
}

func getJSON(t *testing.T, c *http.Client, url string, v any) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", url, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
