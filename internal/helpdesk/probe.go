package helpdesk

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"time"

	"github.com/otvet/otvet/internal/mailmsg"
	"github.com/otvet/otvet/internal/regform"
)

// A message whose processing stopped the service could also have met a kill
// from outside (a deploy, an operator, the OOM killer after something else):
// after a restart the two look the same. A Probe tells them apart: it runs the
// risky part of intake (ProbeWork: the parser and the form readers) on the
// message in a separate process. When that process dies, hangs or runs out
// of memory, the message is poison for sure; when it finishes, the deaths
// came from outside and the message is ingested normally (up to
// maxSuspectDeaths deaths alone, after which it is quarantined anyway).

// Probe runs ProbeWork on raw in a separate process. It returns nil when the
// process finished, an error wrapping ErrMessageKills when the message
// killed it or made it overrun, and any other error when no process could be
// run (the guard then falls back to quarantining).
type Probe func(ctx context.Context, raw []byte, opts mailmsg.Options) error

// ErrMessageKills: processing the message killed a separate process or made it overrun.
var ErrMessageKills = errors.New("processing this message kills the process")

// ProbeEnv is the environment variable that makes an otvet process a probe
// child (see ProbeChild).
const ProbeEnv = "OTVET_PROBE_MESSAGE"

// probeTimeout is how long a probe child may run (ExecProbe's usual timeout).
const probeTimeout = 2 * DefaultParseTimeout

// maxSuspectDeaths: a message that died alone this often is quarantined even
// when the probe finds nothing (the danger is past the probe's reach). Kills
// from outside land at random, and the time a suspect takes (the probe's
// process start included) makes it a likely victim of the next one: eight
// in a row do not happen by chance, while a message that kills the service
// does so every time (with RestartSec=5, within a minute).
const maxSuspectDeaths = 8

// SetProbe installs a Probe (nil: none; a message that stopped the service
// twice is then quarantined without one).
func (s *Service) SetProbe(p Probe) { s.guard.probe = p }

// ProbeWork is the risky part of intake on one message: parsing it, and
// reading the connection request forms (XLSX, DOCX, HTML tables) in it.
func ProbeWork(raw []byte, opts mailmsg.Options) {
	m, err := mailmsg.Parse(raw, opts)
	if err != nil || m == nil {
		return
	}
	if regform.Detect(m) {
		_, _ = regform.Parse(m)
	}
}

// ProbeChild is the whole of a probe process: it reads the parse options (one
// JSON line) and the message from r, runs ProbeWork and returns the exit
// status (0: it finished).
func ProbeChild(r io.Reader) int {
	// The parent kills it after its timeout; should the parent die first,
	// the child still ends by itself.
	time.AfterFunc(2*probeTimeout, func() {
		fmt.Fprintln(os.Stderr, "probe: still running after", 2*probeTimeout)
		os.Exit(4)
	})
	br := bufio.NewReader(r)
	line, err := br.ReadBytes('\n')
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe: no options:", err)
		return 3
	}
	var opts mailmsg.Options
	if err := json.Unmarshal(line, &opts); err != nil {
		fmt.Fprintln(os.Stderr, "probe: bad options:", err)
		return 3
	}
	raw, err := io.ReadAll(br)
	if err != nil {
		fmt.Fprintln(os.Stderr, "probe: reading the message:", err)
		return 3
	}
	ProbeWork(raw, opts)
	return 0
}

// ExecProbe returns a Probe that runs the program at path (the otvet binary
// itself: os.Executable) as a probe child, killing it after timeout.
func ExecProbe(path string, timeout time.Duration) Probe {
	return func(ctx context.Context, raw []byte, opts mailmsg.Options) error {
		o, err := json.Marshal(opts)
		if err != nil {
			return fmt.Errorf("probe: %w", err)
		}
		cctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		cmd := exec.CommandContext(cctx, path)
		cmd.Env = append(os.Environ(), ProbeEnv+"=1")
		cmd.Stdin = io.MultiReader(bytes.NewReader(append(o, '\n')), bytes.NewReader(raw))
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err = cmd.Run()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return ctx.Err()
		}
		var ee *exec.ExitError
		if !errors.As(err, &ee) && cctx.Err() == nil {
			return fmt.Errorf("probe: %w", err) // could not run it
		}
		what := err.Error()
		if cctx.Err() != nil {
			what = fmt.Sprintf("still running after %s", timeout)
		}
		if first := firstLine(strings.TrimSpace(stderr.String())); first != "" {
			what += ": " + first
		}
		return fmt.Errorf("%w (in a separate process: %s)", ErrMessageKills, what)
	}
}

// firstLine is the first line of a probe's stderr ("fatal error: stack
// overflow", "runtime: out of memory"), at most 200 bytes.
func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > 200 {
		s = s[:200]
	}
	return s
}
