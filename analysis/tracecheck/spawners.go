package tracecheck

import (
	"go/ast"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// Go starts concurrent work in more ways than the go statement:
// sync.WaitGroup.Go (Go 1.25) and time.AfterFunc run a function in a
// goroutine of their own, and a go statement may run a function value
// defined earlier. Their functions are checked as a go statement's literal
// is; none gets a fix, since the rewrite would change who waits for the
// work or when it runs.

const (
	hubChangedMessage = "this goroutine changes a hub that its spawner, and any other goroutine given it, use too, so their events get this goroutine's tags, breadcrumbs and spans; give it a clone made before it starts (hub.Clone()), or start it with sentrytask.Go and change the hub on its ctx (see " + readmeURL + "#a-shared-hub-changed-in-a-goroutine)"
)

// spawnCall reports the function a sync.WaitGroup.Go or time.AfterFunc call
// runs, when it uses a context that may carry a hub or changes a shared
// hub.
func (c *checker) spawnCall(cur inspector.Cursor, call *ast.CallExpr) {
	fn, ok := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	if !ok || fn.Pkg() == nil {
		return
	}
	var arg ast.Expr
	var message spawnerMessage
	switch {
	case isWaitGroupGo(fn) && len(call.Args) == 1:
		arg, message = call.Args[0], waitGroupMessage
	case fn.Pkg().Path() == "time" && fn.Name() == "AfterFunc" && len(call.Args) == 2:
		arg, message = call.Args[1], afterFuncMessage
	default:
		return
	}
	f := c.newFlow(cur)
	lit := c.literalOf(f, arg)
	if lit == nil {
		return
	}
	if uses := c.capturedContexts(f, lit, nil); len(uses) > 0 {
		c.report(analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Message: message(c.sharedState(cur, f, uses[0]), uses[0].via)})
	}
	c.hubChanges(f, lit, nil)
}

func isWaitGroupGo(fn *types.Func) bool {
	recv := fn.Signature().Recv()
	return fn.Name() == "Go" && recv != nil && isNamedOrPointer(recv.Type(), "sync", "WaitGroup")
}

// literalOf returns the function literal e evaluates to: e itself, or the
// literal a local variable is given once and never changed (work :=
// func() { … }). It returns nil for anything else.
func (c *checker) literalOf(f *flow, e ast.Expr) *ast.FuncLit {
	switch e := ast.Unparen(e).(type) {
	case *ast.FuncLit:
		return e
	case *ast.Ident:
		v, ok := c.pass.TypesInfo.Uses[e].(*types.Var)
		if !ok || f.body == nil || !c.stableVar(f, v) {
			return nil
		}
		var lit *ast.FuncLit
		ast.Inspect(f.body, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.AssignStmt:
				for i, lhs := range n.Lhs {
					if id, ok := lhs.(*ast.Ident); ok && c.pass.TypesInfo.Defs[id] == v {
						lit, _ = ast.Unparen(pick(n.Rhs, len(n.Lhs), i)).(*ast.FuncLit)
					}
				}
			case *ast.ValueSpec:
				for i, name := range n.Names {
					if c.pass.TypesInfo.Defs[name] == v {
						lit, _ = ast.Unparen(pick(n.Values, len(n.Names), i)).(*ast.FuncLit)
					}
				}
			}
			return lit == nil
		})
		return lit
	}
	return nil
}

// hubMutators are the methods that change a hub, or the scope it points
// at, which every goroutine holding the hub sees.
var hubMutators = map[string]bool{
	"ConfigureScope": true, "PushScope": true, "PopScope": true, "WithScope": true,
	"BindClient": true, "AddBreadcrumb": true,
}

func isScopeMutator(name string) bool {
	for _, prefix := range []string{"Set", "Add", "Remove", "Clear"} {
		if len(name) > len(prefix) && name[:len(prefix)] == prefix {
			return true
		}
	}
	return false
}

// hubChanges reports the calls in lit, which runs in a goroutine of its
// own, that change a hub the goroutine shares with its spawner: one it
// captured or was handed as an argument (args are the go statement's),
// unless that hub was cloned, or made, for it before it started.
func (c *checker) hubChanges(f *flow, lit *ast.FuncLit, args []ast.Expr) {
	info := c.pass.TypesInfo
	// shared reports whether v, a hub variable lit reads, may be a hub its
	// spawner holds too.
	shared := func(v *types.Var) bool {
		if v.Pos() >= lit.Pos() && v.Pos() < lit.End() {
			for i, p := range paramsOf(info, lit) {
				if p == v {
					return i < len(args) && !c.freshHub(f, args[i])
				}
			}
			return false // a hub of the goroutine's own
		}
		return !c.freshHubVar(f, v)
	}
	ast.Inspect(lit.Body, func(n ast.Node) bool {
		if inner, ok := n.(*ast.FuncLit); ok && inner != lit {
			return true
		}
		call, ok := n.(*ast.CallExpr)
		if !ok {
			return true
		}
		fn, ok := typeutil.Callee(info, call).(*types.Func)
		if !ok || fn.Pkg() == nil || fn.Pkg().Path() != sentryPath || fn.Signature().Recv() == nil {
			return true
		}
		recv := changedHub(info, call, fn, hubMutators)
		if recv == nil {
			return true
		}
		id, ok := ast.Unparen(recv).(*ast.Ident)
		if !ok {
			return true
		}
		if v, ok := info.Uses[id].(*types.Var); ok && shared(v) {
			c.report(analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Message: hubChangedMessage})
		}
		return true
	})
}

// changedHub returns the hub that call, to fn (a method of sentry-go's),
// changes: the receiver of a hub method in methods
// (hub.ConfigureScope(…)), or the hub whose scope a scope mutator changes
// (hub.Scope().SetTag(…)). It returns nil for any other call.
func changedHub(info *types.Info, call *ast.CallExpr, fn *types.Func, methods map[string]bool) ast.Expr {
	sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr)
	if !ok {
		return nil
	}
	switch t := fn.Signature().Recv().Type(); {
	case isHub(t) && methods[fn.Name()]:
		return sel.X
	case isNamedOrPointer(t, sentryPath, "Scope") && isScopeMutator(fn.Name()):
		inner, ok := ast.Unparen(sel.X).(*ast.CallExpr)
		if !ok {
			return nil
		}
		s, ok := ast.Unparen(inner.Fun).(*ast.SelectorExpr)
		if !ok || s.Sel.Name != "Scope" || !isHub(info.TypeOf(s.X)) {
			return nil
		}
		return s.X
	}
	return nil
}

// paramsOf returns the variables of lit's parameters.
func paramsOf(info *types.Info, lit *ast.FuncLit) []*types.Var {
	sig, ok := info.TypeOf(lit).(*types.Signature)
	if !ok {
		return nil
	}
	var vs []*types.Var
	for i := range sig.Params().Len() {
		vs = append(vs, sig.Params().At(i))
	}
	return vs
}

// freshHub reports whether e makes a hub of its own: hub.Clone() or
// sentry.NewHub(…).
func (c *checker) freshHub(f *flow, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		if id, ok := ast.Unparen(e).(*ast.Ident); ok {
			if v, ok := c.pass.TypesInfo.Uses[id].(*types.Var); ok {
				if c.freshHubVar(f, v) {
					return true
				}
				rhs := c.dominating(f, v, id)
				return rhs != nil && c.freshHub(f, rhs)
			}
		}
		return false
	}
	fn, ok := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	if !ok || fn.Pkg() == nil || fn.Pkg().Path() != sentryPath {
		return false
	}
	return fn.Name() == "NewHub" && fn.Signature().Recv() == nil || fn.Name() == "Clone" && isHub(fn.Signature().Recv().Type())
}

// freshHubVar reports whether v is a local variable given, once, a hub of
// its own.
func (c *checker) freshHubVar(f *flow, v *types.Var) bool {
	if f.body == nil || !c.stableVar(f, v) {
		return false
	}
	fresh := false
	ast.Inspect(f.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if id, ok := lhs.(*ast.Ident); ok && c.pass.TypesInfo.Defs[id] == v {
					fresh = c.freshHub(f, pick(n.Rhs, len(n.Lhs), i))
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if c.pass.TypesInfo.Defs[name] == v {
					fresh = c.freshHub(f, pick(n.Values, len(n.Names), i))
				}
			}
		}
		return true
	})
	return fresh
}
