package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// Set at link time by the Makefile's build target:
//
//	-X main.version=$(git describe --tags --always --dirty) -X main.buildDate=...
//
// These are the only package variables of the command: the linker can set
// nothing else. Without them buildInfo reads what the Go toolchain recorded.
var (
	version   string
	commit    string
	buildDate string
)

// build describes the binary.
type build struct {
	Version, Commit, Date string
}

// buildInfo is the version, commit and build date: from the linker flags,
// else from the module and VCS information Go embeds, else "dev"/"unknown".
func buildInfo() build {
	b := build{Version: version, Commit: commit, Date: buildDate}
	if bi, ok := debug.ReadBuildInfo(); ok {
		var rev, at string
		modified := false
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				at = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if rev != "" && modified {
			rev += "-dirty"
		}
		if b.Version == "" && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			b.Version = bi.Main.Version
		}
		if b.Commit == "" {
			b.Commit = rev
		}
		if b.Date == "" {
			b.Date = at
		}
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	if b.Date == "" {
		b.Date = "unknown"
	}
	return b
}

func cmdVersion(_ context.Context, e *env, args []string) error {
	if len(args) > 0 {
		return usagef("version: unexpected argument %q", args[0])
	}
	b := buildInfo()
	fmt.Fprintf(e.Stdout, "otvet %s (commit %s, built %s, %s)\n", b.Version, b.Commit, b.Date, runtime.Version())
	return nil
}
