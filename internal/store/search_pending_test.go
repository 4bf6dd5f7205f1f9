package store

import (
	"strings"
	"testing"
)

func TestTicketBodyKeepsEachTermOnce(t *testing.T) {
	long := strings.Repeat("ж", maxTicketText/2) // 2 bytes a letter: exactly the limit
	for _, c := range []struct {
		name   string
		stored string
		pieces []string
		want   string
		added  []bool
	}{
		{"new terms in order", "", []string{"принтер не печата", "печата картридж принтер"}, "принтер не печата картридж", []bool{true, true}},
		{"a stored body's repeats stay, new repeats do not", "а б а", []string{"б в в"}, "а б а в", []bool{true}},
		{"nothing new", "а", []string{"а а", ""}, "а", []bool{true, true}},
		{"at the limit nothing more fits", "", []string{long, "x " + long + "y", "z"},
			long, []bool{true, false, false}},
		{"what was left out may come back", "ab", []string{long, "ab"}, "ab", []bool{false, true}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b ticketBody
			if c.stored != "" {
				b.start(c.stored)
			}
			for i, p := range c.pieces {
				if got := b.add(p); got != c.added[i] {
					t.Errorf("add(%.20q) = %v, want %v", p, got, c.added[i])
				}
			}
			if got := b.String(); got != c.want {
				t.Errorf("body %.40q, want %.40q", got, c.want)
			}
		})
	}
}
