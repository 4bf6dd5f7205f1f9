package staffcmd

import (
	"slices"
	"testing"
)

// #approve takes --no-head (--без-руководителя) and the key channel as the
// rest of its line.
func TestApproveArguments(t *testing.T) {
	for _, c := range []struct {
		line, text string
		noHead     bool
	}{
		{"#approve", "", false},
		{"#одобрить лично в руки на флешке", "лично в руки на флешке", false},
		{"#approve --no-head", "", true},
		{"#одобрить --Без-Руководителя защищённый канал VipNet", "защищённый канал VipNet", true},
	} {
		cmds, _, errs := Parse(c.line + "\nспасибо")
		if len(errs) > 0 || len(cmds) != 1 || cmds[0].Name != Approve {
			t.Fatalf("%q: %v %v", c.line, cmds, errs)
		}
		if cmds[0].Text != c.text || slices.Contains(cmds[0].Args, ArgNoHead) != c.noHead {
			t.Errorf("%q: text %q args %v", c.line, cmds[0].Text, cmds[0].Args)
		}
	}
}
