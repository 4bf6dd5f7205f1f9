package rules

import (
	"strings"
	"testing"
)

func BenchmarkDecide(b *testing.B) {
	in := benchSmall()
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
