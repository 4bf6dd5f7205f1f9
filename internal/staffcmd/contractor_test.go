package staffcmd

import (
	"slices"
	"testing"
)

func TestContractorCommands(t *testing.T) {
	cases := []struct {
		name, in string
		want     Name
		args     []string
		text     string
		body     string
		err      bool
	}{
		{"escalate with text below", "#передать IRTech\nПосмотрите, пожалуйста.\nСпасибо", Escalate, []string{"irtech"}, "Посмотрите, пожалуйста.\nСпасибо", "", false},
		{"escalate tell answer", "#escalate irtech --tell-answer urgent", Escalate, []string{"irtech", "tell-answer"}, "urgent", "", false},
		{"escalate without name", "#передать", "", nil, "", "", true},
		{"reply contractor", "#ответ-подрядчику Спасибо,\nуточните версию", ReplyContractor, nil, "Спасибо,\nуточните версию", "", false},
		{"reply contractor empty", "#reply-contractor", "", nil, "", "", true},
		{"recall", "#отозвать\nСами справились", Recall, nil, "", "Сами справились", false},
		{"recall named", "#recall irtech", Recall, []string{"irtech"}, "", "", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmds, body, errs := Parse(c.in)
			if c.err {
				if len(errs) == 0 {
					t.Fatalf("want an error, got %+v", cmds)
				}
				return
			}
			if len(errs) != 0 || len(cmds) != 1 {
				t.Fatalf("cmds %+v errs %v", cmds, errs)
			}
			got := cmds[0]
			if got.Name != c.want || !slices.Equal(got.Args, c.args) || got.Text != c.text || body != c.body {
				t.Errorf("got %s %q text %q body %q", got.Name, got.Args, got.Text, body)
			}
		})
	}
}
