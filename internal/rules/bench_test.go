package rules

import (
	"strings"
	"testing"
)

func BenchmarkDecide(b *testing.B) {
	in := Input{
		Msg:         msg("Ошибка при отправке отчёта в СБИС", goodBody+"\n\n"+strings.Repeat("> Предыдущее письмо службы поддержки, процитированное целиком.\n", 20), screenshot),
		Now:         monday10,
		SenderOrg:   school,
		Maintenance: []Window{{ID: 1, System: "СЭД", From: monday10.Add(-1), To: monday10.Add(1)}},
		Calendar:    nineToFive{},
	}
	b.ReportAllocs()
	for b.Loop() {
		Decide(in, Config{})
	}
}

func BenchmarkOffensive10KB(b *testing.B) {
	var sb strings.Builder
	for _, c := range loadOffensiveCases(b) {
		if !c.want {
			sb.WriteString(c.text + "\n")
		}
	}
	unit := sb.String()
	text := strings.Repeat(unit, 10<<10/len(unit)+1)[:10<<10]
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		Offensive(text, nil)
	}
}
