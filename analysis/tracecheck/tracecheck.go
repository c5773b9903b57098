// Package tracecheck defines an analyzer that finds where Go code breaks
// Sentry traces, and offers fixes that keep them whole with sentrytask.
//
// It reports:
//
//   - a go statement whose goroutine uses a context, or a span, that its
//     spawner holds too and that may carry a Sentry hub: uses it, that is,
//     hands it to code that reads the hub or moves its current span; the
//     fix starts it with sentrytask.Go;
//   - errgroup, sync.WaitGroup and time.AfterFunc tasks that do the same;
//     the fix builds an errgroup with sentrytask.NewGroup and passes each
//     task its own ctx;
//   - sentry.CurrentHub() in a goroutine or task, a hub cloned inside a
//     goroutine instead of before it, and a goroutine changing the global
//     hub's scope (sentry.WithScope and the like) or a hub it shares;
//   - trace headers (sentry-trace, baggage, traceparent) set once, outside a
//     RoundTripper or request editor, or from a value read before the
//     request.
//
// Whether code uses the Sentry state of a context or span is worked out
// for every function and carried across packages as an analysis fact
// (sentryUse), so a go statement is judged by what its goroutine runs,
// however many calls down. Each finding names what is shared, where the
// spawner got it, and the calls that read it.
//
// Only packages that depend on sentry-go, directly or not, are checked:
// nothing else can read a hub.
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
	FactTypes: []analysis.Fact{new(usesSentry), new(sentryUse)},
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
	if pass.Pkg.Name() != "main" {
		// A main package, a test's included, is imported by nothing.
		pass.ExportPackageFact(new(usesSentry))
	}

	c := &checker{
		pass:    pass,
		ignored: ignoredRanges(pass),
		fixed:   map[types.Object]bool{},
		facts:   map[*types.Func]*sentryUse{},
		scoped:  map[ast.Node]bool{},
	}
	if exportsFacts(pass) {
		c.computeFacts()
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
			c.globalScope(cur, n)
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
	// facts are the package's functions' facts, while they are worked out
	// and after.
	facts map[*types.Func]*sentryUse
	// scoped records the goroutines' function literals already reported
	// for changing the global scope.
	scoped map[ast.Node]bool
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
