package config

import (
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Secret is a string that never prints: logs, errors and %v show <redacted>.
type Secret string

func (s Secret) String() string { return "<redacted>" }

// GoString keeps %#v from leaking the value.
func (s Secret) GoString() string { return `"<redacted>"` }

// LogValue implements slog.LogValuer.
func (s Secret) LogValue() slog.Value { return slog.StringValue("<redacted>") }

// Reveal returns the secret's value for the one place that needs it.
func (s Secret) Reveal() string { return string(s) }

// Duration is a time.Duration written in Go syntax ("90s", "25m", "168h") in YAML.
type Duration time.Duration

// D returns the value as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }

func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, errors.New("should be a duration like 90s, 15m or 168h, not a list or mapping"))
	}
	v, err := parseDuration(n.Value)
	if err != nil {
		return typeError(n, err)
	}
	*d = Duration(v)
	return nil
}

func (d Duration) MarshalYAML() (any, error) { return time.Duration(d).String(), nil }

func parseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return time.Duration(n) * time.Second, nil
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write it like 90s, 15m or 168h", s)
	}
	return v, nil
}

// Size is a byte count written as 25MiB, 512KiB, 10MB or a plain number in YAML.
type Size int64

func (s *Size) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode {
		return typeError(n, errors.New("should be a size like 25MiB, not a list or mapping"))
	}
	v, err := parseSize(n.Value)
	if err != nil {
		return typeError(n, err)
	}
	*s = Size(v)
	return nil
}

// typeError reports a bad value the way yaml.v3 reports its own type errors,
// so that decoding goes on and every bad value is reported.
func typeError(n *yaml.Node, err error) error {
	return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %v", n.Line, err)}}
}

func parseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"kB", 1e3}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(t, u.suffix) {
			mult, t = u.mult, strings.TrimSpace(strings.TrimSuffix(t, u.suffix))
			break
		}
	}
	n, err := strconv.ParseInt(t, 10, 64)
	if err != nil || n < 0 || n > math.MaxInt64/mult {
		return 0, fmt.Errorf("%q is not a size: write it like 25MiB, 512KiB or 1048576", s)
	}
	return n * mult, nil
}
