package helpdesk

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/otvet/otvet/internal/kb"
	"github.com/otvet/otvet/internal/mailout"
	"github.com/otvet/otvet/internal/staffcmd"
	"github.com/otvet/otvet/internal/store"
)

// Knowledge is the knowledge base and the canned answers (kb.Library):
// articles suggested in the acknowledgement of a new request (§4.3), sent
// with #статья N, and answers inserted with #шаблон NAME. See docs/kb.md.
type Knowledge interface {
	Suggest(subject, text string) []kb.Match
	Article(id int64) (kb.Article, bool)
	Canned(name string) (kb.Canned, bool)
	CannedList() []kb.Canned
}

// kbClause is the regulation's clause on instructions users may follow
// themselves (rules.clauses: knowledge_base).
const kbClause = "4.3"

// suggestArticles ranks the knowledge base against a new request and
// records what it suggests (a kb_suggested event); agents see the same
// articles in their notification. An incident gets no suggestions: it
// needs people.
func (in *intake) suggestArticles(ctx context.Context, t *store.Ticket) ([]mailout.ArticleRef, error) {
	if in.s.kb == nil || in.msg == nil || t.Priority == store.PriorityIncident {
		return nil, nil
	}
	ms := in.suggestions(t.Subject)
	if len(ms) == 0 {
		return nil, nil
	}
	refs := make([]mailout.ArticleRef, 0, len(ms))
	var detail []string
	for _, m := range ms {
		refs = append(refs, mailout.ArticleRef{Number: m.Article.ID, Title: m.Article.Title, Excerpt: m.Excerpt, URL: m.Article.URL})
		detail = append(detail, fmt.Sprintf("#%d %s (%.1f)", m.Article.ID, m.Article.Slug, m.Score))
	}
	if err := in.event(ctx, t.ID, "kb_suggested", strings.Join(detail, "; ")); err != nil {
		return nil, err
	}
	in.suggested = refs
	return refs, nil
}

// kbClauseText is the clause the acknowledgement cites for suggestions.
func (in *deskTx) kbClauseText() string {
	if c := in.s.regs.Clauses["knowledge_base"]; c != "" {
		return c
	}
	return kbClause
}

// expandReply puts the canned answers (#шаблон NAME: its text, then the
// agent's own) and the articles (#статья N: after the agent's text) of a
// staff reply into the text for the customer. An unknown name or number, or
// an internal article, holds the whole reply: held lists why.
func (in *deskTx) expandReply(t *store.Ticket, cmds []staffcmd.Command, text string) (out string, held []mailout.CommandResult) {
	for _, c := range cmds {
		switch c.Name {
		case staffcmd.Canned:
			if len(c.Args) == 0 {
				continue // the list: nothing to insert
			}
			var ca kb.Canned
			ok := in.s.kb != nil
			if ok {
				ca, ok = in.s.kb.Canned(c.Args[0])
			}
			if !ok {
				held = append(held, mailout.CommandResult{Command: c.Raw, Message: in.text(mailout.CmdNoCanned, c.Args[0], in.cannedNames())})
				continue
			}
			filled := ca.Fill(kb.Fields{Name: t.RequesterName, Ticket: t.ID, Due: in.formatDue(t.ResolutionDue)})
			text = joinText(filled, c.Text, text)
		case staffcmd.Article:
			n, _ := strconv.ParseInt(c.Args[0], 10, 64)
			var a kb.Article
			ok := in.s.kb != nil
			if ok {
				a, ok = in.s.kb.Article(n)
			}
			switch {
			case !ok:
				held = append(held, mailout.CommandResult{Command: c.Raw, Message: in.text(mailout.CmdNoArticle, n)})
				continue
			case !a.Public:
				held = append(held, mailout.CommandResult{Command: c.Raw, Message: in.text(mailout.CmdArticleInternal, n)})
				continue
			}
			art := a.Title + "\n\n" + a.Body
			if a.URL != "" {
				art += "\n\n" + in.text(mailout.KBArticleLink, a.URL)
			}
			text = joinText(c.Text, text, art)
		}
	}
	return text, held
}

func joinText(parts ...string) string {
	var keep []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			keep = append(keep, p)
		}
	}
	return strings.Join(keep, "\n\n")
}

// cannedNames lists the canned answers' names for a staff member.
func (in *deskTx) cannedNames() string {
	if in.s.kb == nil {
		return "—"
	}
	var names []string
	for _, c := range in.s.kb.CannedList() {
		names = append(names, c.Name)
	}
	if len(names) == 0 {
		return "—"
	}
	return strings.Join(names, ", ")
}

// applyKB is the result of #статья and #шаблон (their text was put into the
// answer by expandReply).
func (in *deskTx) applyKB(c staffcmd.Command) (mailout.Key, []any) {
	if c.Name == staffcmd.Article {
		n, _ := strconv.ParseInt(c.Args[0], 10, 64)
		a, _ := in.s.kb.Article(n)
		return mailout.CmdArticleSent, []any{n, a.Title}
	}
	if len(c.Args) > 0 {
		return mailout.CmdCannedInserted, []any{c.Args[0]}
	}
	var lines []string
	if in.s.kb != nil {
		for _, ca := range in.s.kb.CannedList() {
			lines = append(lines, "\n"+ca.Name+" — "+ca.Title)
		}
	}
	if len(lines) == 0 {
		return mailout.CmdCannedNone, nil
	}
	return mailout.CmdCannedList, []any{strings.Join(lines, "")}
}
