package server_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"peerpath/server"
)

// ginPathParam is a gin path parameter, ":id" or "*rest".
var ginPathParam = regexp.MustCompile(`[:*]([A-Za-z0-9_]+)`)

// openAPIPath turns a gin route path into an OpenAPI path template: /a/:id → /a/{id}.
func openAPIPath(p string) string { return ginPathParam.ReplaceAllString(p, "{$1}") }

var openAPIMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

func mustOpenAPI(tb testing.TB) (map[string]any, *server.Server) {
	tb.Helper()
	h, _, _ := MustServer(tb)
	srv, ok := h.(*server.Server)
	if !ok {
		tb.Fatalf("MustServer returned %T, want *server.Server", h)
	}
	rec := Do(tb, h, http.MethodGet, "/api/v1/openapi.json", "")
	if rec.Code != http.StatusOK {
		tb.Fatalf("GET /api/v1/openapi.json: got status %d, want 200; body %s", rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		tb.Errorf("Content-Type: got %q, want application/json", ct)
	}
	var doc map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &doc); err != nil {
		tb.Fatalf("decode the document: %v", err)
	}
	return doc, srv
}

// TestOpenAPIDescribesEveryRoute keeps the document complete: a route added to routes.go
// without a description fails here, by name, and so does a description of a route that is gone.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	doc, srv := mustOpenAPI(t)
	paths, _ := doc["paths"].(map[string]any)
	if len(paths) == 0 {
		t.Fatal("the document has no paths")
	}

	routes := map[string]bool{}
	var missing []string
	for _, r := range srv.Routes() {
		p, m := openAPIPath(r.Path), strings.ToLower(r.Method)
		routes[m+" "+p] = true
		item, _ := paths[p].(map[string]any)
		if _, ok := item[m].(map[string]any); !ok {
			missing = append(missing, r.Method+" "+p)
		}
	}
	slices.Sort(missing)
	for _, m := range missing {
		t.Errorf("route %s is not in server/openapi.yaml", m)
	}

	var stale []string
	for p, v := range paths {
		item, _ := v.(map[string]any)
		for _, m := range openAPIMethods {
			if _, ok := item[m]; ok && !routes[m+" "+p] {
				stale = append(stale, strings.ToUpper(m)+" "+p)
			}
		}
	}
	slices.Sort(stale)
	for _, s := range stale {
		t.Errorf("server/openapi.yaml describes %s, which routes.go does not serve", s)
	}
}

// TestOpenAPIDocument checks the document's shape: version, security schemes, the error
// envelope, that every operation declares its path parameters and answers, and that every
// $ref points at something.
func TestOpenAPIDocument(t *testing.T) {
	doc, _ := mustOpenAPI(t)
	if v, _ := doc["openapi"].(string); !strings.HasPrefix(v, "3.1.") {
		t.Errorf("openapi: got %q, want 3.1.x", v)
	}
	schemes := lookup(doc, "components", "securitySchemes")
	cookie := lookup(schemes, "cookieAuth")
	if got, want := lookup(cookie, "in"), "cookie"; got != want {
		t.Errorf("cookieAuth.in: got %v, want %v", got, want)
	}
	bearer := lookup(schemes, "bearerAuth")
	if got, want := lookup(bearer, "scheme"), "bearer"; got != want {
		t.Errorf("bearerAuth.scheme: got %v, want %v", got, want)
	}
	if lookup(doc, "components", "schemas", "Error") == nil {
		t.Error("components.schemas.Error (the error envelope) is missing")
	}

	paths, _ := doc["paths"].(map[string]any)
	param := regexp.MustCompile(`\{([^}]+)\}`)
	for p, v := range paths {
		item, _ := v.(map[string]any)
		for _, m := range openAPIMethods {
			op, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			name := strings.ToUpper(m) + " " + p
			if _, ok := op["responses"].(map[string]any); !ok {
				t.Errorf("%s: no responses", name)
			}
			if s, _ := op["summary"].(string); s == "" {
				t.Errorf("%s: no summary", name)
			}
			declared := map[string]bool{}
			for _, list := range []any{item["parameters"], op["parameters"]} {
				ps, _ := list.([]any)
				for _, x := range ps {
					x = resolve(doc, x)
					if pm, _ := x.(map[string]any); pm["in"] == "path" {
						declared[pm["name"].(string)] = true
					}
				}
			}
			for _, want := range param.FindAllStringSubmatch(p, -1) {
				if !declared[want[1]] {
					t.Errorf("%s: path parameter %q is not declared", name, want[1])
				}
			}
		}
	}

	walkRefs(doc, func(ref string) {
		if !strings.HasPrefix(ref, "#/") {
			t.Errorf("$ref %q: want a reference inside the document", ref)
			return
		}
		var at any = doc
		for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
			m, _ := at.(map[string]any)
			at = m[strings.ReplaceAll(strings.ReplaceAll(part, "~1", "/"), "~0", "~")]
		}
		if at == nil {
			t.Errorf("$ref %q points at nothing", ref)
		}
	})
}

func lookup(v any, keys ...string) any {
	for _, k := range keys {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	return v
}

// resolve follows a local $ref one step, so shared parameters count as declared.
func resolve(doc map[string]any, v any) any {
	m, _ := v.(map[string]any)
	ref, _ := m["$ref"].(string)
	if ref == "" {
		return v
	}
	return lookup(doc, strings.Split(strings.TrimPrefix(ref, "#/"), "/")...)
}

func walkRefs(v any, f func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				f(s)
				continue
			}
			walkRefs(e, f)
		}
	case []any:
		for _, e := range x {
			walkRefs(e, f)
		}
	}
}
