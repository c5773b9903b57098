package tracecheck

import (
	"go/ast"
	"go/token"
	"go/types"
)

// dominating returns the value v holds where use is read, when a plain
// assignment at the top level of f's function body, the last statement
// before use's to assign v, gives it: such an assignment runs before the
// use on every path, whatever the statements before it assigned under
// conditions (hub := a; if … { hub = b }; hub = hub.Clone(); use(hub)).
// It returns nil when it cannot tell: v assigned in use's own statement,
// under a condition or a loop since, by a function literal, or through its
// address.
func (c *checker) dominating(f *flow, v *types.Var, use ast.Node) ast.Expr {
	list := bodyList(f.body)
	if list == nil || v.Pos() < f.body.Pos() || v.Pos() >= f.body.End() || addressedOrClosed(f, v) {
		return nil
	}
	at := -1
	for i, s := range list {
		if s.Pos() <= use.Pos() && use.End() <= s.End() {
			at = i
			break
		}
	}
	if at < 0 || assigns(f, list[at], v) {
		return nil
	}
	for i := at - 1; i >= 0; i-- {
		if !assigns(f, list[i], v) {
			continue
		}
		as, ok := list[i].(*ast.AssignStmt)
		if !ok {
			return nil // under a condition, a loop, a declaration list
		}
		for j, lhs := range as.Lhs {
			if f.is(lhs, v) {
				return pick(as.Rhs, len(as.Lhs), j)
			}
		}
		return nil
	}
	return nil
}

// bodyList is the statements of a function declaration's or literal's
// body.
func bodyList(fn ast.Node) []ast.Stmt {
	switch fn := fn.(type) {
	case *ast.FuncDecl:
		if fn.Body != nil {
			return fn.Body.List
		}
	case *ast.FuncLit:
		return fn.Body.List
	}
	return nil
}

// assigns reports whether s assigns v anywhere in it.
func assigns(f *flow, s ast.Stmt, v *types.Var) bool {
	found := false
	ast.Inspect(s, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				found = found || f.is(lhs, v)
			}
		case *ast.IncDecStmt:
			found = found || f.is(n.X, v)
		case *ast.ValueSpec:
			for _, name := range n.Names {
				found = found || f.info.Defs[name] == v
			}
		case *ast.RangeStmt:
			found = found || f.is(n.Key, v) || f.is(n.Value, v)
		}
		return !found
	})
	return found
}

// addressedOrClosed reports whether v's address is taken in f's function,
// or a function literal in it assigns v: either may change v between any
// two statements.
func addressedOrClosed(f *flow, v *types.Var) bool {
	found := false
	ast.Inspect(f.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.UnaryExpr:
			found = found || n.Op == token.AND && f.is(n.X, v)
		case *ast.FuncLit:
			if n != f.body {
				for _, s := range n.Body.List {
					found = found || assigns(f, s, v)
				}
			}
		}
		return !found
	})
	return found
}
