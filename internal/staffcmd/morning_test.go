package staffcmd

import (
	"strings"
	"testing"

	"github.com/otvet/otvet/internal/mailout"
)

// TestParseMorning: #утро / #morning takes on or off in either language.
func TestParseMorning(t *testing.T) {
	for _, c := range []struct {
		line, want string // want "" = a parse error asking for on/off
	}{
		{"#утро выкл", "off"},
		{"#Утро ВКЛ", "on"},
		{"#утро выключить", "off"},
		{"#утро включить спасибо", "on"},
		{"#morning off", "off"},
		{"#morning on", "on"},
		{"#утро", ""},
		{"#morning maybe", ""},
	} {
		cmds, _, errs := Parse(c.line)
		if c.want == "" {
			if len(errs) != 1 || !strings.Contains(errs[0].Text("ru"), mailout.Text("ru", mailout.ArgNeedMorning)) {
				t.Errorf("%q: %+v %+v, want a parse error", c.line, cmds, errs)
			}
			continue
		}
		if len(errs) > 0 || len(cmds) != 1 || cmds[0].Name != Morning || cmds[0].Args[0] != c.want {
			t.Errorf("%q: %+v %+v, want morning %s", c.line, cmds, errs, c.want)
		}
	}
}
