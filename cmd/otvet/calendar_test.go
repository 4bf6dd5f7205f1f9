package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var calUpdateGolden = flag.Bool("update-calendar", false, "rewrite the calendar golden files in testdata/")

// calRun runs the otvet command line with a buffer environment.
func calRun(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	e := &env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	err := run(context.Background(), e, append([]string{"calendar"}, args...))
	return out.String(), errb.String(), err
}

func calIsUsage(err error) bool {
	var ue usageError
	return errors.As(err, &ue)
}

func TestCalendarCLIQueries(t *testing.T) {
	for _, tc := range []struct {
		name    string
		args    []string
		want    string // exact stdout, or a substring of the error
		wantErr bool
		usage   bool
	}{
		{name: "new year yekaterinburg", args: []string{"between", "--tz", "Asia/Yekaterinburg", "2024-12-27T10:00", "2025-01-09T12:00"}, want: "18h0m0s\n"},
		{name: "space separated and split", args: []string{"between", "--tz=Asia/Yekaterinburg", "2024-12-27", "10:00", "2025-01-09 12:00:00"}, want: "18h0m0s\n"},
		{name: "flags after arguments", args: []string{"between", "2024-12-27T10:00+05:00", "2025-01-09T07:00Z", "--tz", "Asia/Yekaterinburg"}, want: "18h0m0s\n"},
		{name: "bare dates default zone", args: []string{"between", "2024-05-01", "2024-06-01"}, want: "159h0m0s\n"},
		{name: "reversed is negative", args: []string{"between", "2024-06-01", "2024-05-01"}, want: "-159h0m0s\n"},
		{name: "between json", args: []string{"between", "--json", "--tz", "Asia/Yekaterinburg", "2024-12-27 10:00", "2025-01-09 12:00"},
			want: `{"from":"2024-12-27T10:00:00+05:00","to":"2025-01-09T12:00:00+05:00","duration":"18h0m0s","seconds":64800}` + "\n"},
		{name: "add", args: []string{"add", "--tz", "Asia/Yekaterinburg", "2024-12-27T10:00", "18h"}, want: "2025-01-09T12:00:00+05:00\n"},
		{name: "add json", args: []string{"add", "--json", "--tz", "Asia/Yekaterinburg", "2024-12-27T10:00", "18h"},
			want: `{"from":"2024-12-27T10:00:00+05:00","due":"2025-01-09T12:00:00+05:00","duration":"18h0m0s","seconds":64800}` + "\n"},
		{name: "add 8h ends the same day", args: []string{"add", "2024-06-17T09:00", "8h"}, want: "2024-06-17T17:00:00+03:00\n"},
		{name: "add seconds", args: []string{"add", "2024-06-17T09:00", "5400"}, want: "2024-06-17T10:30:00+03:00\n"},
		{name: "add negative", args: []string{"add", "2024-06-17T10:00", "-2h"}, want: "2024-06-14T16:00:00+03:00\n"},
		{name: "add zero keeps the instant", args: []string{"add", "2024-06-15T23:00:00.5", "0"}, want: "2024-06-15T23:00:00.5+03:00\n"},
		{name: "add from utc prints desk zone", args: []string{"add", "--tz", "Asia/Irkutsk", "2024-06-17T00:00Z", "90m"}, want: "2024-06-17T10:30:00+08:00\n"},
		{name: "bad zone", args: []string{"between", "--tz", "Mars/Olympus", "2024-01-09", "2024-01-10"}, want: `bad --tz "Mars/Olympus"`, wantErr: true, usage: true},
		{name: "bad from", args: []string{"between", "2024-13-01", "2024-01-10"}, want: `FROM: bad time "2024-13-01"`, wantErr: true, usage: true},
		{name: "bad to", args: []string{"between", "2024-01-01", "tomorrow"}, want: `TO: bad time "tomorrow"`, wantErr: true, usage: true},
		{name: "bad duration", args: []string{"add", "2024-01-09", "8 hours"}, want: `DURATION: bad duration "8 hours"`, wantErr: true, usage: true},
		{name: "huge seconds", args: []string{"add", "2024-01-09", "99999999999999"}, want: "too large", wantErr: true, usage: true},
		{name: "one argument", args: []string{"between", "2024-01-09"}, want: "want FROM TO", wantErr: true, usage: true},
		{name: "unknown flag", args: []string{"add", "--zone", "UTC", "2024-01-09", "1h"}, want: "unknown flag --zone", wantErr: true, usage: true},
		{name: "flag without value", args: []string{"add", "2024-01-09", "1h", "--tz"}, want: "--tz needs a value", wantErr: true, usage: true},
		{name: "missing overrides file", args: []string{"add", "--overrides", "/nonexistent/x.csv", "2024-01-09", "1h"}, want: "--overrides", wantErr: true},
		{name: "no subcommand", args: nil, want: "missing subcommand", wantErr: true, usage: true},
		{name: "bad subcommand", args: []string{"sum"}, want: `unknown subcommand "sum"`, wantErr: true, usage: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := calRun(t, "", tc.args...)
			if tc.wantErr {
				if err == nil || !strings.Contains(err.Error(), tc.want) || calIsUsage(err) != tc.usage {
					t.Fatalf("err = %v (usage %v), want %q (usage %v)", err, calIsUsage(err), tc.want, tc.usage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out != tc.want {
				t.Errorf("stdout = %q, want %q", out, tc.want)
			}
		})
	}
}

func TestCalendarCLIStdin(t *testing.T) {
	in := "# from to\n2024-12-27T10:00 2025-01-09T12:00\n\n2024-12-27 10:00 2025-01-09 12:00\nnonsense\n2024-05-01 2024-06-01\n"
	out, _, err := calRun(t, in, "between", "--json", "--tz", "Asia/Yekaterinburg", "-")
	if err == nil || calIsUsage(err) || !strings.Contains(err.Error(), "1 of 4 lines failed") {
		t.Fatalf("err = %v", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 4 {
		t.Fatalf("want 4 output lines, got:\n%s", out)
	}
	var secs []float64
	for i, l := range lines {
		var v map[string]any
		if err := json.Unmarshal([]byte(l), &v); err != nil {
			t.Fatalf("line %d: %v", i, err)
		}
		if i == 2 {
			if v["line"] != 5.0 || v["input"] != "nonsense" || !strings.Contains(v["error"].(string), "want FROM TO") {
				t.Errorf("error line = %s", l)
			}
			continue
		}
		secs = append(secs, v["seconds"].(float64))
	}
	if secs[0] != 64800 || secs[1] != 64800 || secs[2] != 159*3600 {
		t.Errorf("seconds = %v", secs)
	}

	out, _, err = calRun(t, "2024-12-27T10:00 18h\n2024-12-27T10:00 soon\n", "add", "--tz", "Asia/Yekaterinburg", "-")
	if err == nil || out != "2025-01-09T12:00:00+05:00\nerror: line 2: DURATION: bad duration \"soon\": want 8h, 90m, 1h30m or whole seconds\n" {
		t.Errorf("text mode: %q, %v", out, err)
	}

	// Thousands of queries in one process.
	var b strings.Builder
	for i := range 3000 {
		b.WriteString(time.Date(2024, 1, 1+i%365, 9+i%10, 0, 0, 0, time.UTC).Format("2006-01-02T15:04"))
		b.WriteString(" 8h\n")
	}
	out, _, err = calRun(t, b.String(), "add", "-")
	if err != nil || strings.Count(out, "\n") != 3000 {
		t.Errorf("bulk: %d lines, %v", strings.Count(out, "\n"), err)
	}
}

func TestCalendarCLIShowGolden(t *testing.T) {
	for _, tc := range []struct{ name, file string }{
		{"2024 12", "calendar-show-2024-12.golden"},
		{"2024", "calendar-show-2024.golden"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, _, err := calRun(t, "", append([]string{"show"}, strings.Fields(tc.name)...)...)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.file)
			if *calUpdateGolden {
				if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update-calendar to create it)", err)
			}
			if out != string(want) {
				t.Errorf("output differs from %s:\n%s", path, out)
			}
		})
	}
}

func TestCalendarCLIShow(t *testing.T) {
	out, _, err := calRun(t, "", "show", "2024")
	if err != nil || !strings.Contains(out, "2024: 248 working days (5 short), 118 days off, 1979 working hours") ||
		!strings.Contains(out, "Official production calendar data: 2013–2027.") {
		t.Errorf("show 2024: %v\n%s", err, out)
	}
	out, _, err = calRun(t, "", "show", "2030", "1")
	if err != nil || !strings.Contains(out, "no official production calendar for 2030 (official data: 2013–2027)") {
		t.Errorf("show 2030 1: %v\n%s", err, out)
	}
	for _, args := range [][]string{{"show"}, {"show", "24x"}, {"show", "2024", "13"}, {"show", "1900"}, {"show", "2024", "1", "2"}, {"show", "--json", "2024"}} {
		if _, _, err := calRun(t, "", args...); !calIsUsage(err) {
			t.Errorf("%v: err = %v, want a usage error", args, err)
		}
	}
}

func TestCalendarCLIOverrides(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tatarstan.csv")
	const file = "date,kind,note\n2024-08-29,short,eve\n2024-08-30,holiday,Republic Day (Tatarstan)\n"
	if err := os.WriteFile(path, []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	out, _, err := calRun(t, "", "between", "--overrides", path, "2024-08-29", "2024-09-02")
	if err != nil || out != "7h0m0s\n" {
		t.Errorf("between with overrides = %q, %v", out, err)
	}
	out, _, err = calRun(t, "", "show", "--overrides", path, "2024", "8")
	if err != nil || !strings.Contains(out, " 29~ 30*") || !strings.Contains(out, "Overrides: "+path) {
		t.Errorf("show with overrides: %v\n%s", err, out)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	_ = os.WriteFile(bad, []byte("2024-08-30,feast\n"), 0o644)
	if _, _, err := calRun(t, "", "show", "--overrides", bad, "2024"); err == nil || !strings.Contains(err.Error(), `bad kind "feast"`) {
		t.Errorf("bad overrides file: %v", err)
	}
}

func TestCalendarCLIParseInstant(t *testing.T) {
	msk := time.FixedZone("MSK", 3*3600)
	want := time.Date(2024, 12, 27, 10, 0, 0, 0, msk)
	for _, s := range []string{"2024-12-27T10:00", "2024-12-27 10:00", "2024-12-27T10:00:00", "2024-12-27 10:00:00",
		"2024-12-27T10:00+03:00", "2024-12-27T07:00Z", "2024-12-27T07:00:00Z", "2024-12-27T12:00:00+0500", " 2024-12-27T10:00 "} {
		got, err := calParseInstant(s, msk)
		if err != nil || !got.Equal(want) {
			t.Errorf("%q: %v, %v", s, got, err)
		}
	}
	if got, _ := calParseInstant("2024-12-27", msk); !got.Equal(time.Date(2024, 12, 27, 0, 0, 0, 0, msk)) {
		t.Errorf("bare date: %v", got)
	}
	for _, s := range []string{"", "2024-12-27T25:00", "27.12.2024 25:00", "2024-12-27T10", "now"} {
		if _, err := calParseInstant(s, msk); err == nil {
			t.Errorf("%q accepted", s)
		}
	}
}

func FuzzCalendarParseInstant(f *testing.F) {
	for _, s := range []string{"2024-12-27T10:00", "2024-12-27 10:00:00.123", "2024-12-27T10:00+05:00", "2024-12-27T07:00Z", "2024-12-27", "9999-12-31 23:59", "0000-01-01"} {
		f.Add(s)
	}
	loc := time.FixedZone("X", 5*3600)
	f.Fuzz(func(t *testing.T, s string) {
		got, err := calParseInstant(s, loc)
		if err != nil {
			return
		}
		back, err := calParseInstant(got.Format(time.RFC3339Nano), loc)
		if err != nil || !back.Equal(got) {
			t.Fatalf("%q → %v does not round-trip: %v", s, got, err)
		}
	})
}

func FuzzCalendarParseDuration(f *testing.F) {
	for _, s := range []string{"8h", "90m", "1h30m", "3600", "-2h", "9223372036", "1e3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = calParseDuration(s)
	})
}
