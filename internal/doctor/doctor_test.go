package doctor

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

var testTime = time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC)

func TestRunAndPrint(t *testing.T) {
	checks := []Check{
		{Name: "config", Run: func(context.Context) Result { return okf("fine") }},
		{Name: "smtp", Desk: "main", Run: func(context.Context) Result { return bad(Error, "do this", "broken") }},
		{Name: "imap", Desk: "main", Run: func(context.Context) Result { return bad(Warning, "", "odd") }},
	}
	rs := Run(t.Context(), checks, nil)
	if !Failed(rs) || Failed(rs[:1]) {
		t.Errorf("Failed wrong: %+v", rs)
	}
	var b bytes.Buffer
	if err := Print(&b, rs, false); err != nil {
		t.Fatal(err)
	}
	want := "ok      config: fine\nerror   smtp [main]: broken\n        fix: do this\nwarning imap [main]: odd\n"
	if b.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", b.String(), want)
	}
	b.Reset()
	if err := Print(&b, rs, true); err != nil {
		t.Fatal(err)
	}
	var back []Result
	if err := json.Unmarshal(b.Bytes(), &back); err != nil || len(back) != 3 || back[1].Desk != "main" || back[1].Fix != "do this" {
		t.Errorf("json %s: %v", b.String(), err)
	}
	b.Reset()
	_ = Print(&b, nil, true)
	if strings.TrimSpace(b.String()) != "[]" {
		t.Errorf("no results as JSON: %q", b.String())
	}
}
