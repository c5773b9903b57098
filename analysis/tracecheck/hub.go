package tracecheck

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/edge"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

const (
	currentHubMessage = "sentry.CurrentHub() is the global hub every goroutine shares, so what this goroutine records lands on whatever span another one made current; use the hub on the task's ctx, sentrytask.HubFromContext(ctx) (see " + readmeURL + "#the-global-hub-in-a-goroutine)"
	cloneMessage      = "the hub is cloned inside the goroutine, racing with its spawner, which may have moved the hub's current span by then; clone it before the go statement, or start the goroutine with sentrytask.Go (see " + readmeURL + "#the-global-hub-in-a-goroutine)"
)

// runner says what runs a function literal.
type runner int

const (
	sameGoroutine runner = iota
	// rawGoroutine: a go statement, an errgroup or sync.WaitGroup task, a
	// time.AfterFunc function; it shares its spawner's hub.
	rawGoroutine
	task // a sentrytask task: it has a hub of its own
)

// hubCall reports sentry.CurrentHub() in a goroutine or task, and a hub
// cloned inside a goroutine rather than before it.
func (c *checker) hubCall(cur inspector.Cursor, call *ast.CallExpr) {
	info := c.pass.TypesInfo
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != sentryPath {
		return
	}
	switch {
	case fn.Name() == "CurrentHub" && fn.Signature().Recv() == nil:
		run := runnerOf(info, cur)
		if run == sameGoroutine || (run == rawGoroutine && clonedAt(cur)) {
			return // the clone is reported instead
		}
		c.report(analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Message: currentHubMessage})
	case fn.Name() == "Clone" && isHub(fn.Signature().Recv().Type()):
		if runnerOf(info, cur) == rawGoroutine {
			c.report(analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Message: cloneMessage})
		}
	}
}

// clonedAt reports whether the call at cur is the receiver of a Clone.
func clonedAt(cur inspector.Cursor) bool {
	sel, ok := cur.Parent().Node().(*ast.SelectorExpr)
	return ok && sel.Sel.Name == "Clone"
}

// runnerOf says what runs the code at cur: the innermost function literal
// around it that another goroutine runs decides.
func runnerOf(info *types.Info, cur inspector.Cursor) runner {
	r, _ := spawnedAt(info, cur)
	return r
}

// spawnedAt returns what runs the code at cur and, unless that is the
// same goroutine as the code around it, the function literal it runs.
func spawnedAt(info *types.Info, cur inspector.Cursor) (runner, ast.Node) {
	for lit := range cur.Enclosing((*ast.FuncLit)(nil)) {
		if r := literalRunner(info, lit); r != sameGoroutine {
			return r, lit.Node()
		}
	}
	return sameGoroutine, nil
}

// spawner reports whether call runs the function literals it is given in
// goroutines of their own: errgroup's, sync.WaitGroup's and sentrytask's
// Go, time.AfterFunc and the like.
func spawner(info *types.Info, call *ast.CallExpr) bool {
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	return ok && spawnerFunc(fn) != sameGoroutine
}

// spawnerFunc says what runs the function literals fn is given.
func spawnerFunc(fn *types.Func) runner {
	if fn.Pkg() == nil {
		return sameGoroutine
	}
	switch fn.Pkg().Path() {
	case errgroupPath:
		if fn.Name() == "Go" || fn.Name() == "TryGo" {
			return rawGoroutine
		}
	case "sync":
		if isWaitGroupGo(fn) {
			return rawGoroutine
		}
	case "time":
		if fn.Name() == "AfterFunc" {
			return rawGoroutine
		}
	case sentrytaskPath:
		switch fn.Name() {
		case "Go", "TryGo", "Submit", "TrySubmit":
			return task
		}
	}
	return sameGoroutine
}

// literalRunner says what runs the function literal at lit.
func literalRunner(info *types.Info, lit inspector.Cursor) runner {
	call, ok := lit.Parent().Node().(*ast.CallExpr)
	if !ok {
		return sameGoroutine
	}
	switch kind, _ := lit.ParentEdge(); kind {
	case edge.CallExpr_Fun:
		if _, ok := lit.Parent().Parent().Node().(*ast.GoStmt); ok {
			return rawGoroutine
		}
	case edge.CallExpr_Args:
		if fn, ok := typeutil.Callee(info, call).(*types.Func); ok {
			return spawnerFunc(fn)
		}
	}
	return sameGoroutine
}
