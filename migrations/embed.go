// Package migrations embeds the database schema, one directory per SQL dialect.
package migrations

import "embed"

// FS holds sqlite/*.sql and postgres/*.sql (goose format).
//
//go:embed sqlite/*.sql postgres/*.sql
var FS embed.FS
