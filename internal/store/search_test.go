package store_test

import (
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/otvet/otvet/internal/store"
)

// seedSearch makes three tickets: #1 of «Школа № 3» about a printer, with an
// agent's answer and a scan attached; #2 of «Гимназия» about the МИС; #3
// with no organisation about mail.
func seedSearch(t *testing.T, db *store.DB) (ids [3]int64) {
	t.Helper()
	ctx := context.Background()
	err := db.Tx(ctx, func(tx *store.Tx) error {
		school := &store.Org{Name: "Школа № 3", SupportLevel: "basic"}
		if err := tx.CreateOrg(ctx, school, "test", t0); err != nil {
			return err
		}
		gym := &store.Org{Name: "Гимназия", SupportLevel: "basic"}
		if err := tx.CreateOrg(ctx, gym, "test", t0); err != nil {
			return err
		}
		type msg struct{ from, body, file string }
		for i, tc := range []struct {
			subject, requester string
			org                *store.Org
			status, assignee   string
			system             string
			frDue              time.Duration
			msgs               []msg
		}{
			{"Не печатает", "ivanova@school3.ru", school, store.StatusOpen, "agent@desk.ru", "", time.Hour,
				[]msg{{"ivanova@school3.ru", "Принтер в кабинете 12 не печатает, мигает лампочка.", "скан ошибки.pdf"},
					{"agent@desk.ru", "Замените картридж принтера, пожалуйста.", ""}}},
			{"МИС не открывается", "petrov@gym.ru", gym, store.StatusWaiting, "", "МИС", -time.Hour,
				[]msg{{"petrov@gym.ru", "Ошибка входа в МИС с утра.", ""}}},
			{"Почта", "someone@mail.ru", nil, store.StatusOpen, "", "", -2 * time.Hour,
				[]msg{{"someone@mail.ru", "Не уходят письма.", ""}}},
		} {
			tk := &store.Ticket{Desk: "sd", Status: tc.status, Channel: "email", Subject: tc.subject, RequesterEmail: tc.requester,
				CreatedAt: t0, UpdatedAt: t0, System: tc.system, SupportLevel: "basic",
				FirstResponseDue: sql.NullTime{Time: t0.Add(tc.frDue), Valid: true}}
			if tc.org != nil {
				tk.OrgID = sql.NullInt64{Int64: tc.org.ID, Valid: true}
			}
			if err := tx.CreateTicket(ctx, tk); err != nil {
				return err
			}
			if tc.assignee != "" {
				if err := tx.SetTicketField(ctx, tk.ID, store.FieldAssignee, tc.assignee, t0); err != nil {
					return err
				}
			}
			ids[i] = tk.ID
			for _, m := range tc.msgs {
				dm := &store.Message{TicketID: tk.ID, Direction: store.DirIn, FromAddr: m.from, Subject: tc.subject, BodyText: store.Text(m.body), CreatedAt: t0}
				if err := tx.InsertMessage(ctx, dm); err != nil {
					return err
				}
				if m.file != "" {
					if err := tx.InsertAttachment(ctx, &store.Attachment{MessageID: dm.ID, Filename: m.file, Size: 1}); err != nil {
						return err
					}
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

func TestSearchAndFilter(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := seedSearch(t, db)
		one, two, three := ids[0], ids[1], ids[2]
		cases := []struct {
			name string
			f    store.TicketFilter
			want []int64
		}{
			{"every ticket, nearest due first", store.TicketFilter{}, []int64{three, two, one}},
			{"another form of a word", store.TicketFilter{Search: "принтеру"}, []int64{one}},
			{"a phrase with a stop word", store.TicketFilter{Search: "не печатает"}, []int64{one}},
			{"words in different documents", store.TicketFilter{Search: "школа картридж"}, []int64{one}},
			{"the organisation", store.TicketFilter{Search: "школе № 3"}, []int64{one}},
			{"an attachment's name", store.TicketFilter{Search: "скан"}, []int64{one}},
			{"the requester's address", store.TicketFilter{Search: "petrov@gym.ru"}, []int64{two}},
			{"capitals and ё", store.TicketFilter{Search: "ОШИБКА"}, []int64{two, one}},
			{"no such word", store.TicketFilter{Search: "сканер принтер"}, nil},
			{"nothing to look for", store.TicketFilter{Search: " ,. "}, nil},
			{"status", store.TicketFilter{Statuses: []string{store.StatusOpen}}, []int64{three, one}},
			{"active", store.TicketFilter{Statuses: []string{store.StatusActive}}, []int64{three, two, one}},
			{"waiting", store.TicketFilter{Waiting: true}, []int64{two}},
			{"waiting and open contradict", store.TicketFilter{Waiting: true, Statuses: []string{store.StatusOpen}}, nil},
			{"assignee", store.TicketFilter{Assignee: "Agent@desk.ru"}, []int64{one}},
			{"unassigned", store.TicketFilter{Unassigned: true}, []int64{three, two}},
			{"organisation", store.TicketFilter{OrgID: orgOf(t, db, two)}, []int64{two}},
			{"system, any case", store.TicketFilter{System: "мис"}, []int64{two}},
			{"level", store.TicketFilter{Level: "basic", Priority: store.PriorityNormal}, []int64{three, two, one}},
			{"breached: running clocks only", store.TicketFilter{Breached: true, Now: t0}, []int64{three}},
			{"due within", store.TicketFilter{DueWithin: 2 * time.Hour, Now: t0}, []int64{three, one}},
			{"search and filter", store.TicketFilter{Search: "ошибка", Unassigned: true}, []int64{two}},
			{"limit", store.TicketFilter{Limit: 1}, []int64{three}},
		}
		for _, c := range cases {
			items, err := db.FindTickets(ctx, c.f)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			var got []int64
			for _, it := range items {
				got = append(got, it.ID)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("%s: got %v, want %v", c.name, got, c.want)
			}
		}
		items, err := db.FindTickets(ctx, store.TicketFilter{Search: "принтер"})
		if err != nil || len(items) != 1 || items[0].OrgName != "Школа № 3" || !items[0].Due().Equal(t0.Add(time.Hour)) {
			t.Fatalf("item: %+v, %v", items, err)
		}
		for _, bad := range []store.TicketFilter{{Statuses: []string{"opened"}}, {Assignee: "a@b", Unassigned: true}, {Limit: -1}} {
			if _, err := db.FindTickets(ctx, bad); err == nil {
				t.Errorf("%+v accepted", bad)
			}
		}
	})
}

func orgOf(t *testing.T, db *store.DB, id int64) int64 {
	t.Helper()
	tk, err := db.Ticket(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return tk.OrgID.Int64
}

// TestSearchFollowsRequester: the ticket's document follows a requester
// identified later (SetTicketRequester), and Reindex rebuilds the index to
// the same answers.
func TestSearchFollowsRequesterAndReindex(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ids := seedSearch(t, db)
		find := func(q string) []int64 {
			t.Helper()
			items, err := db.FindTickets(ctx, store.TicketFilter{Search: q})
			if err != nil {
				t.Fatal(err)
			}
			var got []int64
			for _, it := range items {
				got = append(got, it.ID)
			}
			return got
		}
		err := db.Tx(ctx, func(tx *store.Tx) error {
			return tx.SetTicketRequester(ctx, ids[2], "Сидоров Пётр", sql.NullInt64{Int64: orgOf(t, db, ids[1]), Valid: true}, t0)
		})
		if err != nil {
			t.Fatal(err)
		}
		if got := find("гимназия сидоров"); !slices.Equal(got, []int64{ids[2]}) {
			t.Fatalf("after identification: %v", got)
		}
		before := map[string][]int64{}
		queries := []string{"принтер", "скан", "гимназия", "письма", "ivanova@school3.ru"}
		for _, q := range queries {
			before[q] = find(q)
		}
		st, err := db.Reindex(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if st != (store.ReindexStats{Tickets: 3, Messages: 4, Attachments: 1}) {
			t.Errorf("reindex: %+v", st)
		}
		for _, q := range queries {
			if got := find(q); !slices.Equal(got, before[q]) || len(got) == 0 {
				t.Errorf("%q after reindex: %v, before %v", q, got, before[q])
			}
		}
	})
}

// The index's changes of a transaction are written when it commits, or
// before it searches: a ticket stored earlier in the same transaction is
// found, a reply in a later one is appended to its row, and Otvet's own
// automatic messages are not indexed (nor by Reindex).
func TestSearchWithinTransactionAndAutoMessages(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		var id int64
		add := func(tx *store.Tx, dir string, auto bool, body string) error {
			return tx.InsertMessage(ctx, &store.Message{TicketID: id, Direction: dir, Auto: auto, FromAddr: "x@y.ru", BodyText: store.Text(body), CreatedAt: t0})
		}
		err := db.Tx(ctx, func(tx *store.Tx) error {
			var err error
			if id, err = openTicket(ctx, tx, "Сканер"); err != nil {
				return err
			}
			if err := add(tx, store.DirIn, false, "Сканер не сканирует документы."); err != nil {
				return err
			}
			if err := add(tx, store.DirOut, true, "Ваше обращение зарегистрировано, подтверждение."); err != nil {
				return err
			}
			items, err := tx.FindTickets(ctx, store.TicketFilter{Search: "сканирует"})
			if err != nil || len(items) != 1 || items[0].ID != id {
				t.Errorf("search within the transaction: %v, %v", items, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.Tx(ctx, func(tx *store.Tx) error {
			return add(tx, store.DirIn, false, "Проверил драйвер, не помогло.")
		}); err != nil {
			t.Fatal(err)
		}
		check := func(when string) {
			t.Helper()
			for q, want := range map[string]int{"сканер": 1, "сканирует документы": 1, "драйвер": 1, "зарегистрировано": 0, "подтверждение": 0,
				strconv.FormatInt(id, 10): 1} { // its number
				items, err := db.FindTickets(ctx, store.TicketFilter{Search: q})
				if err != nil || len(items) != want {
					t.Errorf("%s: %q found %d tickets (%v), want %d", when, q, len(items), err, want)
				}
			}
		}
		check("as stored")
		if _, err := db.Reindex(ctx, nil); err != nil {
			t.Fatal(err)
		}
		check("after reindex")
	})
}

// A message's long text is stored packed on SQLite and reads back whole
// through every reader; a short one and an HTML twin too.
func TestMessageTextRoundTrip(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		long := strings.Repeat("Принтер в кабинете 12 не печатает, мигает лампочка. ", 60)
		var id int64
		var first string
		var files []store.FollowUpFile
		err := db.Tx(ctx, func(tx *store.Tx) error {
			var err error
			if id, err = openTicket(ctx, tx, "Принтер"); err != nil {
				return err
			}
			for _, m := range []*store.Message{
				{TicketID: id, Direction: store.DirIn, FromAddr: "x@y.ru", BodyText: store.Text(long), BodyHTML: store.Text("<p>" + long + "</p>"), CreatedAt: t0},
				{TicketID: id, Direction: store.DirIn, FromAddr: "x@y.ru", BodyText: "Скан во вложении. " + store.Text(long), CreatedAt: t0},
				{TicketID: id, Direction: store.DirOut, FromAddr: "desk@y.ru", BodyText: "Коротко.", CreatedAt: t0},
			} {
				if err := tx.InsertMessage(ctx, m); err != nil {
					return err
				}
				if strings.HasPrefix(string(m.BodyText), "Скан") {
					if err := tx.InsertAttachment(ctx, &store.Attachment{MessageID: m.ID, Filename: "скан.png", Size: 1}); err != nil {
						return err
					}
				}
			}
			if first, err = tx.FirstMessageText(ctx, id); err != nil {
				return err
			}
			files, err = tx.FollowUpFiles(ctx, id)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if first != long {
			t.Errorf("FirstMessageText: %d bytes, want %d", len(first), len(long))
		}
		if len(files) != 1 || string(files[0].Text) != "Скан во вложении. "+long {
			t.Errorf("FollowUpFiles: %+v", files)
		}
		ms, err := db.Messages(ctx, id)
		if err != nil || len(ms) != 3 {
			t.Fatalf("messages: %d, %v", len(ms), err)
		}
		if string(ms[0].BodyText) != long || string(ms[0].BodyHTML) != "<p>"+long+"</p>" || ms[2].BodyText != "Коротко." {
			t.Errorf("read back: %q… %q… %q", ms[0].BodyText[:20], ms[0].BodyHTML[:20], ms[2].BodyText)
		}
	})
}

// A message's text worked out beforehand (PrepareMessage) is stored and
// indexed as InsertMessage would have; one made from another text is not
// used.
func TestMessagePrepared(t *testing.T) {
	engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		long := strings.Repeat("Сканер не сканирует документы в кабинете 5. ", 40)
		var id int64
		err := db.Tx(ctx, func(tx *store.Tx) error {
			var err error
			if id, err = openTicket(ctx, tx, "Сканер"); err != nil {
				return err
			}
			ok := &store.Message{TicketID: id, Direction: store.DirIn, FromAddr: "x@y.ru", BodyText: store.Text(long), CreatedAt: t0}
			ok.Prep = db.PrepareMessage(ok)
			stale := &store.Message{TicketID: id, Direction: store.DirIn, FromAddr: "x@y.ru", BodyText: "Картридж закончился.", CreatedAt: t0}
			stale.Prep = db.PrepareMessage(&store.Message{Direction: store.DirIn, FromAddr: "x@y.ru", BodyText: "Монитор мигает."})
			for _, m := range []*store.Message{ok, stale} {
				if err := tx.InsertMessage(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		ms, err := db.Messages(ctx, id)
		if err != nil || len(ms) != 2 || string(ms[0].BodyText) != long || ms[1].BodyText != "Картридж закончился." {
			t.Fatalf("messages: %v, %v", ms, err)
		}
		for q, want := range map[string]int{"сканирует": 1, "картридж": 1, "монитор": 0} {
			items, err := db.FindTickets(ctx, store.TicketFilter{Search: q})
			if err != nil || len(items) != want {
				t.Errorf("%q: %d tickets, want %d (%v)", q, len(items), want, err)
			}
		}
	})
}

// openTicket opens a ticket of x@y.ru about subject (the tests of stored text and search).
func openTicket(ctx context.Context, tx *store.Tx, subject string) (int64, error) {
	tk := &store.Ticket{Desk: "sd", Status: store.StatusOpen, Channel: "email", Subject: subject, RequesterEmail: "x@y.ru",
		CreatedAt: t0, UpdatedAt: t0, SupportLevel: "basic"}
	err := tx.CreateTicket(ctx, tk)
	return tk.ID, err
}
