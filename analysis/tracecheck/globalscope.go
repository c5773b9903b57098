package tracecheck

import (
	"go/ast"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
)

// globalScope reports a change to the global hub's scope made in a
// goroutine or task: sentry.WithScope, PushScope, PopScope or
// ConfigureScope, or a call to a function that makes one (its fact says
// so). The global hub has one stack of scopes, which every goroutine
// pushes onto and pops from. A change made through sentry.CurrentHub() is
// reported by hubCall instead, and a go statement calling such a function
// by goStmt. A goroutine is reported once, at its first change: the
// PopScope after a PushScope is the same mistake.
func (c *checker) globalScope(cur inspector.Cursor, call *ast.CallExpr) {
	run, lit := spawnedAt(c.pass.TypesInfo, cur)
	if run == sameGoroutine || c.scoped[lit] {
		return
	}
	if how := c.scopeChange(call, false); how != "" {
		c.scoped[lit] = true
		c.report(analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Message: globalScopeMessage(how)})
	}
}
