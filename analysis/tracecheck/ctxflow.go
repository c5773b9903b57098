package tracecheck

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

// derivers are the functions whose result carries exactly what their
// first argument carries: a context derived from one without a hub has
// none either.
var derivers = map[string]bool{
	"context.WithCancel":          true,
	"context.WithCancelCause":     true,
	"context.WithDeadline":        true,
	"context.WithDeadlineCause":   true,
	"context.WithTimeout":         true,
	"context.WithTimeoutCause":    true,
	"context.WithoutCancel":       true,
	"context.WithValue":           true,
	"os/signal.NotifyContext":     true,
	errgroupPath + ".WithContext": true,
}

// calleeName names a call's static callee "pkgpath.Name", or "" for a
// method or a dynamic call.
func calleeName(info *types.Info, call *ast.CallExpr) string {
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	if !ok || fn.Pkg() == nil {
		return ""
	}
	if fn.Signature().Recv() != nil {
		return ""
	}
	return fn.Pkg().Path() + "." + fn.Name()
}

// flow answers, within one function, which contexts may carry a hub.
type flow struct {
	info *types.Info
	body ast.Node // the outermost function declaring the variables asked about
	memo map[types.Object]bool
	// fresh reports whether a call returns a context with a hub of its
	// own (freshContext), which carries none of the spawner's.
	fresh func(*ast.CallExpr) bool
}

// mayCarry reports whether e, a context expression, may carry a Sentry hub
// or span. Only contexts built from context.Background or context.TODO,
// and derived from those by the context package, are known not to.
func (f *flow) mayCarry(e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		switch name := calleeName(f.info, e); {
		case name == "context.Background" || name == "context.TODO":
			return false
		case derivers[name] && len(e.Args) > 0:
			return f.mayCarry(e.Args[0])
		case f.fresh != nil && f.fresh(e):
			return false // a hub of its own, made for whoever is handed it
		}
		return true
	case *ast.Ident:
		v, ok := f.info.Uses[e].(*types.Var)
		if !ok {
			return true
		}
		return f.varMayCarry(v)
	}
	return true
}

// varMayCarry reports whether a context variable may carry a hub: it does
// unless it is local and every value assigned to it is known not to.
func (f *flow) varMayCarry(v *types.Var) bool {
	if carry, ok := f.memo[v]; ok {
		return carry
	}
	f.memo[v] = false // a cycle adds nothing new
	carry := f.assignedMayCarry(v)
	f.memo[v] = carry
	return carry
}

func (f *flow) assignedMayCarry(v *types.Var) bool {
	if v.IsField() || v.Parent() == nil || v.Parent() == v.Pkg().Scope() {
		return true // a field or package variable: set anywhere
	}
	if f.body == nil || v.Pos() < f.body.Pos() || v.Pos() >= f.body.End() {
		return true
	}
	carry, seen := false, false
	ast.Inspect(f.body, func(n ast.Node) bool {
		if carry {
			return false
		}
		switch n := n.(type) {
		case *ast.FuncType:
			// A parameter or result: set by whoever calls.
			for _, fl := range []*ast.FieldList{n.Params, n.Results} {
				if fl == nil {
					continue
				}
				for _, field := range fl.List {
					for _, name := range field.Names {
						if f.info.Defs[name] == v {
							carry = true
						}
					}
				}
			}
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if !f.is(lhs, v) {
					continue
				}
				seen = true
				if rhs := pick(n.Rhs, len(n.Lhs), i); rhs == nil || f.mayCarry(rhs) {
					carry = true
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if f.info.Defs[name] != v {
					continue
				}
				seen = true
				if rhs := pick(n.Values, len(n.Names), i); rhs == nil || f.mayCarry(rhs) {
					carry = true
				}
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && f.is(n.X, v) {
				carry = true // set through a pointer
			}
		}
		return true
	})
	return carry || !seen
}

// is reports whether e names v.
func (f *flow) is(e ast.Expr, v *types.Var) bool {
	id, ok := ast.Unparen(e).(*ast.Ident)
	return ok && (f.info.Uses[id] == v || f.info.Defs[id] == v)
}

// pick returns the expression that the i-th of n left-hand sides receives:
// the i-th value, or the one call returning them all.
func pick(rhs []ast.Expr, n, i int) ast.Expr {
	switch {
	case len(rhs) == n:
		return rhs[i]
	case len(rhs) == 1:
		return rhs[0]
	}
	return nil
}

// newFlow returns a flow for the function enclosing cur (the outermost one,
// so that variables captured by nested literals are found).
func (c *checker) newFlow(cur inspector.Cursor) *flow {
	f := &flow{info: c.pass.TypesInfo, memo: map[types.Object]bool{}}
	f.fresh = func(call *ast.CallExpr) bool { return c.freshContext(f, call) }
	for enc := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		f.body = enc.Node()
	}
	return f
}

// contextUse is one place where code reads Sentry state it was handed.
type contextUse struct {
	at ast.Node // the expression handing the state to what reads it
	// obj is the context or span variable read, or for one read from a
	// field (j.ctx), the field; nil for another expression.
	obj *types.Var
	// field holds, for a context read from a field, the selector, which
	// key (its text) tells apart from other selectors of the same field.
	field *ast.SelectorExpr
	key   string
	// via is the evidence: the calls that read the state, ending with
	// the one into sentry-go, and where it is.
	via string
}

// same reports whether u and v read the same context.
func (u contextUse) same(v contextUse) bool {
	return u.obj != nil && u.obj == v.obj && u.key == v.key
}

// capturedContexts returns the uses, inside lit, of contexts and spans
// from outside it that may carry a hub. Contexts lit derives from them
// count as them, and so do the parameters in passed, which the go
// statement hands such a context. Waiting on ctx.Done(), reading
// ctx.Err(), or handing ctx to code that reads no hub is not a use.
func (c *checker) capturedContexts(f *flow, lit *ast.FuncLit, passed map[*types.Var]bool) []contextUse {
	s := &scanner{c: c, f: f, lit: lit, passed: passed}
	return s.uses(lit.Body)
}

// rootIdent returns the identifier an expression such as a.b.c starts
// from, or nil.
func rootIdent(e ast.Expr) *ast.Ident {
	for {
		switch x := ast.Unparen(e).(type) {
		case *ast.Ident:
			return x
		case *ast.SelectorExpr:
			e = x.X
		case *ast.StarExpr:
			e = x.X
		case *ast.IndexExpr:
			e = x.X
		default:
			return nil
		}
	}
}
