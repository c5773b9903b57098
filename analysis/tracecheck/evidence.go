package tracecheck

import (
	"go/ast"
	"go/types"
	"strings"

	"golang.org/x/tools/go/ast/inspector"
)

// A finding carries its evidence, so that a reviewer can accept or dismiss
// it without reading the analyzer: which context or span is shared and
// where the spawner got it, and what in the goroutine reads it.

// sharedState says what a goroutine shares through u, as the object of
// "shares …": "the Sentry hub on ctx (a parameter of Handle)", or for a
// span, "span (…) and the Sentry hub on its context".
func (c *checker) sharedState(cur inspector.Cursor, f *flow, u contextUse) string {
	what := c.describe(cur, f, u)
	if u.obj != nil && u.field == nil && isSpan(u.obj.Type()) {
		return what + " and the Sentry hub on its context"
	}
	return "the Sentry hub on " + what
}

// describe names the context or span u reads and where the spawner got it.
func (c *checker) describe(cur inspector.Cursor, f *flow, u contextUse) string {
	switch {
	case u.field != nil:
		return u.key + " (a field, set wherever its struct is)"
	case u.obj == nil && u.key != "":
		return u.key + " (its request's context)"
	case u.obj == nil:
		return "the contexts it reads"
	}
	v := u.obj
	if v.Parent() == v.Pkg().Scope() {
		return v.Name() + " (a package variable)"
	}
	for enc := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		var ft *ast.FuncType
		name := "the function literal around it"
		switch n := enc.Node().(type) {
		case *ast.FuncDecl:
			ft, name = n.Type, n.Name.Name
		case *ast.FuncLit:
			ft = n.Type
		}
		for _, field := range ft.Params.List {
			for _, id := range field.Names {
				if c.pass.TypesInfo.Defs[id] == v {
					return v.Name() + " (a parameter of " + name + ")"
				}
			}
		}
	}
	if rhs := c.assigned(f, v); rhs != nil {
		return v.Name() + " (set to " + shorten(types.ExprString(rhs)) + " at " + c.where(rhs) + ")"
	}
	return v.Name()
}

// assigned returns the expression v is first given in f's function, or nil.
func (c *checker) assigned(f *flow, v *types.Var) ast.Expr {
	if f == nil || f.body == nil {
		return nil
	}
	var rhs ast.Expr
	ast.Inspect(f.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if f.is(lhs, v) {
					rhs = pick(n.Rhs, len(n.Lhs), i)
				}
			}
		case *ast.ValueSpec:
			for i, name := range n.Names {
				if c.pass.TypesInfo.Defs[name] == v {
					rhs = pick(n.Values, len(n.Names), i)
				}
			}
		}
		return rhs == nil
	})
	return rhs
}

// shorten keeps evidence to one readable line.
func shorten(s string) string {
	const max = 60
	if len(s) <= max {
		return s
	}
	cut := strings.LastIndexAny(s[:max], "(, ")
	if cut < max/2 {
		cut = max
	}
	return s[:cut] + "…"
}
