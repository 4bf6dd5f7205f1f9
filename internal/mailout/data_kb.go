package mailout

// Announcements and the knowledge base (docs/announcements.md, docs/kb.md).
const (
	// TmplAnnouncement is a notice mailed to users (`otvet announce`); data AnnouncementData.
	TmplAnnouncement = "announcement"
	// TmplMaintenanceNotice tells a system's users of a maintenance window
	// (added, changed, cancelled, over); data MaintenanceNoticeData.
	TmplMaintenanceNotice = "maintenance_notice"
)

// Kinds of MaintenanceNoticeData.
const (
	MaintenanceAdded     = "added"
	MaintenanceChanged   = "changed"
	MaintenanceCancelled = "cancelled"
	MaintenanceOver      = "over"
)

// ArticleRef is a knowledge-base article named in a mail: suggested in an
// acknowledgement, shown to agents in a notification.
type ArticleRef struct {
	Number  int64 // the #статья N
	Title   string
	Excerpt string // a sentence or two about the request
	URL     string // "" when the article has no address to read it at
}

// AnnouncementData is the data of "announcement".
type AnnouncementData struct {
	Name                     string // the recipient's name ("" when unknown)
	Subject                  string
	Body                     string // plain text as the operator wrote it
	DeskName, SupportAddress string
}

// MaintenanceNoticeData is the data of "maintenance_notice".
type MaintenanceNoticeData struct {
	Kind     string // Maintenance*
	Name     string // the recipient's name
	System   string
	From, To string // in the recipient's desk zone: "27.12.2024 16:00 (Иркутск)"
	// WasTo is the end announced before (Kind changed).
	WasTo                    string
	Note                     string
	DeskName, SupportAddress string
}

func zeroDataKB(name string) (any, bool) {
	switch name {
	case TmplAnnouncement:
		return AnnouncementData{}, true
	case TmplMaintenanceNotice:
		return MaintenanceNoticeData{}, true
	}
	return nil, false
}
