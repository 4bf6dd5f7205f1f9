package regform

import (
	"fmt"
	"time"
)

// Budgets of one message: what all the readers together (HTML, text, CSV,
// XLSX, DOCX) may lay out, produce and decompress for one call of Parse or
// Detect. A reader that exhausts one stops cleanly, keeps what it has read
// and records what was cut; a hostile attachment of a few kilobytes can
// therefore not make the work grow beyond these bounds.
const (
	// maxMessageCells bounds the table cells laid out (merged cells count
	// once per copy): 200,000 cells are about 5 MB.
	maxMessageCells = 200_000
	// maxMessageText bounds the text taken from cells and rendered as
	// lines (a shared string repeated in many cells counts each time).
	maxMessageText = 4 << 20
	// maxMessageUnzipped bounds what is decompressed from the parts of
	// XLSX and DOCX packages together (each part is also bounded by
	// maxXMLBytes).
	maxMessageUnzipped = 32 << 20
	// maxTextAttachment bounds what is read of one text or CSV attachment.
	maxTextAttachment = 4 << 20
	// maxSheets bounds the worksheets read from one workbook.
	maxSheets = 64
	// maxMessageTime is a safety net: the readers stop when one message
	// has taken this long.
	maxMessageTime = 10 * time.Second
	// maxCuts bounds the notes kept about what was cut.
	maxCuts = 16
)

// budget is what is left of the budgets of one message, and the notes
// (in Russian, like Problems) on what was cut.
type budget struct {
	cells    int
	text     int
	unzipped int64
	deadline time.Time
	cuts     []string
	ticks    int
	late     bool
}

func newBudget() *budget {
	return &budget{
		cells:    maxMessageCells,
		text:     maxMessageText,
		unzipped: maxMessageUnzipped,
		deadline: time.Now().Add(maxMessageTime),
	}
}

// cut records what was cut, once per distinct note.
func (b *budget) cut(format string, args ...any) {
	if len(b.cuts) >= maxCuts {
		return
	}
	s := fmt.Sprintf(format, args...)
	for _, c := range b.cuts {
		if c == s {
			return
		}
	}
	b.cuts = append(b.cuts, s)
}

// takeCells reserves n cells; false (and a note on where) when the budget
// cannot afford them.
func (b *budget) takeCells(n int, where string) bool {
	if n > b.cells {
		b.cells = 0
		b.cut("%s: прочитано не всё — превышен предел в %d ячеек таблиц на одно письмо", where, maxMessageCells)
		return false
	}
	b.cells -= n
	return true
}

// takeText reserves n bytes of text; false (and a note) when the budget
// cannot afford them.
func (b *budget) takeText(n int, where string) bool {
	if n > b.text {
		b.text = 0
		b.cut("%s: прочитано не всё — превышен предел в %d МБ текста на одно письмо", where, maxMessageText>>20)
		return false
	}
	b.text -= n
	return true
}

// expired tells, checking the clock every 256 calls, whether the message
// has taken too long; the first time it records a note on where.
func (b *budget) expired(where string) bool {
	if b.late {
		return true
	}
	b.ticks++
	if b.ticks%256 != 0 || time.Now().Before(b.deadline) {
		return false
	}
	b.late = true
	b.cut("%s: прочитано не всё — разбор письма занял больше %d с", where, int(maxMessageTime/time.Second))
	return true
}

// exhausted: no cell or no text left; readers stop early.
func (b *budget) exhausted() bool {
	return b.cells <= 0 || b.text <= 0 || b.late
}
