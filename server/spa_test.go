package server_test

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"

	"peerpath/server"
)

func TestSPA(t *testing.T) {
	t.Parallel()
	const index = `<!doctype html><html><head><title>Peerpath app</title></head><body><div id="root"></div></body></html>`
	const app = `console.log("peerpath");`
	h, _, _ := MustServer(t, func(c *server.Config) {
		c.Frontend = fstest.MapFS{
			"index.html":    {Data: []byte(index)},
			"assets/app.js": {Data: []byte(app)},
			"favicon.svg":   {Data: []byte(`<svg xmlns="http://www.w3.org/2000/svg"/>`)},
		}
	})

	for _, path := range []string{"/", "/some/client/route", "/invite/abc123", "/index.html", "/learn/storytelling-with-purpose/quiz/storytelling-with-purpose.why-we-share"} {
		t.Run("Index"+path, func(t *testing.T) {
			rec := Do(t, h, http.MethodGet, path, "")
			if rec.Code != http.StatusOK || rec.Body.String() != index {
				t.Fatalf("got %d %q, want 200 and index.html", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type: got %q, want text/html", ct)
			}
			if cc := rec.Header().Get("Cache-Control"); cc != "no-cache" {
				t.Errorf("Cache-Control: got %q, want no-cache", cc)
			}
		})
	}
	t.Run("Asset", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/assets/app.js", "")
		if rec.Code != http.StatusOK || rec.Body.String() != app {
			t.Fatalf("got %d %q, want 200 and the file", rec.Code, rec.Body)
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("Cache-Control: got %q, want a year and immutable", cc)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.Contains(ct, "javascript") {
			t.Errorf("Content-Type: got %q, want JavaScript", ct)
		}
	})
	t.Run("FileOutsideAssets", func(t *testing.T) {
		rec := Do(t, h, http.MethodGet, "/favicon.svg", "")
		if rec.Code != http.StatusOK || strings.Contains(rec.Header().Get("Cache-Control"), "immutable") {
			t.Errorf("got %d with Cache-Control %q, want 200 and not immutable (no hash in the name)", rec.Code, rec.Header().Get("Cache-Control"))
		}
	})
	for _, path := range []string{"/missing.js", "/assets/missing.css"} {
		t.Run("ErrMissingFile"+path, func(t *testing.T) {
			rec := Do(t, h, http.MethodGet, path, "")
			if rec.Code != http.StatusNotFound || rec.Body.String() == index {
				t.Errorf("got %d %q, want 404 and not index.html", rec.Code, rec.Body)
			}
		})
	}
	t.Run("ErrPost", func(t *testing.T) {
		wantError(t, Do(t, h, http.MethodPost, "/some/client/route", `{}`), http.StatusNotFound, "not_found")
	})
}

func TestSPANotBuilt(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		opt  func(*server.Config)
	}{
		{"NilFrontend", func(c *server.Config) { c.Frontend = nil }},
		{"OnlyGitkeep", func(c *server.Config) { c.Frontend = fstest.MapFS{".gitkeep": {}} }},
	}
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h, _, _ := MustServer(t, tt.opt)
			rec := Do(t, h, http.MethodGet, "/some/client/route", "")
			if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "has not been built") {
				t.Errorf("got %d %q, want 200 and the not-built page", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
				t.Errorf("Content-Type: got %q, want text/html", ct)
			}
		})
	}
}
