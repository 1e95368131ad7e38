// Package frontend embeds the built single-page app.
package frontend

import "embed"

// Dist holds the output of `npm run build`; before the first build it holds only .gitkeep.
//
//go:embed all:dist
var Dist embed.FS
