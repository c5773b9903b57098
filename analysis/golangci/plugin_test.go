package golangci_test

import (
	"testing"

	"github.com/golangci/plugin-module-register/register"
	"go.uber.org/goleak"

	_ "github.com/sentrytask/sentrytask/analysis/golangci"
	"github.com/sentrytask/sentrytask/analysis/tracecheck"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// TestPlugin looks the plugin up as golangci-lint does, by name, and
// checks it hands over the analyzer with type information.
func TestPlugin(t *testing.T) {
	newPlugin, err := register.GetPlugin("sentrytask")
	if err != nil {
		t.Fatal(err)
	}
	p, err := newPlugin(nil)
	if err != nil {
		t.Fatal(err)
	}
	analyzers, err := p.BuildAnalyzers()
	if err != nil || len(analyzers) != 1 || analyzers[0] != tracecheck.Analyzer {
		t.Errorf("BuildAnalyzers() = %v, %v; want the tracecheck analyzer", analyzers, err)
	}
	if mode := p.GetLoadMode(); mode != register.LoadModeTypesInfo {
		t.Errorf("GetLoadMode() = %q, want %q", mode, register.LoadModeTypesInfo)
	}
	if _, err := newPlugin(map[string]any{"strict": true}); err == nil {
		t.Error("an unknown setting was accepted")
	}
}
