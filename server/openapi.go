package server

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"

	"github.com/gin-gonic/gin"
	"go.yaml.in/yaml/v3"
)

// openapiYAML is the OpenAPI 3.1 description of every route in routes.go. It is written by hand
// in YAML, which people can read and review, and served as JSON, which tools expect.
// TestOpenAPIDescribesEveryRoute fails when a route is added without being described.
//
//go:embed openapi.yaml
var openapiYAML []byte

// OpenAPI returns the OpenAPI document as JSON.
var OpenAPI = sync.OnceValues(func() ([]byte, error) {
	var doc map[string]any
	if err := yaml.Unmarshal(openapiYAML, &doc); err != nil {
		return nil, fmt.Errorf("openapi.yaml: %w", err)
	}
	return json.Marshal(doc)
})

// handleOpenAPI serves the OpenAPI document to anyone: it describes the API, not any data.
func (s *Server) handleOpenAPI(c *gin.Context) {
	b, err := OpenAPI()
	if err != nil {
		s.writeError(c, err)
		return
	}
	c.Header("Cache-Control", "public, max-age=300")
	c.Data(http.StatusOK, "application/json", b)
}

// Routes lists every route the server answers, for tests that check the API's description.
func (s *Server) Routes() gin.RoutesInfo { return s.engine.Routes() }
