package tracecheck

import (
	"go/ast"
	"go/types"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/tools/go/types/typeutil"
)

// A use is a call that reads the Sentry state a context or span carries:
// a sentry-go function given the context (StartSpan moves the hub's
// current span, GetHubFromContext hands out the hub), a span's
// StartChild, sentrytask.HubFromContext, or a function whose fact says it
// does one of those with that parameter. Handing a context to anything
// else is not a use: the standard library, a package that cannot reach
// sentry-go, a function value or an interface method (whose code is
// unknown here), or sentrytask's Go, Fork and the like, which read the
// hub only to fork it.

// argUse is one argument of a call whose Sentry state the call reads.
type argUse struct {
	index int // of call.Args; -1 for the method's receiver
	via   string
}

// neverUses are sentry-go's functions that take a context without reading
// its hub or span: SetHubOnContext replaces the hub.
var neverUses = map[string]bool{"SetHubOnContext": true}

// sentrytaskUses are sentrytask's functions that read the hub on the
// context they are given and hand it out or capture on it; the others
// fork it first.
var sentrytaskUses = map[string]bool{"HubFromContext": true, "ReportPanic": true}

// callUses returns the arguments of call whose Sentry state it reads.
func (c *checker) callUses(call *ast.CallExpr) []argUse {
	fn, ok := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	if !ok || fn.Pkg() == nil {
		return nil // a dynamic call, a conversion or a builtin
	}
	fn = fn.Origin()
	sig := fn.Signature()
	path := fn.Pkg().Path()
	var uses []argUse
	switch {
	case inSentry(path):
		if recv := sig.Recv(); recv != nil {
			if isSpan(recv.Type()) && fn.Name() == "StartChild" {
				uses = append(uses, argUse{-1, "Span.StartChild at " + c.where(call)})
			}
			return uses
		}
		if neverUses[fn.Name()] {
			return nil
		}
		for i, arg := range call.Args {
			if i < sig.Params().Len() && isContext(sig.Params().At(i).Type()) {
				uses = append(uses, argUse{i, fn.Pkg().Name() + "." + fn.Name() + " at " + c.where(arg)})
			}
		}
	case path == sentrytaskPath:
		if sig.Recv() == nil && sentrytaskUses[fn.Name()] && len(call.Args) > 0 {
			uses = append(uses, argUse{0, "sentrytask." + fn.Name() + " at " + c.where(call)})
		}
	default:
		u := c.factOf(fn)
		if u == nil {
			return nil
		}
		for _, p := range u.Params {
			if p.Index < len(call.Args) && !(sig.Variadic() && p.Index >= sig.Params().Len()-1) {
				uses = append(uses, argUse{p.Index, chain(c.funcName(fn), p.Via)})
			}
		}
	}
	return uses
}

// scopeChanges are the functions and hub methods that change the scope
// of the hub they act on, or its stack of scopes.
var scopeChanges = map[string]bool{"WithScope": true, "PushScope": true, "PopScope": true, "ConfigureScope": true}

// scopeChange says how call changes the global hub's scope: by one of
// sentry-go's package functions (sentry.WithScope), which act on it, or
// through a function whose fact says it does. With hubs true it also
// counts a change made through sentry.CurrentHub(), which the goroutine
// checks report as a use of the global hub instead. It returns "" for any
// other call.
func (c *checker) scopeChange(call *ast.CallExpr, hubs bool) string {
	fn, ok := typeutil.Callee(c.pass.TypesInfo, call).(*types.Func)
	if !ok || fn.Pkg() == nil {
		return ""
	}
	fn = fn.Origin()
	recv := fn.Signature().Recv()
	switch {
	case fn.Pkg().Path() == sentryPath && recv == nil:
		if scopeChanges[fn.Name()] {
			return "sentry." + fn.Name() + " at " + c.where(call)
		}
	case fn.Pkg().Path() == sentryPath:
		if hubs && isGlobalHubChange(c.pass.TypesInfo, call, fn) {
			return types.ExprString(call.Fun) + " at " + c.where(call)
		}
	case fn.Pkg().Path() != sentrytaskPath:
		if u := c.factOf(fn); u != nil && u.Scope != "" {
			return chain(c.funcName(fn), u.Scope)
		}
	}
	return ""
}

// isGlobalHubChange reports whether call, to fn, changes the global hub's
// scope: sentry.CurrentHub().WithScope(…),
// sentry.CurrentHub().Scope().SetTag(…).
func isGlobalHubChange(info *types.Info, call *ast.CallExpr, fn *types.Func) bool {
	inner, ok := ast.Unparen(changedHub(info, call, fn, scopeChanges)).(*ast.CallExpr)
	return ok && calleeName(info, inner) == sentryPath+".CurrentHub"
}

// funcName names fn as a reader would look for it: Name, or Type.Name for
// a method; qualified by its package when it is not the one checked.
func (c *checker) funcName(fn *types.Func) string {
	name := fn.Name()
	if recv := fn.Signature().Recv(); recv != nil {
		t := recv.Type()
		if p, ok := t.(*types.Pointer); ok {
			t = p.Elem()
		}
		if named, ok := types.Unalias(t).(*types.Named); ok {
			name = named.Obj().Name() + "." + name
		}
	}
	if fn.Pkg() == c.pass.Pkg {
		return name
	}
	return fn.Pkg().Name() + "." + name
}

// chain prefixes a use found in a callee with the callee's name. A long
// chain keeps its first three names and the call into sentry-go, with an
// ellipsis between.
func chain(name, via string) string {
	steps := strings.Split(via, " → ")
	if len(steps) >= 4 {
		steps = append(steps[:2], "…", steps[len(steps)-1])
	}
	return name + " → " + strings.Join(steps, " → ")
}

// where names the file and line of n, for evidence: "work.go:12".
func (c *checker) where(n ast.Node) string {
	pos := c.pass.Fset.Position(n.Pos())
	return filepath.Base(pos.Filename) + ":" + strconv.Itoa(pos.Line)
}

// scanner finds, in a function body, the calls that use Sentry state the
// body was handed: the parameters of a declared function (for its fact),
// or what a goroutine's function literal captured from its spawner.
type scanner struct {
	c *checker
	// params are the parameters of the declared function scanned.
	params map[*types.Var]int
	// For a literal that another goroutine runs: f is its spawner's
	// flow, lit the literal, and passed the parameters the spawner hands
	// a context or span that may carry a hub.
	f      *flow
	lit    *ast.FuncLit
	passed map[*types.Var]bool
	// derived maps a context or span variable declared in the body to
	// what it was derived from.
	derived map[types.Object]contextUse
	// scope is how the body changes the global hub's scope, if it does.
	scope string
}

// handed returns what v, a context or span variable read in the body,
// was handed, and whether it was.
func (s *scanner) handed(v *types.Var) (contextUse, bool) {
	if d, ok := s.derived[v]; ok {
		return d, true
	}
	if s.lit == nil {
		_, ok := s.params[v]
		return contextUse{obj: v}, ok
	}
	switch {
	case s.passed[v]:
		return contextUse{obj: v}, true
	case v.Pos() >= s.lit.Pos() && v.Pos() < s.lit.End():
		return contextUse{}, false // the goroutine's own
	case isContext(v.Type()) && !s.f.varMayCarry(v):
		return contextUse{}, false
	}
	return contextUse{obj: v}, true
}

// origin returns what Sentry state e reads that the body was handed, and
// whether it reads any; its obj is nil when e reads several.
func (s *scanner) origin(e ast.Expr) (contextUse, bool) {
	info := s.c.pass.TypesInfo
	var found contextUse
	seen, many := false, false
	add := func(u contextUse) {
		if seen && !found.same(u) {
			many = true
		}
		found, seen = u, true
	}
	ast.Inspect(e, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false // its body is scanned on its own
		case *ast.SelectorExpr:
			// A context or span read from a field (j.ctx) by a goroutine:
			// may carry anything its spawner's does.
			if v, ok := info.Uses[n.Sel].(*types.Var); ok && v.IsField() && isState(v.Type()) {
				if s.lit != nil && s.outside(rootIdent(n)) {
					add(contextUse{obj: v, field: n, key: types.ExprString(n)})
				}
				return false
			}
			if s.lit != nil && s.requestContext(n) {
				add(contextUse{key: types.ExprString(n.X) + ".Context()"})
				return false
			}
		case *ast.Ident:
			if v, ok := info.Uses[n].(*types.Var); ok && isState(v.Type()) {
				if u, ok := s.handed(v); ok {
					add(u)
				}
			}
		}
		return true
	})
	if many {
		return contextUse{}, true
	}
	return found, seen
}

// outside reports whether id names a variable declared outside the
// literal scanned.
func (s *scanner) outside(id *ast.Ident) bool {
	if id == nil {
		return false
	}
	v, ok := s.c.pass.TypesInfo.Uses[id].(*types.Var)
	return ok && (v.Pos() < s.lit.Pos() || v.Pos() >= s.lit.End())
}

// requestContext reports whether sel is the Context method of a value from
// outside the literal, such as r.Context() of the request being served.
func (s *scanner) requestContext(sel *ast.SelectorExpr) bool {
	fn, ok := s.c.pass.TypesInfo.Uses[sel.Sel].(*types.Func)
	if !ok || sel.Sel.Name != "Context" || fn.Signature().Params().Len() != 0 || fn.Signature().Results().Len() != 1 ||
		!isContext(fn.Signature().Results().At(0).Type()) || isSpan(fn.Signature().Recv().Type()) {
		return false
	}
	return s.outside(rootIdent(sel.X))
}

// derives reports whether the value call returns carries what its
// arguments carry. A context given a hub of its own does not: the
// result of sentry.SetHubOnContext, sentrytask.Fork or Detach.
func (s *scanner) derives(call *ast.CallExpr) bool {
	switch calleeName(s.c.pass.TypesInfo, call) {
	case sentryPath + ".SetHubOnContext", sentrytaskPath + ".Fork", sentrytaskPath + ".Detach":
		return false
	}
	return !s.c.freshContext(s.f, call)
}

// uses returns the uses, in body, of Sentry state the body was handed.
func (s *scanner) uses(body ast.Node) []contextUse {
	info := s.c.pass.TypesInfo
	s.derived = map[types.Object]contextUse{}
	derive := func(lhs ast.Expr, rhs ast.Expr) {
		id, ok := lhs.(*ast.Ident)
		if !ok || rhs == nil {
			return
		}
		v, ok := info.ObjectOf(id).(*types.Var)
		if !ok || !isState(v.Type()) {
			return
		}
		if call, ok := ast.Unparen(rhs).(*ast.CallExpr); ok && !s.derives(call) {
			return
		}
		if o, ok := s.origin(rhs); ok && (o.obj != nil || o.key != "") {
			s.derived[v] = o
		}
	}
	var uses []contextUse
	// What the body starts in goroutines of their own is not what it
	// does: a go statement or task there is judged, and reported, on
	// its own.
	spawned := map[*ast.FuncLit]bool{}
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.GoStmt:
			return false
		case *ast.FuncLit:
			return !spawned[n]
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				derive(lhs, pick(n.Rhs, len(n.Lhs), i))
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				derive(name, pick(n.Values, len(n.Names), i))
			}
		case *ast.CallExpr:
			if spawner(info, n) {
				for _, arg := range n.Args {
					if lit, ok := ast.Unparen(arg).(*ast.FuncLit); ok {
						spawned[lit] = true
					}
				}
			}
			if s.scope == "" {
				s.scope = s.c.scopeChange(n, true)
			}
			for _, a := range s.c.callUses(n) {
				e := n.Fun
				if a.index >= 0 {
					e = n.Args[a.index]
				} else if sel, ok := ast.Unparen(n.Fun).(*ast.SelectorExpr); ok {
					e = sel.X
				}
				if o, ok := s.origin(e); ok {
					o.at, o.via = e, a.via
					uses = append(uses, o)
				}
			}
		}
		return true
	})
	return uses
}
