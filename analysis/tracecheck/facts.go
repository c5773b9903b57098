package tracecheck

import (
	"go/ast"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/types/typeutil"
)

// sentryUse is the fact that a function uses the Sentry state of some of
// its parameters, or changes the global hub's scope, itself or through
// what it calls. It is what lets a go statement be judged by what its
// goroutine does: go worker(ctx) breaks a trace only if worker, or
// something worker calls, reads the hub or span on ctx.
type sentryUse struct {
	// Params are the context.Context and *sentry.Span parameters whose
	// hub or span the function reads.
	Params []paramUse
	// Scope, when not empty, says how the function changes the global
	// hub's scope: the calls leading to sentry.WithScope and the like.
	Scope string
	// Fresh says the function returns a context carrying a hub of its
	// own: a clone of the one it was given, say, set on it with
	// sentry.SetHubOnContext. A goroutine handed that context shares no
	// hub.
	Fresh bool
}

// paramUse is one parameter a function reads Sentry state from.
type paramUse struct {
	Index int    // in the signature's parameters
	Name  string // the parameter's name, for the fact's text
	// Via is the chain of calls that reads it, ending with the one into
	// sentry-go and where that call is: "process → sentry.StartSpan at
	// work.go:12".
	Via string
}

func (*sentryUse) AFact() {}

func (u *sentryUse) String() string {
	var parts []string
	for _, p := range u.Params {
		parts = append(parts, "uses "+p.Name+": "+p.Via)
	}
	if u.Scope != "" {
		parts = append(parts, "changes the global scope: "+u.Scope)
	}
	if u.Fresh {
		parts = append(parts, "returns a context with a hub of its own")
	}
	return strings.Join(parts, "; ")
}

// param returns how the function uses its i-th parameter, or "".
func (u *sentryUse) param(i int) string {
	for _, p := range u.Params {
		if p.Index == i {
			return p.Via
		}
	}
	return ""
}

// factOf returns fn's fact, or nil when fn uses no Sentry state. A
// function of the package being checked has its fact from this pass;
// one of an imported package, from the pass that checked it.
func (c *checker) factOf(fn *types.Func) *sentryUse {
	fn = fn.Origin()
	if fn.Pkg() == c.pass.Pkg {
		return c.facts[fn]
	}
	u := new(sentryUse)
	if c.pass.ImportObjectFact(fn, u) {
		return u
	}
	return nil
}

// computeFacts works out the facts of the package's functions and exports
// them. A function's fact depends on its callees', so every function is
// scanned again until none changes: facts only grow, and each can take
// only as many values as the function has parameters, so this ends.
func (c *checker) computeFacts() {
	var decls []*ast.FuncDecl
	for _, file := range c.pass.Files {
		for _, d := range file.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Body != nil {
				decls = append(decls, fd)
			}
		}
	}
	for changed := true; changed; {
		changed = false
		for _, fd := range decls {
			fn, ok := c.pass.TypesInfo.Defs[fd.Name].(*types.Func)
			if !ok {
				continue
			}
			u := c.useOf(fd, fn)
			if old := c.facts[fn]; u == nil || old != nil && old.String() == u.String() {
				continue
			}
			c.facts[fn] = u
			changed = true
		}
	}
	fns := make([]*types.Func, 0, len(c.facts))
	for fn := range c.facts {
		fns = append(fns, fn)
	}
	sort.Slice(fns, func(i, j int) bool { return fns[i].Pos() < fns[j].Pos() })
	for _, fn := range fns {
		c.pass.ExportObjectFact(fn, c.facts[fn])
	}
}

// useOf scans fd, fn's declaration, for the Sentry state it uses. Once a
// parameter is found used, the evidence first found is kept, so that the
// facts settle.
func (c *checker) useOf(fd *ast.FuncDecl, fn *types.Func) *sentryUse {
	old := c.facts[fn]
	params := map[*types.Var]int{}
	sig := fn.Signature()
	for i := range sig.Params().Len() {
		if p := sig.Params().At(i); isState(p.Type()) && p.Name() != "" && p.Name() != "_" {
			params[p] = i
		}
	}
	u := &sentryUse{}
	if old != nil {
		*u = sentryUse{Params: append([]paramUse(nil), old.Params...), Scope: old.Scope, Fresh: old.Fresh}
	}
	s := &scanner{c: c, params: params, f: &flow{info: c.pass.TypesInfo, memo: map[types.Object]bool{}, body: fd}}
	for _, use := range s.uses(fd.Body) {
		i, ok := params[use.obj]
		if !ok || use.field != nil || u.param(i) != "" {
			continue
		}
		u.Params = append(u.Params, paramUse{Index: i, Name: use.obj.Name(), Via: use.via})
	}
	sort.Slice(u.Params, func(i, j int) bool { return u.Params[i].Index < u.Params[j].Index })
	if u.Scope == "" {
		u.Scope = s.scope
	}
	u.Fresh = u.Fresh || c.returnsFresh(fd, fn)
	if len(u.Params) == 0 && u.Scope == "" && !u.Fresh {
		return nil
	}
	return u
}

// exportsFacts reports whether the pass works out facts for its package's
// functions: not for sentry-go's and sentrytask's own, which the checks
// know by name (sentrytask.Go reads the hub on its ctx only to fork it).
func exportsFacts(pass *analysis.Pass) bool {
	path := pass.Pkg.Path()
	return !inSentry(path) && path != sentrytaskPath
}

// returnsFresh reports whether fd, fn's declaration, returns one context,
// and every return statement gives it a hub of its own.
func (c *checker) returnsFresh(fd *ast.FuncDecl, fn *types.Func) bool {
	results := fn.Signature().Results()
	at := -1
	for i := range results.Len() {
		if isContext(results.At(i).Type()) {
			if at >= 0 {
				return false
			}
			at = i
		}
	}
	if at < 0 {
		return false
	}
	f := &flow{info: c.pass.TypesInfo, memo: map[types.Object]bool{}, body: fd}
	fresh, seen := true, false
	ast.Inspect(fd.Body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			seen = true
			fresh = fresh && len(n.Results) == results.Len() && c.freshContext(f, n.Results[at])
		}
		return fresh
	})
	return fresh && seen
}

// freshContext reports whether e, in f's function, is a context with a hub
// of its own: sentry.SetHubOnContext given a fresh hub (hub.Clone(),
// sentry.NewHub), sentrytask.Fork or Detach, a call to a function whose
// fact says it returns one, or a local variable given one once.
func (c *checker) freshContext(f *flow, e ast.Expr) bool {
	switch e := ast.Unparen(e).(type) {
	case *ast.CallExpr:
		switch calleeName(c.pass.TypesInfo, e) {
		case sentryPath + ".SetHubOnContext":
			return len(e.Args) == 2 && c.freshHub(f, e.Args[1])
		case sentrytaskPath + ".Fork", sentrytaskPath + ".Detach":
			return true
		}
		fn, ok := typeutil.Callee(c.pass.TypesInfo, e).(*types.Func)
		if !ok || fn.Pkg() == nil || inSentry(fn.Pkg().Path()) || fn.Pkg().Path() == sentrytaskPath {
			return false
		}
		u := c.factOf(fn)
		return u != nil && u.Fresh
	case *ast.Ident:
		v, ok := c.pass.TypesInfo.Uses[e].(*types.Var)
		if !ok {
			return false
		}
		var rhs ast.Expr
		if c.stableVar(f, v) {
			rhs = c.assigned(f, v)
		} else {
			rhs = c.dominating(f, v, e)
		}
		return rhs != nil && c.freshContext(f, rhs)
	}
	return false
}
