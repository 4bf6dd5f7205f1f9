package rules

import "testing"

func TestMentions(t *testing.T) {
	tests := []struct {
		text    string
		phrases []string
		want    bool
	}{
		{"Не открывается МИС с утра", []string{"МИС"}, true},
		{"не работает 1С: Бухгалтерия", []string{"1С"}, true},
		{"не работает электронный документооборот", []string{"СЭД", "документооборот"}, true},
		{"мистер Иванов", []string{"МИС"}, false},
		{"", []string{"МИС"}, false},
		{"МИС", []string{"", " "}, false},
	}
	for _, tt := range tests {
		if got := Mentions(tt.text, tt.phrases...); got != tt.want {
			t.Errorf("Mentions(%q, %q) = %v, want %v", tt.text, tt.phrases, got, tt.want)
		}
	}
}
