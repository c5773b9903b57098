// Package tracecheck defines an analyzer that finds where Go code breaks
// Sentry traces, and offers fixes that keep them whole with sentrytask.
//
// It reports:
//
//   - a go statement whose goroutine uses a context that may carry a Sentry
//     hub or span; the fix starts it with sentrytask.Go;
//   - errgroup tasks that use such a context; the fix builds the group with
//     sentrytask.NewGroup and passes each task its own ctx;
//   - sentry.CurrentHub() in a goroutine or task, and a hub cloned inside a
//     goroutine instead of before it;
//   - trace headers (sentry-trace, baggage, traceparent) set once, outside a
//     RoundTripper or request editor, or from a value read before the
//     request.
//
// Only packages that depend on sentry-go, directly or not, are checked: a
// context can carry a hub only where something can read one from it.
//
// A finding can be silenced with a comment on its line or the line above,
// or in the doc comment of the function holding it:
//
//	//sentrytask:ignore why this one is fine
package tracecheck

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/inspect"
	"golang.org/x/tools/go/ast/inspector"
)

// Analyzer reports code that breaks Sentry traces. It is what
// cmd/sentrytaskvet runs, and what a golangci-lint plugin or any other
// go/analysis driver can load.
var Analyzer = &analysis.Analyzer{
	Name:      "sentrytask",
	Doc:       "report goroutines, errgroups, hubs and HTTP headers that break Sentry traces\n\nSee https://github.com/sentrytask/sentrytask/blob/main/analysis/README.md.",
	URL:       readmeURL + "#sentrytaskvet-finding-what-breaks-traces",
	Requires:  []*analysis.Analyzer{inspect.Analyzer},
	FactTypes: []analysis.Fact{new(usesSentry)},
	Run:       run,
}

// readmeURL is the analyzer's README, whose sections the findings link.
const readmeURL = "https://github.com/sentrytask/sentrytask/blob/main/analysis/README.md"

// Import paths the checks recognise.
const (
	sentryPath     = "github.com/getsentry/sentry-go"
	sentrytaskPath = "github.com/sentrytask/sentrytask"
	errgroupPath   = "golang.org/x/sync/errgroup"
)

// usesSentry marks a package that depends on sentry-go. It is a fact so
// that it reaches every package importing one that has it, however far
// away sentry-go is.
type usesSentry struct{}

func (*usesSentry) AFact() {}

func (*usesSentry) String() string { return "usesSentry" }

func run(pass *analysis.Pass) (any, error) {
	if !dependsOnSentry(pass) {
		return nil, nil
	}
	pass.ExportPackageFact(new(usesSentry))

	c := &checker{
		pass:    pass,
		ignored: ignoredRanges(pass),
		fixed:   map[types.Object]bool{},
	}
	in := pass.ResultOf[inspect.Analyzer].(*inspector.Inspector)
	for cur := range in.Root().Preorder((*ast.GoStmt)(nil), (*ast.CallExpr)(nil), (*ast.AssignStmt)(nil), (*ast.CompositeLit)(nil)) {
		switch n := cur.Node().(type) {
		case *ast.GoStmt:
			c.goStmt(cur, n)
		case *ast.CallExpr:
			c.errgroupTask(cur, n)
			c.spawnCall(cur, n)
			c.hubCall(cur, n)
			c.headerCall(cur, n)
		case *ast.AssignStmt:
			c.headerAssign(cur, n)
		case *ast.CompositeLit:
			c.headerLit(cur, n)
		}
	}
	return nil, nil
}

// dependsOnSentry reports whether the package imports sentry-go or a
// package that depends on it.
func dependsOnSentry(pass *analysis.Pass) bool {
	if pass.Pkg.Path() == sentryPath {
		return true
	}
	for _, imp := range pass.Pkg.Imports() {
		if imp.Path() == sentryPath || pass.ImportPackageFact(imp, new(usesSentry)) {
			return true
		}
	}
	return false
}

// checker holds what one pass's checks share.
type checker struct {
	pass    *analysis.Pass
	ignored []lineRange
	// fixed records the groups that already carry a fix, so that a group
	// with several offending tasks is rewritten once.
	fixed map[types.Object]bool
}

// isStd reports whether pkg is part of the standard library, judged by
// where it comes from: not the package being checked, nor any package that
// depends on sentry-go (the usesSentry fact, which the standard library
// never has), and a path without a dot in its first element. A package of
// an application module named without a dot (module myapp) that uses
// sentry-go is therefore checked as the application's, never exempted as
// the standard library's; one that does not use sentry-go can no more read
// a hub from a context than the standard library can.
func (c *checker) isStd(pkg *types.Package) bool {
	if pkg == c.pass.Pkg || pkg.Path() == sentryPath || c.pass.ImportPackageFact(pkg, new(usesSentry)) {
		return false
	}
	return looksStd(pkg.Path())
}

// report reports a diagnostic unless a //sentrytask:ignore comment
// silences it.
func (c *checker) report(d analysis.Diagnostic) {
	pos := c.pass.Fset.Position(d.Pos)
	for _, r := range c.ignored {
		if r.file == pos.Filename && r.from <= pos.Line && pos.Line <= r.to {
			return
		}
	}
	c.pass.Report(d)
}
