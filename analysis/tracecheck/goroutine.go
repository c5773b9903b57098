package tracecheck

import (
	"go/ast"
	"go/token"
	"go/types"
	"go/version"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
)

// goStmt reports a go statement whose goroutine uses Sentry state its
// spawner holds too, with a fix starting it through sentrytask.Go when
// the rewrite keeps its meaning.
func (c *checker) goStmt(cur inspector.Cursor, g *ast.GoStmt) {
	f := c.newFlow(cur)
	call := g.Call
	var fix *analysis.SuggestedFix
	var uses []contextUse
	if lit := c.literalOf(f, call.Fun); lit != nil {
		// A context passed to the literal's parameter counts as captured.
		params := c.handedParams(f, lit, call.Args)
		c.hubChanges(f, lit, call.Args)
		uses = c.capturedContexts(f, lit, params)
		if len(uses) == 0 {
			return
		}
		// The evidence names what the spawner hands the parameter.
		for i, p := range paramsOf(c.pass.TypesInfo, lit) {
			if uses[0].obj == p && params[p] && i < len(call.Args) {
				via := uses[0].via
				uses[0] = c.argUse(call.Args[i])
				uses[0].via = via
			}
		}
		// go work(), work a function value defined earlier in this
		// function, gets no fix: the literal may run elsewhere too.
		if len(params) == 0 && ast.Unparen(call.Fun) == lit {
			fix = c.goLiteralFix(f, g, lit, uses)
		}
	} else {
		if how := c.scopeChange(call, true); how != "" {
			c.report(analysis.Diagnostic{Pos: g.Pos(), End: g.End(), Message: globalScopeMessage(how)})
		}
		uses = c.passedContexts(f, call)
		if len(uses) == 0 {
			return
		}
		if len(uses) == 1 && isContext(c.pass.TypesInfo.TypeOf(uses[0].at.(ast.Expr))) {
			fix = c.goCallFix(f, g, uses[0].at.(ast.Expr))
		}
	}
	d := analysis.Diagnostic{Pos: g.Pos(), End: g.End(), Message: goMessage(c.sharedState(cur, f, uses[0]), uses[0].via)}
	if fix != nil {
		d.SuggestedFixes = []analysis.SuggestedFix{*fix}
	}
	c.report(d)
}

// handedParams returns the parameters of lit to which args, a go
// statement's, hand a context or span that may carry a hub.
func (c *checker) handedParams(f *flow, lit *ast.FuncLit, args []ast.Expr) map[*types.Var]bool {
	params := map[*types.Var]bool{}
	for i, arg := range args {
		if v := paramAt(c.pass.TypesInfo, lit, i); v != nil && isState(v.Type()) && f.mayCarry(arg) {
			params[v] = true
		}
	}
	return params
}

// paramAt returns the variable of lit's i-th parameter, or nil.
func paramAt(info *types.Info, lit *ast.FuncLit, i int) *types.Var {
	sig, ok := info.TypeOf(lit).(*types.Signature)
	if !ok || i >= sig.Params().Len() {
		return nil
	}
	return sig.Params().At(i)
}

// passedContexts returns the uses of the contexts and spans that may
// carry a hub which call, a go statement's, hands its function: those
// whose Sentry state the function reads, as its fact says.
func (c *checker) passedContexts(f *flow, call *ast.CallExpr) []contextUse {
	var uses []contextUse
	for _, a := range c.callUses(call) {
		if a.index < 0 {
			continue
		}
		arg := call.Args[a.index]
		if !f.mayCarry(arg) {
			continue
		}
		u := c.argUse(arg)
		u.via = a.via
		uses = append(uses, u)
	}
	return uses
}

// argUse is the use of arg, a context or span a go statement hands its
// function.
func (c *checker) argUse(arg ast.Expr) contextUse {
	u := contextUse{at: arg}
	switch e := ast.Unparen(arg).(type) {
	case *ast.Ident:
		u.obj, _ = c.pass.TypesInfo.Uses[e].(*types.Var)
	case *ast.SelectorExpr:
		if v, ok := c.pass.TypesInfo.Uses[e.Sel].(*types.Var); ok && v.IsField() {
			u.obj, u.field, u.key = v, e, types.ExprString(e)
			return u
		}
		u.key = types.ExprString(e)
	default:
		u.key = types.ExprString(e)
	}
	return u
}

// goLiteralFix rewrites go func() { … }() as
// sentrytask.Go(ctx, func(ctx context.Context) error { …; return nil }).
// The parameter takes the captured context's name, so the body reads the
// task's context where it read the spawner's. It applies only to a
// literal without parameters that reads one captured context variable.
func (c *checker) goLiteralFix(f *flow, g *ast.GoStmt, lit *ast.FuncLit, uses []contextUse) *analysis.SuggestedFix {
	if len(g.Call.Args) > 0 || lit.Type.Params.NumFields() > 0 || lit.Type.Results.NumFields() > 0 {
		return nil
	}
	first := uses[0]
	for _, u := range uses {
		if !u.same(first) || !isContext(u.obj.Type()) {
			return nil
		}
	}
	file := fileOf(c.pass, g.Pos())
	st, ctxPkg, edits := addImports(c.pass.TypesInfo, file)
	// The task's context takes the captured variable's name, which the
	// body already reads; a context read from a field (j.ctx) is passed to
	// Go as it is, and the body reads the parameter, ctx, instead.
	arg, name := first.obj.Name(), first.obj.Name()
	if first.field != nil {
		root := rootIdent(first.field)
		rv, ok := c.pass.TypesInfo.Uses[root].(*types.Var)
		if !ok || rv.Pos() >= lit.Pos() && rv.Pos() < lit.End() || !c.stable(f, root) || refersTo(lit.Body, "ctx") {
			return nil
		}
		arg, name = first.key, "ctx"
		ast.Inspect(lit.Body, func(n ast.Node) bool {
			if sel, ok := n.(*ast.SelectorExpr); ok && types.ExprString(sel) == first.key {
				edits = append(edits, analysis.TextEdit{Pos: sel.Pos(), End: sel.End(), NewText: []byte(name)})
				return false
			}
			return true
		})
	}
	edits = append(edits,
		analysis.TextEdit{Pos: g.Pos(), End: lit.Body.Lbrace, NewText: []byte(st + ".Go(" + arg + ", func(" + name + " " + ctxPkg + ".Context) error ")},
		analysis.TextEdit{Pos: lit.End(), End: g.Call.End(), NewText: []byte(")")},
	)
	edits = append(edits, returnNil(c.pass, lit.Body)...)
	return &analysis.SuggestedFix{Message: "Start the goroutine with sentrytask.Go", TextEdits: edits}
}

// goCallFix rewrites go f(ctx, x) as
// sentrytask.Go(ctx, func(ctx context.Context) error { f(ctx, x); return nil })
// (or return f(ctx, x) when f returns an error). The call now runs in
// the task, so it applies only when the function and every other argument
// evaluate the same then as at the go statement.
func (c *checker) goCallFix(f *flow, g *ast.GoStmt, ctxArg ast.Expr) *analysis.SuggestedFix {
	call := g.Call
	if call.Ellipsis.IsValid() || !c.stable(f, call.Fun) {
		return nil
	}
	for _, arg := range call.Args {
		if arg != ctxArg && !c.stable(f, arg) {
			return nil
		}
	}
	file := fileOf(c.pass, g.Pos())
	st, ctxPkg, edits := addImports(c.pass.TypesInfo, file)

	ctxText, err := source(c.pass, ctxArg.Pos(), ctxArg.End())
	if err != nil {
		return nil
	}
	name := "ctx"
	if id, ok := ast.Unparen(ctxArg).(*ast.Ident); ok {
		name = id.Name
	} else {
		if mentions(call, name) {
			return nil
		}
		edits = append(edits, analysis.TextEdit{Pos: ctxArg.Pos(), End: ctxArg.End(), NewText: []byte(name)})
	}
	prefix := st + ".Go(" + ctxText + ", func(" + name + " " + ctxPkg + ".Context) error { "
	suffix := "; return nil })"
	if returnsError(c.pass.TypesInfo, call) {
		prefix += "return "
		suffix = " })"
	}
	edits = append(edits,
		analysis.TextEdit{Pos: g.Pos(), End: call.Pos(), NewText: []byte(prefix)},
		analysis.TextEdit{Pos: call.End(), End: call.End(), NewText: []byte(suffix)},
	)
	return &analysis.SuggestedFix{Message: "Start the goroutine with sentrytask.Go", TextEdits: edits}
}

// refersTo reports whether n refers to a variable, constant, function or
// package called name (field and method names do not count): a parameter
// of that name would shadow it.
func refersTo(n ast.Node, name string) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.SelectorExpr:
			ast.Inspect(n.X, func(m ast.Node) bool {
				id, ok := m.(*ast.Ident)
				found = found || ok && id.Name == name
				return !found
			})
			return false
		case *ast.Ident:
			found = found || n.Name == name
		}
		return !found
	})
	return found
}

// mentions reports whether an identifier called name appears in n.
func mentions(n ast.Node, name string) bool {
	found := false
	ast.Inspect(n, func(n ast.Node) bool {
		if id, ok := n.(*ast.Ident); ok && id.Name == name {
			found = true
		}
		return !found
	})
	return found
}

// returnsError reports whether call's function returns exactly an error.
func returnsError(info *types.Info, call *ast.CallExpr) bool {
	sig, ok := info.TypeOf(call.Fun).Underlying().(*types.Signature)
	if !ok || sig.Results().Len() != 1 {
		return false
	}
	return types.Identical(sig.Results().At(0).Type(), types.Universe.Lookup("error").Type())
}

// stable reports whether e evaluates to the same value when a task runs it
// as when the go statement did: a constant, a function, or a local
// variable that nothing assigns after its declaration.
func (c *checker) stable(f *flow, e ast.Expr) bool {
	info := c.pass.TypesInfo
	if tv, ok := info.Types[e]; ok && tv.Value != nil {
		return true
	}
	switch e := ast.Unparen(e).(type) {
	case *ast.BasicLit:
		return true
	case *ast.Ident:
		switch obj := info.Uses[e].(type) {
		case *types.Const, *types.Func, *types.Nil, *types.TypeName, *types.PkgName:
			return true
		case *types.Var:
			return c.stableVar(f, obj)
		}
		return false
	case *ast.SelectorExpr:
		if sel, ok := info.Selections[e]; ok {
			// A method value is bound when the go statement runs; a field
			// may change after it.
			return sel.Kind() == types.MethodVal && c.stable(f, e.X)
		}
		// A qualified identifier, pkg.Name.
		_, isFunc := info.Uses[e.Sel].(*types.Func)
		_, isConst := info.Uses[e.Sel].(*types.Const)
		return isFunc || isConst
	}
	return false
}

// stableVar reports whether v is a local variable of f's function that is
// given its value once: no assignment, increment or address taken after
// its declaration, and not the variable of a three-clause loop or of a
// range loop in a file older than Go 1.22 (where one variable serves every
// iteration).
func (c *checker) stableVar(f *flow, v *types.Var) bool {
	if f.body == nil || v.Pos() < f.body.Pos() || v.Pos() >= f.body.End() {
		return false
	}
	stable := true
	ast.Inspect(f.body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.AssignStmt:
			for _, lhs := range n.Lhs {
				if id, ok := ast.Unparen(lhs).(*ast.Ident); ok && c.pass.TypesInfo.Uses[id] == v {
					stable = false
				}
			}
		case *ast.IncDecStmt:
			if f.is(n.X, v) {
				stable = false
			}
		case *ast.UnaryExpr:
			if n.Op == token.AND && f.is(n.X, v) {
				stable = false
			}
		case *ast.ForStmt:
			if init, ok := n.Init.(*ast.AssignStmt); ok {
				for _, lhs := range init.Lhs {
					if f.is(lhs, v) {
						stable = false
					}
				}
			}
		case *ast.RangeStmt:
			if (f.is(n.Key, v) || f.is(n.Value, v)) && !perIterationLoops(c.pass, n) {
				stable = false
			}
		}
		return stable
	})
	return stable
}

// perIterationLoops reports whether the file holding n gives each loop
// iteration its own variables (Go 1.22 and later).
func perIterationLoops(pass *analysis.Pass, n ast.Node) bool {
	file := fileOf(pass, n.Pos())
	v := pass.TypesInfo.FileVersions[file]
	return v == "" || version.Compare(v, "go1.22") >= 0
}
