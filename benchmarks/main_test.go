package benchmarks

import (
	"testing"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	// ants starts a default pool, with its purge and clock goroutines, when
	// it is imported; only those are ignored, not the pools we start.
	goleak.VerifyTestMain(m, goleak.IgnoreCurrent())
}
