package mailin

import (
	"testing"
	"time"
)

func TestStatusSnapshot(t *testing.T) {
	p := &Poller{status: &status{}}
	p.status.update(func(s *Status) { s.Reconnects++; s.LastError = "x" })
	p.status.update(func(s *Status) { s.LastPass = time.Unix(1, 0); s.LastError = "" })
	if st := p.Status(); st.Reconnects != 1 || st.LastError != "" || st.LastPass.IsZero() {
		t.Fatalf("%+v", st)
	}
}
