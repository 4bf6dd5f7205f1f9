package doctor

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/workcal"
)

// The real calendar: its embedded data knows 2026 and 2027, not 2028; an
// overrides file giving 2028 in full makes it known.
func TestCalendarYearsWorkcal(t *testing.T) {
	cal, err := workcal.New(workcal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r := CalendarYears(cal, "", time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)); r.Status != OK {
		t.Errorf("2026: %+v", r)
	}
	if r := CalendarYears(cal, "", time.Date(2027, 10, 1, 0, 0, 0, 0, time.UTC)); r.Status != Warning || !strings.Contains(r.Message, "not 2028") {
		t.Errorf("October 2027: %+v", r)
	}
	ovs, err := workcal.ParseOverrides(strings.NewReader("2028,year,decree\n2028-01-01,holiday,New Year\n"))
	if err != nil {
		t.Fatal(err)
	}
	if cal, err = workcal.New(workcal.Options{Overrides: ovs}); err != nil {
		t.Fatal(err)
	}
	if r := CalendarYears(cal, "f.csv", time.Date(2027, 10, 1, 0, 0, 0, 0, time.UTC)); r.Status != OK {
		t.Errorf("October 2027 with 2028 overrides: %+v", r)
	}
}

type years map[int]bool

func (y years) Official(year int) bool { return y[year] }

func TestCalendarYears(t *testing.T) {
	for _, c := range []struct {
		name   string
		known  years
		file   string
		now    time.Time
		status Status
		want   []string
	}{
		{"both years", years{2026: true, 2027: true}, "", time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC), OK,
			[]string{"knows 2026 and 2027"}},
		{"next missing before October", years{2026: true}, "", time.Date(2026, 9, 30, 23, 0, 0, 0, time.UTC), OK,
			[]string{"knows 2026 (2027's decree is usually published"}},
		{"next missing from 1 October", years{2026: true}, "", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), Warning,
			[]string{"knows 2026 but not 2027", "add 2027 to calendar.overrides_file:", "2027,year,<decree>", "otvet calendar show --overrides FILE 2027"}},
		{"next missing, named file", years{2026: true}, "/etc/otvet/calendar.csv", time.Date(2026, 11, 15, 0, 0, 0, 0, time.UTC), Warning,
			[]string{"add 2027 to calendar.overrides_file (/etc/otvet/calendar.csv)"}},
		{"current missing", years{2025: true}, "", time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC), Warning,
			[]string{"no official data for 2026", "add 2026 to calendar.overrides_file"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := CalendarYears(c.known, c.file, c.now)
			if r.Status != c.status {
				t.Errorf("status %s, want %s: %+v", r.Status, c.status, r)
			}
			for _, w := range c.want {
				if !strings.Contains(r.Message+" | "+r.Fix, w) {
					t.Errorf("%q lacks %q", r.Message+" | "+r.Fix, w)
				}
			}
			if (r.Status == OK) != (r.Fix == "") {
				t.Errorf("fix %q with status %s", r.Fix, r.Status)
			}
		})
	}
}

// fakeDNS answers from its maps; a name in neither is "no such host".
type fakeDNS struct {
	mx    map[string][]*net.MX
	hosts map[string][]string
	err   error // every lookup fails with it
	asked []string
}

func (f *fakeDNS) LookupMX(ctx context.Context, name string) ([]*net.MX, error) {
	f.asked = append(f.asked, "mx "+name)
	if _, ok := ctx.Deadline(); !ok {
		return nil, errors.New("no timeout")
	}
	if f.err != nil {
		return nil, f.err
	}
	if m, ok := f.mx[name]; ok {
		return m, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func (f *fakeDNS) LookupHost(ctx context.Context, name string) ([]string, error) {
	f.asked = append(f.asked, "a "+name)
	if f.err != nil {
		return nil, f.err
	}
	if h, ok := f.hosts[name]; ok {
		return h, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

func TestSupportDNS(t *testing.T) {
	dns := func() *fakeDNS {
		return &fakeDNS{
			mx: map[string][]*net.MX{
				"kgo66.ru":   {{Host: "mx1.kgo66.ru.", Pref: 10}, {Host: "mx2.kgo66.ru.", Pref: 20}},
				"nomail.ru":  {{Host: ".", Pref: 0}},
				"nodata.ru":  {},
				"school1.ru": nil,
			},
			hosts: map[string][]string{"nodata.ru": {"192.0.2.7"}, "school1.ru": {"192.0.2.8", "2001:db8::8"}},
		}
	}
	timeout := &net.DNSError{Err: "i/o timeout", Name: "kgo66.ru", IsTimeout: true}
	for _, c := range []struct {
		name    string
		address string
		r       *fakeDNS
		status  Status
		want    string
		asked   int
	}{
		{"MX", "sd@kgo66.ru", dns(), OK, "kgo66.ru receives mail: MX mx1.kgo66.ru (10), mx2.kgo66.ru (20)", 1},
		{"case and trailing dot", "SD@KGO66.RU.", dns(), OK, "MX mx1.kgo66.ru (10)", 1},
		{"address record only", "sd@school1.ru", dns(), OK, "school1.ru has no MX record; mail goes to its address 192.0.2.8, 2001:db8::8", 2},
		{"empty MX answer, A", "sd@nodata.ru", dns(), OK, "mail goes to its address 192.0.2.7", 2},
		{"no records", "sd@gone.ru", dns(), Error, "gone.ru has no MX and no address record: mail to sd@gone.ru cannot be delivered", 2},
		{"null MX", "sd@nomail.ru", dns(), Error, "nomail.ru publishes a null MX", 1},
		{"DNS unreachable", "sd@kgo66.ru", &fakeDNS{err: timeout}, Warning, "DNS could not be asked about kgo66.ru", 1},
		{"test domain", "sd@example.test", dns(), OK, "skipped: example.test is a reserved domain", 0},
		{".example", "sd@kgo.example", dns(), OK, "skipped", 0},
		{".invalid", "sd@x.invalid", dns(), OK, "skipped", 0},
		{"localhost", "sd@localhost", dns(), OK, "skipped", 0},
		{"no domain", "sd", dns(), Error, "has no domain", 0},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := SupportDNS(context.Background(), c.r, c.address)
			if r.Status != c.status || !strings.Contains(r.Message, c.want) {
				t.Errorf("%s %q, want %s %q", r.Status, r.Message, c.status, c.want)
			}
			if len(c.r.asked) != c.asked {
				t.Errorf("asked %v, want %d lookups", c.r.asked, c.asked)
			}
			if (r.Status == OK) != (r.Fix == "") {
				t.Errorf("fix %q with status %s", r.Fix, r.Status)
			}
		})
	}
	// A temporary failure of the address lookup is a warning too.
	f := &fakeDNS{mx: map[string][]*net.MX{"school1.ru": nil}}
	r := SupportDNS(context.Background(), &failHost{f}, "sd@school1.ru")
	if r.Status != Warning {
		t.Errorf("A lookup failing: %+v", r)
	}
}

type failHost struct{ *fakeDNS }

func (failHost) LookupHost(context.Context, string) ([]string, error) {
	return nil, &net.DNSError{Err: "server misbehaving", IsTemporary: true}
}
