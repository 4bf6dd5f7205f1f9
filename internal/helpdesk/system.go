package helpdesk

import (
	"context"
	"strings"

	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/rules"
	"github.com/otvet/otvet/internal/store"
)

// Information systems and the queue by mail (docs/search.md).

// detectSystem names the information system a new request is about: the
// first system a maintenance window of the desk was announced for (by its
// name or one of its keywords, matched as the maintenance rule matches
// them) that the subject or text mentions, then the first of the
// requester's registered systems the text mentions, then the requester's
// only registered system; "" when none. Staff correct it with #system.
func (in *intake) detectSystem(ctx context.Context, sc senderContext) (string, error) {
	text := in.msg.Subject + "\n" + in.msg.Text
	ws, err := in.tx.MaintenanceSystems(ctx)
	if err != nil {
		return "", err
	}
	for _, w := range ws {
		if rules.Mentions(text, append([]string{w.System}, splitKeywords(w.Keywords)...)...) {
			return w.System, nil
		}
	}
	if sc.user == nil {
		return "", nil
	}
	var own []string
	for _, s := range strings.FieldsFunc(sc.user.Systems, func(r rune) bool { return r == ',' || r == ';' || r == '\n' }) {
		if s = strings.TrimSpace(s); s != "" {
			own = append(own, s)
		}
	}
	for _, s := range own {
		if rules.Mentions(text, s) {
			return s, nil
		}
	}
	if len(own) == 1 {
		return own[0], nil
	}
	return "", nil
}

func splitKeywords(s string) []string {
	var out []string
	for _, k := range strings.Split(s, ",") {
		if k = strings.TrimSpace(k); k != "" {
			out = append(out, k)
		}
	}
	return out
}

// queueLimit bounds each list of a #queue or #search answer.
const queueLimit = 20

// queueLines lists tickets one a line: number, status, organisation, due
// time in the desk's zone, subject.
func (in *deskTx) queueLines(items []store.QueueItem) string {
	var b strings.Builder
	for i, it := range items {
		if i == queueLimit {
			b.WriteString(in.text(mailout.CmdQueueMore) + "\n")
			break
		}
		due := in.text(mailout.CmdQueueNoDue)
		if d := it.Due(); !d.IsZero() {
			due = FormatLocal(d, in.desk.Location, in.desk.Language)
		}
		org := it.OrgName
		if org == "" {
			org = in.text(mailout.CmdQueueNoOrg)
		}
		subject := it.Subject
		if r := []rune(subject); len(r) > 60 {
			subject = string(r[:59]) + "…"
		}
		b.WriteString(in.text(mailout.CmdQueueLine, it.ID, statusWords(it.Status), org, due, subject) + "\n")
	}
	return strings.TrimRight(b.String(), "\n")
}

// queueOf answers #queue: the agent's active tickets by due time, then the
// unassigned ones.
func (in *deskTx) queueOf(ctx context.Context, agent *store.Staff) (mailout.Key, []any, error) {
	active := []string{store.StatusActive}
	mine, err := in.tx.FindTickets(ctx, store.TicketFilter{Desk: in.desk.Name, Statuses: active, Assignee: agent.Email,
		Now: in.now, Limit: queueLimit + 1})
	if err != nil {
		return "", nil, err
	}
	free, err := in.tx.FindTickets(ctx, store.TicketFilter{Desk: in.desk.Name, Statuses: active, Unassigned: true,
		Now: in.now, Limit: queueLimit + 1})
	if err != nil {
		return "", nil, err
	}
	if len(mine) == 0 && len(free) == 0 {
		return mailout.CmdQueueEmpty, nil, nil
	}
	var parts []string
	if len(mine) > 0 {
		parts = append(parts, in.text(mailout.CmdQueueMine, len(mine))+"\n"+in.queueLines(mine))
	}
	if len(free) > 0 {
		parts = append(parts, in.text(mailout.CmdQueueFree, len(free))+"\n"+in.queueLines(free))
	}
	return mailout.CmdQueue, []any{strings.Join(parts, "\n\n")}, nil
}

// searchFor answers #search: the desk's tickets holding every word.
func (in *deskTx) searchFor(ctx context.Context, q string) (mailout.Key, []any, error) {
	items, err := in.tx.FindTickets(ctx, store.TicketFilter{Desk: in.desk.Name, Search: q, Now: in.now, Limit: queueLimit + 1})
	if err != nil {
		return "", nil, err
	}
	if len(items) == 0 {
		return mailout.CmdSearchNone, []any{q}, nil
	}
	return mailout.CmdSearchFound, []any{q, in.queueLines(items)}, nil
}
