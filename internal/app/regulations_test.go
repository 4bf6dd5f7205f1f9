package app_test

import (
	"slices"
	"testing"

	"github.com/otvet/otvet/internal/app"
	"github.com/otvet/otvet/internal/config"
	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/rules"
)

// The offensive rule's word lists in config reach the detector.
func TestOffensiveWordListsFromConfig(t *testing.T) {
	var c config.Config
	c.Rules.Offensive.ExtraWords = []string{"бестолочь"}
	c.Rules.Offensive.Exceptions = []string{"плохую"}
	r := app.Regulations(&c).Rules
	if !slices.Equal(r.OffensiveExtraWords, []string{"бестолочь"}) || !slices.Equal(r.OffensiveExceptions, []string{"плохую"}) {
		t.Fatalf("rules config %+v", r)
	}
	d := rules.Decide(rules.Input{Msg: &mailmsg.Message{Subject: "Вопрос", Text: "Сотрудник ваш — бестолочь."}}, r)
	if d.Reason != rules.ReasonOffensive {
		t.Errorf("an extra word did not fire: %+v", d.Trail)
	}
}
