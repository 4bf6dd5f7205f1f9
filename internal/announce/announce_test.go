package announce

import "testing"

func TestParseAudience(t *testing.T) {
	tests := []struct {
		in   string
		want Audience
		ok   bool
	}{
		{"all", Audience{All: true}, true},
		{"ALL", Audience{All: true}, true},
		{"org:12", Audience{OrgID: 12}, true},
		{"system:МИС", Audience{System: "МИС"}, true},
		{"level:priority", Audience{Level: "priority"}, true},
		{"org:x", Audience{}, false},
		{"org:0", Audience{}, false},
		{"system:", Audience{}, false},
		{"everyone", Audience{}, false},
		{"", Audience{}, false},
	}
	for _, tt := range tests {
		got, err := ParseAudience(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseAudience(%q) = %+v, %v", tt.in, got, err)
		}
		if err == nil {
			if back, _ := ParseAudience(got.String()); back != got {
				t.Errorf("%q does not read back: %q", tt.in, got.String())
			}
		}
	}
}

func TestUsesSystem(t *testing.T) {
	tests := []struct {
		systems, system string
		want            bool
	}{
		{"МИС; 1С", "мис", true},
		{"МИС, 1С", "1с", true},
		{"СЭД", "МИС", false},
		{"МИС-Поликлиника", "МИС", false},
		{"", "МИС", false},
		{"Учёт", "учет", true},
	}
	for _, tt := range tests {
		if got := UsesSystem(tt.systems, tt.system); got != tt.want {
			t.Errorf("UsesSystem(%q, %q) = %v", tt.systems, tt.system, got)
		}
	}
}
