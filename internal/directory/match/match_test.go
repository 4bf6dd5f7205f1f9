package match

import "testing"

func TestFoldName(t *testing.T) {
	for _, c := range [][2]string{
		{"МБДОУ «Детский сад № 7»", "мбдоу детский сад № 7"},
		{"МБДОУ Детский сад №7", "мбдоу детский сад № 7"},
		{"МБДОУ Детский сад N7", "мбдоу детский сад № 7"},
		{"МБДОУ Детский сад N 7", "мбдоу детский сад № 7"},
		{"МБДОУ \"Детский сад No. 7\"", "мбдоу детский сад № 7"},
		{"  Соловьёва   Дарья ", "соловьева дарья"},
		{"ООО \"Ромашка\"", "ооо ромашка"},
		{"Nord", "nord"},
		{"ООО N", "ооо n"},
		{"Школа noname 5", "школа noname 5"},
		{"", ""},
		{"«»", ""},
	} {
		if got := FoldName(c[0]); got != c[1] {
			t.Errorf("FoldName(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}

func TestSameName(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"МБДОУ Детский сад №7", "МБДОУ «Детский сад № 7»", true},
		{"мбдоу детский сад N7", "МБДОУ «Детский сад № 7»", true},
		{"МБДОУ Детский сад №7", "МБДОУ Детский сад №17", false},
		{"", "", false},
		{"«»", "", false},
	} {
		if got := SameName(c.a, c.b); got != c.want {
			t.Errorf("SameName(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestINNAndOGRN(t *testing.T) {
	for _, c := range []struct {
		inn  string
		okay bool
	}{{"", true}, {"6670000004", true}, {"667000000412", true}, {"667000000", false}, {"66700000041", false}, {"66700000a4", false}} {
		if err := ValidINN(c.inn); (err == nil) != c.okay {
			t.Errorf("ValidINN(%q) = %v", c.inn, err)
		}
	}
	for _, c := range []struct {
		ogrn string
		okay bool
	}{{"", true}, {"1026600000001", true}, {"302660000000012", true}, {"10266000000", false}} {
		if err := ValidOGRN(c.ogrn); (err == nil) != c.okay {
			t.Errorf("ValidOGRN(%q) = %v", c.ogrn, err)
		}
	}
}

func TestOrgDomain(t *testing.T) {
	for _, c := range []struct {
		in, want string
	}{
		{"School3.KGO66.ru", "school3.kgo66.ru"},
		{"Школа.РФ", "xn--80atdl2c.xn--p1ai"},
		{"ru", ""},
		{"com.ru", ""},
		{"mail.ru", ""},
		{"gmail.com", ""},
		{"почта.рф", ""},
		{"not a domain", ""},
	} {
		got, err := OrgDomain(c.in)
		if (err != nil) != (c.want == "") || got != c.want {
			t.Errorf("OrgDomain(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

func TestDomainCandidates(t *testing.T) {
	got := DomainCandidates("Mail.School3.kgo66.ru")
	want := []string{"mail.school3.kgo66.ru", "school3.kgo66.ru", "kgo66.ru"}
	if len(got) != len(want) {
		t.Fatalf("%v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("%v, want %v", got, want)
		}
	}
	if DomainCandidates("ru") != nil {
		t.Error("a public suffix has candidates")
	}
}
