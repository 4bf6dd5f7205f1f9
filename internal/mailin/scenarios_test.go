package mailin_test

import (
	"testing"

	"github.com/otvet/otvet/internal/mailin/mailintest"
)

// TestScenarios runs the poller's behaviours against the in-process
// imapmemserver. Integration tests run the same list against Dovecot.
func TestScenarios(t *testing.T) {
	mailintest.RunScenarios(t, func(t *testing.T) mailintest.Env { return mailintest.MemEnv(t) })
}
