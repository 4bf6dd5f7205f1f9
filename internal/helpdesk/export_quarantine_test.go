package helpdesk

import "github.com/otvet/otvet/internal/mailmsg"

// SetCrashHook makes every intake attempt call f right after it is recorded;
// an error from f ends IngestBatch as if the process had died there.
func SetCrashHook(s *Service, f func(uids []uint32) error) { s.guard.crash = f }

// SetParser replaces the message parser (to make one hang or panic).
func SetParser(s *Service, f func([]byte, mailmsg.Options) (*mailmsg.Message, error)) {
	s.guard.parse = f
}
