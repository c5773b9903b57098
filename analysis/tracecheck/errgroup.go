package tracecheck

import (
	"go/ast"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
)

// groupMethods are the methods errgroup.Group and sentrytask.Group share.
var groupMethods = map[string]bool{"Go": true, "TryGo": true, "SetLimit": true, "Wait": true}

// errgroupTask reports an errgroup task (Go or TryGo) whose function reads
// Sentry state its spawner holds too. The first report for a group built with
// errgroup.WithContext carries a fix rewriting the whole group.
func (c *checker) errgroupTask(cur inspector.Cursor, call *ast.CallExpr) {
	info := c.pass.TypesInfo
	sel, ok := call.Fun.(*ast.SelectorExpr)
	if !ok || (sel.Sel.Name != "Go" && sel.Sel.Name != "TryGo") || len(call.Args) != 1 || !isErrgroup(info.TypeOf(sel.X)) {
		return
	}
	lit, ok := ast.Unparen(call.Args[0]).(*ast.FuncLit)
	if !ok {
		return
	}
	f := c.newFlow(cur)
	uses := c.capturedContexts(f, lit, nil)
	if len(uses) == 0 {
		return
	}
	d := analysis.Diagnostic{Pos: call.Pos(), End: call.End(), Message: errgroupMessage(c.sharedState(cur, f, uses[0]), uses[0].via)}
	if id, ok := ast.Unparen(sel.X).(*ast.Ident); ok {
		if v, ok := info.Uses[id].(*types.Var); ok && !c.fixed[v] {
			c.fixed[v] = true
			if fix := c.groupFix(f, v); fix != nil {
				d.SuggestedFixes = []analysis.SuggestedFix{*fix}
			}
		}
	}
	c.report(d)
}

// groupFix rewrites a group g built by g, ctx := errgroup.WithContext(…)
// into one built by sentrytask.NewGroup, whose tasks take their ctx as a
// parameter named after the context they captured. It applies only when g
// is used for nothing but the four methods both groups share and every
// task is a function literal reading at most one captured context.
func (c *checker) groupFix(f *flow, g *types.Var) *analysis.SuggestedFix {
	info := c.pass.TypesInfo
	var (
		ctor     *ast.CallExpr
		ctorStmt *ast.AssignStmt
		tasks    []*ast.FuncLit
		uses     int
		selected int
		ok       = true
	)
	ast.Inspect(f.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for i, lhs := range n.Lhs {
				if !f.is(lhs, g) {
					continue
				}
				call, isCall := ast.Unparen(pick(n.Rhs, len(n.Lhs), i)).(*ast.CallExpr)
				if ctor != nil || !isCall || calleeName(info, call) != errgroupPath+".WithContext" || i != 0 || len(n.Lhs) != 2 {
					ok = false
				}
				ctor, ctorStmt = call, n
			}
		case *ast.Ident:
			if info.Uses[n] == g {
				uses++
			}
		case *ast.CallExpr:
			sel, isSel := n.Fun.(*ast.SelectorExpr)
			if !isSel || !f.is(sel.X, g) || !groupMethods[sel.Sel.Name] {
				return true
			}
			selected++
			if sel.Sel.Name != "Go" && sel.Sel.Name != "TryGo" {
				return true
			}
			lit, isLit := ast.Unparen(n.Args[0]).(*ast.FuncLit)
			if !isLit || lit.Type.Params.NumFields() > 0 {
				ok = false
				return true
			}
			tasks = append(tasks, lit)
		}
		return true
	})
	if !ok || ctor == nil || uses != selected {
		return nil
	}

	file := fileOf(c.pass, ctor.Pos())
	st, ctxPkg, edits := addImports(c.pass.TypesInfo, file)
	edits = append(edits, analysis.TextEdit{Pos: ctor.Fun.Pos(), End: ctor.Fun.End(), NewText: []byte(st + ".NewGroup")})
	if usesOf(info, file, errgroupPath) == 1 {
		edits = append(edits, removeImport(c.pass, file, errgroupPath)...)
	}
	shadowed := map[*ast.FuncLit]string{} // the parameter each task gets
	for _, lit := range tasks {
		var name string
		for _, u := range c.capturedContexts(f, lit, nil) {
			// A context read from a field would still be read by the
			// task, not replaced by its parameter; a span would still be
			// shared.
			if u.obj == nil || u.field != nil || !isContext(u.obj.Type()) || (name != "" && u.obj.Name() != name) {
				return nil
			}
			name = u.obj.Name()
		}
		shadowed[lit] = name
		param := ctxPkg + ".Context"
		if name != "" {
			param = name + " " + param
		}
		params := lit.Type.Params
		edits = append(edits, analysis.TextEdit{Pos: params.Opening, End: params.Closing + 1, NewText: []byte("(" + param + ")")})
	}
	edits = append(edits, c.dropGroupContext(f, ctorStmt, shadowed)...)
	return &analysis.SuggestedFix{Message: "Build the group with sentrytask.NewGroup", TextEdits: edits}
}

// dropGroupContext returns the edit that turns g, gctx := … into g, _ := …
// when the tasks' parameters now shadow every use of gctx, which would
// otherwise be declared and not used.
func (c *checker) dropGroupContext(f *flow, as *ast.AssignStmt, shadowed map[*ast.FuncLit]string) []analysis.TextEdit {
	info := c.pass.TypesInfo
	id, ok := as.Lhs[1].(*ast.Ident)
	if !ok || id.Name == "_" {
		return nil
	}
	if g, ok := as.Lhs[0].(*ast.Ident); as.Tok == token.DEFINE && (!ok || info.Defs[g] == nil) {
		return nil // g is not new: := needs gctx to declare something
	}
	v := info.ObjectOf(id)
	used := false
	ast.Inspect(f.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			if name, ok := shadowed[n]; ok && name == id.Name {
				return false
			}
		case *ast.Ident:
			if info.Uses[n] == v {
				used = true
			}
		}
		return !used
	})
	if used {
		return nil
	}
	return []analysis.TextEdit{{Pos: id.Pos(), End: id.End(), NewText: []byte("_")}}
}
