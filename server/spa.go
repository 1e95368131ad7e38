package server

import (
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"

	"peerpath/courses"
)

const notBuilt = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Peerpath</title></head>
<body><main><h1>Peerpath</h1><p>The API is running, but the web app has not been built into this binary.</p>
<p>Build it with <code>make build</code> (or <code>cd frontend &amp;&amp; npm ci &amp;&amp; npm run build</code>, then
<code>go build ./cmd/peerpath</code>), or start everything with <code>make run</code>.</p></main></body></html>`

// staticExt are the extensions of files the build produces. Any other path is a page of the
// app, dots included (quiz ids such as "course.quiz" appear in page paths).
var staticExt = map[string]bool{".js": true, ".mjs": true, ".css": true, ".map": true, ".png": true, ".svg": true,
	".ico": true, ".jpg": true, ".webp": true, ".woff": true, ".woff2": true, ".txt": true, ".json": true, ".webmanifest": true}

// handleNoRoute answers unknown API paths with the error envelope, and serves the app for every
// other path: a file from the build when one matches, else index.html for client-side routing.
func (s *Server) handleNoRoute(c *gin.Context) {
	if isAPI(c.Request.URL.Path) || (c.Request.Method != http.MethodGet && c.Request.Method != http.MethodHead) {
		s.writeError(c, courses.Errorf(courses.NotFound, "There is nothing at %s.", c.Request.URL.Path))
		return
	}
	if s.frontend == nil {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuilt))
		return
	}
	name := strings.TrimPrefix(path.Clean(c.Request.URL.Path), "/")
	if name != "" && name != "index.html" {
		if st, err := fs.Stat(s.frontend, name); err == nil && !st.IsDir() {
			if strings.HasPrefix(name, "assets/") {
				// Vite puts a content hash in every asset name.
				c.Header("Cache-Control", "public, max-age=31536000, immutable")
			}
			c.FileFromFS(name, http.FS(s.frontend))
			return
		}
		if strings.HasPrefix(name, "assets/") || staticExt[path.Ext(name)] {
			c.Data(http.StatusNotFound, "text/plain; charset=utf-8", []byte("Not found.\n"))
			return
		}
	}
	index, err := fs.ReadFile(s.frontend, "index.html")
	if err != nil {
		c.Data(http.StatusOK, "text/html; charset=utf-8", []byte(notBuilt))
		return
	}
	c.Header("Cache-Control", "no-cache")
	c.Data(http.StatusOK, "text/html; charset=utf-8", index)
}

func (s *Server) handleNoMethod(c *gin.Context) {
	s.writeError(c, &courses.Error{Code: codeMethod, Message: "This method is not allowed here."})
}
