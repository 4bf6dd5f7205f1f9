// Package mailtemplates holds the default mail templates, embedded into the
// binary. See docs/mail.md for the layout and how to override them.
package mailtemplates

import (
	"embed"
	"io/fs"
)

//go:embed all:ru all:en
var files embed.FS

// FS returns the embedded templates: <lang>/<name>.<subject|txt|html>.tmpl
// and partials <lang>/_<name>.<kind>.tmpl.
func FS() fs.FS { return files }
