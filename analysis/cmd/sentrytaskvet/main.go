// Command sentrytaskvet reports goroutines, errgroups, hubs and HTTP
// headers that break Sentry traces, and fixes what it can with sentrytask.
//
// Run it through go vet:
//
//	go install github.com/sentrytask/sentrytask/analysis/cmd/sentrytaskvet@latest
//	go vet -vettool=$(which sentrytaskvet) ./...
//
// or on its own, which can also apply the suggested fixes:
//
//	sentrytaskvet -fix ./...
package main

import (
	"golang.org/x/tools/go/analysis/singlechecker"

	"github.com/sentrytask/sentrytask/analysis/tracecheck"
)

func main() { singlechecker.Main(tracecheck.Analyzer) }
