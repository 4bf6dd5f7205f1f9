//go:build !unix

package mailmsg

import "time"

func processCPUTime() time.Duration { return 0 }
