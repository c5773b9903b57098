// Package golangci registers sentrytask's analyzer as a golangci-lint
// module plugin, named "sentrytask".
//
// In .custom-gcl.yml:
//
//	plugins:
//	  - module: github.com/sentrytask/sentrytask/analysis
//	    import: github.com/sentrytask/sentrytask/analysis/golangci
//	    version: latest
//
// and in .golangci.yml:
//
//	linters:
//	  enable: [sentrytask]
//	  settings:
//	    custom:
//	      sentrytask:
//	        type: module
package golangci

import (
	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/sentrytask/sentrytask/analysis/tracecheck"
)

func init() { register.Plugin("sentrytask", New) }

// settings is the plugin's configuration: none yet, so any setting is a
// mistake worth an error rather than silence.
type settings struct{}

// New returns the plugin; golangci-lint calls it with the linter's
// settings.
func New(conf any) (register.LinterPlugin, error) {
	if _, err := register.DecodeSettings[settings](conf); err != nil {
		return nil, err
	}
	return plugin{}, nil
}

type plugin struct{}

// BuildAnalyzers returns the analyzer.
func (plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) {
	return []*analysis.Analyzer{tracecheck.Analyzer}, nil
}

// GetLoadMode asks for type information, which every check needs.
func (plugin) GetLoadMode() string { return register.LoadModeTypesInfo }
