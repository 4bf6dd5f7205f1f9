package main

import (
	"context"
)

// command is one entry of the command table: a command with subcommands
// (subs, no run) or one that runs (run, no subs). Every command and
// subcommand has a summary and a usage, so that `otvet help CMD [SUB]` and
// `otvet CMD [SUB] --help` print it and exit 0.
type command struct {
	name    string
	summary string // one line, for the list of commands
	// usage is the command line after "otvet CMD [SUB]" (flags and
	// arguments); a group's usage is made from its subcommands.
	usage string
	// help is longer text printed after the summary (optional).
	help string
	run  func(ctx context.Context, e *env, args []string) error
	subs []*command
}

// sub runs a command function that dispatches on its first argument with
// that argument fixed: it fits the older one-function-per-group commands
// into the table without changing them.
func sub(name string, f func(context.Context, *env, []string) error) func(context.Context, *env, []string) error {
	return func(ctx context.Context, e *env, args []string) error {
		return f(ctx, e, append([]string{name}, args...))
	}
}

// userUpdateUsage is the usage of otvet user update.
const userUpdateUsage = "EMAIL [--email NEW] [--name ..] [--position ..] [--phone ..] [--systems ..]"

// commands is the command table of otvet, in the order `otvet help` lists it.
func commands() []*command {
	return []*command{
		{name: "serve", summary: "poll every mailbox and send mail until stopped", usage: "[--migrate]", run: cmdServe},
		{name: "poll", summary: "one pass over every mailbox, then send what is due", usage: "--once [--no-send]", run: cmdPoll},
		{name: "migrate", summary: "bring the database schema up to date and apply the configuration's staff", usage: "[--dry-run]", run: cmdMigrate},
		{name: "backup", summary: "a consistent copy of the database, while otvet runs (SQLite; pg_dump for PostgreSQL)", usage: "FILE", run: cmdBackup},
		{name: "restore", summary: "put a backup in place of the database while otvet is stopped",
			usage: "FILE [--rescan-processed YYYY-MM-DD]", help: restoreHelp, run: cmdRestore},
		{name: "doctor", summary: "check the configuration, database, mailboxes and that the MX strips forged Authentication-Results",
			usage: doctorUsage, help: doctorHelp, run: cmdDoctor},
		{name: "config", summary: "the configuration", subs: []*command{
			{name: "check", summary: "check the configuration and report every problem at once", run: sub("check", cmdConfig)},
		}},
		{name: "tickets", summary: "tickets", subs: []*command{
			{name: "list", summary: "the queue: tickets a filter selects, nearest due time first",
				usage: "[--status S,..|active] [--org ID] [--assignee EMAIL|me|none] [--as EMAIL] [--level L] [--priority P] [--system NAME] " +
					"[--due-within DURATION] [--breached] [--waiting] [--search TEXT] [--desk NAME] [--limit N] [--json] [--tz ZONE]", run: sub("list", cmdTickets)},
			{name: "search", summary: "tickets holding every word in any form (subject, messages, attachment names, requester, organisation)",
				usage: "TEXT [--limit N] [--json] [--tz ZONE]", run: sub("search", cmdTickets)},
			{name: "reindex", summary: "rebuild the full-text index of tickets (after an upgrade)", run: sub("reindex", cmdTickets)},
			{name: "show", summary: "one ticket with its participants, messages and events", usage: "N [--json] [--tz ZONE]", run: sub("show", cmdTickets)},
			{name: "open", summary: "register a phone call as a ticket (same rules as mail)",
				usage: "--phone --requester EMAIL --subject TEXT --body TEXT [--name NAME] [--desk NAME] [--json]", run: sub("open", cmdTickets)},
		}},
		quarantineCommand(),
		{name: "outbox", summary: "outgoing mail", subs: []*command{
			{name: "list", summary: "outgoing mail: state, attempts, next attempt, last error", usage: "[--json] [--limit N] [--tz ZONE]", run: sub("list", cmdOutbox)},
			{name: "retry", summary: "requeue a message, or every failed one, to be sent now", usage: "ID | --failed", run: sub("retry", cmdOutbox)},
		}},
		{name: "rules", summary: "what the intake rules decide", subs: []*command{
			{name: "test", summary: "the rules' decision about a message, with the trail; stores nothing",
				usage: "FILE.eml [--at TIME] [--desk NAME] [--json]", run: sub("test", cmdRules)},
		}},
		{name: "maintenance", summary: "announced maintenance windows", subs: []*command{
			{name: "add", summary: "announce a maintenance window",
				usage: "--system NAME --from TIME --to TIME [--note TEXT] [--keywords W1,W2] [--announce] [--tz ZONE]", run: sub("add", cmdMaintenance)},
			{name: "list", summary: "the maintenance windows", usage: "[--json] [--tz ZONE]", run: sub("list", cmdMaintenance)},
			{name: "end", summary: "end a window early or extend it; its deferred requests follow", usage: "ID [--at TIME] [--tz ZONE]", run: sub("end", cmdMaintenance)},
			{name: "remove", summary: "remove a window", usage: "ID", run: sub("remove", cmdMaintenance)},
		}},
		{name: "announce", summary: "mail a notice to every matching active user (docs/announcements.md)", usage: announceUsage, run: cmdAnnounce},
		{name: "kb", summary: "the knowledge base's articles (docs/kb.md)", subs: []*command{
			{name: "add", summary: "add or replace an article from a Markdown file", usage: "FILE.md [--slug NAME]", run: sub("add", cmdKB)},
			{name: "list", summary: "the articles with their numbers (#статья N)", usage: "[--json]", run: sub("list", cmdKB)},
			{name: "show", summary: "one article as a file", usage: "N", run: sub("show", cmdKB)},
			{name: "remove", summary: "remove an article", usage: "N", run: sub("remove", cmdKB)},
		}},
		{name: "reply-template", summary: "canned answers staff insert with #шаблон NAME (docs/kb.md)", subs: []*command{
			{name: "add", summary: "add or replace a canned answer", usage: "FILE.md [--name NAME]", run: sub("add", cmdReplyTemplate)},
			{name: "list", summary: "the canned answers of the database", usage: "[--json]", run: sub("list", cmdReplyTemplate)},
			{name: "remove", summary: "remove a canned answer", usage: "NAME", run: sub("remove", cmdReplyTemplate)},
		}},
		{name: "staff", summary: "support staff", subs: []*command{
			{name: "add", summary: "add or update an active staff member", usage: "--email EMAIL --name NAME [--role agent|lead|manager]", run: sub("add", cmdStaff)},
			{name: "list", summary: "support staff", usage: "[--json]", run: sub("list", cmdStaff)},
			{name: "disable", summary: "stop accepting a member's mail as staff mail", usage: "EMAIL", run: sub("disable", cmdStaff)},
			{name: "edit", summary: "a member's own settings: the morning mail", usage: "EMAIL --morning on|off", run: sub("edit", cmdStaff)},
			{name: "enable", summary: "make a member active again", usage: "EMAIL", run: sub("enable", cmdStaff)},
			{name: "revoke", summary: "invalidate every reply address mailed to a member so far", usage: "EMAIL", run: sub("revoke", cmdStaff)},
		}},
		{name: "contractor", summary: "third parties that answer on tickets by mail (§4.7)", subs: []*command{
			{name: "add", summary: "add a contractor",
				usage: "--name NAME --address A[,@DOMAIN] [--display-name N] [--hide-name] [--systems S] [--hours HH:MM-HH:MM] [--response-minutes M] [--tell-answer]",
				run:   sub("add", cmdContractor)},
			{name: "list", summary: "the contractors", usage: "[--json]", run: sub("list", cmdContractor)},
			{name: "edit", summary: "change a contractor's settings (all given anew)",
				usage: "--name NAME --address A[,@DOMAIN] [--display-name N] [--hide-name] [--systems S] [--hours HH:MM-HH:MM] [--response-minutes M] [--tell-answer]",
				run:   sub("edit", cmdContractor)},
			{name: "remove", summary: "remove a contractor (its history stays)", usage: "NAME", run: sub("remove", cmdContractor)},
		}},
		{name: "registration", summary: "connection requests", subs: []*command{
			{name: "list", summary: "connection requests", usage: "[--json]", run: sub("list", cmdRegistration)},
			{name: "show", summary: "one connection request", usage: "N [--json]", run: sub("show", cmdRegistration)},
			{name: "edit", summary: "correct a connection request before the decision",
				usage: "N [--file REQUEST.json] [--org ID | --new-org | --auto-org] [--move-users[=false]] [--authority-document[=false]] " +
					"[--key-channel TEXT] [--account TEXT] [--row N] [--add-domain D]... [--allow-person EMAIL]... [--allow-role-change[=false]] [--no-head[=false]]",
				run: sub("edit", cmdRegistration)},
			{name: "approve", summary: "approve a request: register its organisation and people (the signatory as its head unless --no-head), mail the protocol",
				usage: "N [--key-channel TEXT] [--no-head]", run: sub("approve", cmdRegistration)},
			{name: "reject", summary: "reject a request, telling the requester why", usage: "N REASON", run: sub("reject", cmdRegistration)},
		}},
		{name: "org", summary: "organisations of the directory", subs: []*command{
			{name: "add", summary: "add an organisation; prints its id",
				usage: "--name NAME [--inn INN] [--ogrn OGRN] [--address TEXT] [--domain D ...] [--level LEVEL]", run: orgAdd},
			{name: "list", summary: "organisations", usage: "[--json]", run: orgList},
			{name: "show", summary: "one organisation with its users", usage: "ID|INN [--json]", run: orgShow},
			{name: "update", summary: "change an organisation",
				usage: "ID|INN [--name ..] [--inn ..] [--ogrn ..] [--address ..] [--level ..] [--add-domain D ...] [--remove-domain D ...]", run: orgUpdate},
			{name: "block", summary: "refuse the requests of an organisation's users", usage: "ID|INN --reason TEXT",
				run: func(ctx context.Context, e *env, a []string) error { return orgBlock(ctx, e, a, true) }},
			{name: "unblock", summary: "lift an organisation's block", usage: "ID|INN",
				run: func(ctx context.Context, e *env, a []string) error { return orgBlock(ctx, e, a, false) }},
		}},
		{name: "user", summary: "client users of the directory", subs: []*command{
			{name: "add", summary: "add a user; prints the id", usage: `--email EMAIL --name "Фамилия Имя Отчество" [--position ..] [--phone ..] [--org ID] [--head]`, run: userAdd},
			{name: "list", summary: "users", usage: "[--org ID] [--json]", run: userList},
			{name: "show", summary: "one user", usage: "EMAIL [--json]", run: userShow},
			{name: "update", summary: "change a user's address, name, position, phone or systems", usage: userUpdateUsage, run: userUpdate},
			{name: "confirm", summary: "confirm a self-identified user", usage: "EMAIL", run: userConfirm},
			{name: "block", summary: "refuse a user's requests, or those of a category of users",
				usage: "EMAIL --reason TEXT | --org ID|--role user|head|--unconfirmed --reason TEXT",
				run:   func(ctx context.Context, e *env, a []string) error { return userBlock(ctx, e, a, true) }},
			{name: "unblock", summary: "lift a user's block, or that of a category of users", usage: "EMAIL | --org ID|--role user|head|--unconfirmed",
				run: func(ctx context.Context, e *env, a []string) error { return userBlock(ctx, e, a, false) }},
			{name: "export", summary: "everything stored about a person, as JSON (152-FZ)", usage: "EMAIL", run: userExport},
		}},
		{name: "directory", summary: "the directory as a whole", subs: []*command{
			{name: "import", summary: "import organisations and users from a YAML file (docs/directory.md)", usage: "FILE.yaml [--dry-run]", run: directoryImport},
			{name: "block-all", summary: "refuse everyone's requests", usage: "--reason TEXT",
				run: func(ctx context.Context, e *env, a []string) error { return directoryBlockAll(ctx, e, a, true) }},
			{name: "unblock-all", summary: "lift the block on everyone",
				run: func(ctx context.Context, e *env, a []string) error { return directoryBlockAll(ctx, e, a, false) }},
			{name: "status", summary: "how many organisations and users, how many blocked", run: directoryStatus},
			{name: "audit", summary: "the directory's audit events (as otvet audit)", usage: "[--since DATE|DURATION] [--json] [--tz ZONE]", run: cmdAudit},
		}},
		{name: "audit", summary: "the directory's audit events and the decisions about connection requests",
			usage: "[--since DATE|DURATION] [--json] [--tz ZONE]", run: cmdAudit},
		{name: "digest", summary: "a manager's SLA digest now",
			usage: "--period day|week|month [--date YYYY-MM-DD] [--org ID] [--lang ru|en] [--print | --to EMAIL] [--as-of TIME]", run: cmdDigest},
		{name: "report", summary: "reports", subs: []*command{
			{name: "sla", summary: "the SLA report of a period",
				usage: "--from YYYY-MM-DD --to YYYY-MM-DD [--org ID] [--format text|json|csv] [--as-of TIME]", run: sub("sla", cmdReport)},
		}},
		{name: "plan", summary: "visits planned for a working day", usage: "[DATE] [--desk NAME] [--json]", run: cmdPlan},
		{name: "calendar", summary: "business time on the Russian production calendar", help: calendarHelp, subs: []*command{
			{name: "between", summary: "business time between two instants", usage: "[--tz ZONE] [--overrides FILE] [--json] FROM TO|-",
				help: calendarHelp, run: calendarSub("between")},
			{name: "add", summary: "the instant a business duration after another", usage: "[--tz ZONE] [--overrides FILE] [--json] FROM DURATION|-",
				help: calendarHelp, run: calendarSub("add")},
			{name: "show", summary: "a month or a year of the calendar", usage: "[--overrides FILE] YEAR [MONTH]",
				help: calendarHelp, run: calendarSub("show")},
		}},
		{name: "demo", summary: "the whole flow in-process, no setup needed", usage: "[--at TIME] [--keep] [--web ADDR]", run: cmdDemo},
		{name: "version", summary: "the version, commit and build date", run: cmdVersion},
	}
}
