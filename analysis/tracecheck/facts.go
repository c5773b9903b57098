package tracecheck

import (
	"go/ast"
	"go/types"
	"sort"
	"strings"

	"golang.org/x/tools/go/analysis"
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
		*u = sentryUse{Params: append([]paramUse(nil), old.Params...), Scope: old.Scope}
	}
	s := &scanner{c: c, params: params}
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
	if len(u.Params) == 0 && u.Scope == "" {
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
