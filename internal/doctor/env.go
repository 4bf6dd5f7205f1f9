package doctor

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"
)

// Names of the checks in this file.
const (
	CheckCalendar = "calendar"
	CheckDNS      = "dns"
)

// YearsKnower says which years a production calendar has official data for;
// *workcal.Calendar is one.
type YearsKnower interface {
	Official(year int) bool
}

// nextYearDue is when the next year's calendar should be in place: the
// Government publishes the transfers in August–October.
const nextYearDue = time.October

// CalendarYears checks that the production calendar has official data (the
// embedded decrees or calendar.overrides_file) for the current year and,
// from 1 October, for the next one. Without them business time follows the
// art. 112 rule alone: the holidays' transfers are missed and due times are
// wrong around them. overridesFile is the configured calendar.overrides_file.
func CalendarYears(cal YearsKnower, overridesFile string, now time.Time) Result {
	y := now.Year()
	where := "calendar.overrides_file"
	if overridesFile != "" {
		where = "calendar.overrides_file (" + overridesFile + ")"
	}
	fix := func(year int) string {
		return fmt.Sprintf("add %d to %s: a `%d,year,<decree>` row and every holiday, transferred and short day of the year "+
			"(docs/calendar.md, \"Adding next year's decree\"); check it with otvet calendar show --overrides FILE %d; or upgrade Otvet",
			year, where, year, year)
	}
	switch {
	case !cal.Official(y):
		return bad(Warning, fix(y), "the production calendar has no official data for %d, the current year: "+
			"business time follows the art. 112 rule alone (transfers and short days are missed)", y)
	case cal.Official(y + 1):
		return okf("the production calendar knows %d and %d", y, y+1)
	case now.Month() >= nextYearDue:
		return bad(Warning, fix(y+1), "the production calendar knows %d but not %d: due times that reach into %d will miss its "+
			"holiday transfers", y, y+1, y+1)
	}
	return okf("the production calendar knows %d (%d's decree is usually published in August–October)", y, y+1)
}

// Resolver looks up mail and address records; *net.Resolver is one.
type Resolver interface {
	LookupMX(ctx context.Context, name string) ([]*net.MX, error)
	LookupHost(ctx context.Context, host string) ([]string, error)
}

// DNSTimeout bounds the DNS check's lookups.
const DNSTimeout = 5 * time.Second

// reservedDomain reports whether a domain never receives mail by design
// (RFC 2606, RFC 6761): the configuration's examples and tests.
func reservedDomain(domain string) bool {
	if domain == "localhost" {
		return true
	}
	for _, tld := range []string{".test", ".example", ".invalid", ".localhost"} {
		if strings.HasSuffix(domain, tld) || domain == tld[1:] {
			return true
		}
	}
	return false
}

// SupportDNS checks that the domain of the support address receives mail:
// it has an MX record (or, without one, an address record mail falls back
// to). A domain with neither, or with a null MX (RFC 7505), is an error;
// DNS that cannot be reached is a warning. Reserved domains (.test,
// .example, .invalid, localhost) are skipped.
func SupportDNS(ctx context.Context, r Resolver, supportAddress string) Result {
	_, domain, ok := strings.Cut(strings.TrimSpace(supportAddress), "@")
	domain = strings.TrimSuffix(strings.ToLower(domain), ".")
	if !ok || domain == "" {
		return bad(Error, "set the desk's support_address to a full address", "the support address %q has no domain", supportAddress)
	}
	if reservedDomain(domain) {
		return okf("skipped: %s is a reserved domain that receives no mail (a test or example installation)", domain)
	}
	ctx, cancel := context.WithTimeout(ctx, DNSTimeout)
	defer cancel()
	unreachable := func(err error) Result {
		return bad(Warning, "check that this host can reach its DNS servers (/etc/resolv.conf), then run otvet doctor again",
			"DNS could not be asked about %s: %v", domain, err)
	}
	mxs, err := r.LookupMX(ctx, domain)
	if err != nil && !notFound(err) {
		return unreachable(err)
	}
	if len(mxs) == 1 && (mxs[0].Host == "." || mxs[0].Host == "") {
		return bad(Error, fmt.Sprintf("publish an MX record for %s that points at the server receiving support mail", domain),
			"%s publishes a null MX: it accepts no mail, so nobody can write to %s", domain, supportAddress)
	}
	if len(mxs) > 0 {
		hosts := make([]string, 0, len(mxs))
		for _, mx := range mxs {
			hosts = append(hosts, fmt.Sprintf("%s (%d)", strings.TrimSuffix(mx.Host, "."), mx.Pref))
		}
		return okf("%s receives mail: MX %s", domain, strings.Join(hosts, ", "))
	}
	addrs, err := r.LookupHost(ctx, domain)
	if err != nil && !notFound(err) {
		return unreachable(err)
	}
	if len(addrs) > 0 {
		return okf("%s has no MX record; mail goes to its address %s", domain, strings.Join(addrs, ", "))
	}
	return bad(Error, fmt.Sprintf("publish an MX record for %s that points at the server receiving support mail", domain),
		"%s has no MX and no address record: mail to %s cannot be delivered", domain, supportAddress)
}

// notFound reports whether a lookup error says the name or the record does
// not exist (an answer), rather than that DNS could not be asked.
func notFound(err error) bool {
	var de *net.DNSError
	return errors.As(err, &de) && de.IsNotFound
}
