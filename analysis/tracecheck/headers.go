package tracecheck

import (
	"fmt"
	"go/ast"
	"go/constant"
	"go/types"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/ast/inspector"
	"golang.org/x/tools/go/types/typeutil"
)

const (
	staticHeaderMessage = "%s is set on a header built outside a RoundTripper or request editor, so every request sends the trace and span that were current when it was built; use sentrytask.NewTransport or sentrytask.RequestEditor, which read them per request (see " + readmeURL + "#trace-headers-fixed-in-advance)"
	staleHeaderMessage  = "%s is set from a value read before the request, so every request sends the trace and span that were current then; use sentrytask.NewTransport or sentrytask.RequestEditor, which read them from the request's ctx (see " + readmeURL + "#trace-headers-fixed-in-advance)"
)

// traceHeader returns the canonical name of a trace propagation header, or
// "" if key is not one.
func traceHeader(info *types.Info, key ast.Expr) string {
	tv, ok := info.Types[key]
	if !ok || tv.Value == nil || tv.Value.Kind() != constant.String {
		return ""
	}
	switch k := strings.ToLower(constant.StringVal(tv.Value)); k {
	case "sentry-trace", "baggage", "traceparent":
		return k
	}
	return ""
}

// headerCall checks h.Set(key, v) and h.Add(key, v) on an http.Header.
func (c *checker) headerCall(cur inspector.Cursor, call *ast.CallExpr) {
	info := c.pass.TypesInfo
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	if !ok || (fn.Name() != "Set" && fn.Name() != "Add") || len(call.Args) != 2 {
		return
	}
	recv := fn.Signature().Recv()
	sel, isSel := call.Fun.(*ast.SelectorExpr)
	if recv == nil || !isSel || !isHTTP(recv.Type(), "Header") {
		return
	}
	c.header(cur, sel.X, call.Args[0], call.Args[1])
}

// headerAssign checks h[key] = v on an http.Header.
func (c *checker) headerAssign(cur inspector.Cursor, as *ast.AssignStmt) {
	info := c.pass.TypesInfo
	for i, lhs := range as.Lhs {
		idx, ok := ast.Unparen(lhs).(*ast.IndexExpr)
		if !ok || !isHTTP(info.TypeOf(idx.X), "Header") {
			continue
		}
		value := pick(as.Rhs, len(as.Lhs), i)
		if lit, ok := ast.Unparen(value).(*ast.CompositeLit); ok && len(lit.Elts) == 1 {
			value = lit.Elts[0]
		}
		c.header(cur, idx.X, idx.Index, value)
	}
}

// headerLit checks the entries of an http.Header{key: {v}} literal whose
// value sentry-go produces (hub.GetTraceparent(), span.ToBaggage()): the
// trace read when the literal is built. Literals of other values are
// mostly incoming headers (a test's, a message's) and are left alone. A
// literal is a header built to keep unless it is stored straight into a
// request's or response's Header, as a function building a request does.
func (c *checker) headerLit(cur inspector.Cursor, lit *ast.CompositeLit) {
	info := c.pass.TypesInfo
	if !isHTTP(info.TypeOf(lit), "Header") {
		return
	}
	fn := innermostFunc(cur)
	built := !storedInMessage(info, cur, lit)
	for _, elt := range lit.Elts {
		kv, ok := elt.(*ast.KeyValueExpr)
		if !ok {
			continue
		}
		value := kv.Value
		if vl, ok := ast.Unparen(value).(*ast.CompositeLit); ok && len(vl.Elts) == 1 {
			value = vl.Elts[0]
		}
		if fromSentry(info, value) {
			c.headerWrite(fn, built, kv.Key, value)
		}
	}
}

// fromSentry reports whether e is a call of a sentry-go function or method.
func fromSentry(info *types.Info, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	return ok && fn.Pkg() != nil && fn.Pkg().Path() == sentryPath
}

// storedInMessage reports whether lit is assigned to the Header field of
// a request or a response.
func storedInMessage(info *types.Info, cur inspector.Cursor, lit *ast.CompositeLit) bool {
	as, ok := cur.Parent().Node().(*ast.AssignStmt)
	if !ok || len(as.Lhs) != len(as.Rhs) {
		return false
	}
	for i, rhs := range as.Rhs {
		if rhs != ast.Expr(lit) {
			continue
		}
		sel, ok := ast.Unparen(as.Lhs[i]).(*ast.SelectorExpr)
		return ok && sel.Sel.Name == "Header" && ofMessage(info, sel)
	}
	return false
}

// header reports a trace header written on h outside the sending of a
// request, or from a value read before it. A request httptest.NewRequest
// made is an incoming one, handed to a handler: its trace headers are its
// caller's, whatever they are set from.
func (c *checker) header(cur inspector.Cursor, h, key, value ast.Expr) {
	fn := innermostFunc(cur)
	if incomingRequest(c.pass.TypesInfo, fn, h) {
		return
	}
	c.headerWrite(fn, builtHere(c.pass.TypesInfo, fn, h), key, value)
}

// incomingRequest reports whether h is the Header of a request fn holds in
// a variable it gave a request made by httptest.NewRequest or
// NewRequestWithContext, and nothing else.
func incomingRequest(info *types.Info, fn ast.Node, h ast.Expr) bool {
	sel, ok := ast.Unparen(h).(*ast.SelectorExpr)
	if !ok || sel.Sel.Name != "Header" || fn == nil {
		return false
	}
	id, ok := ast.Unparen(sel.X).(*ast.Ident)
	if !ok {
		return false
	}
	v, ok := info.Uses[id].(*types.Var)
	if !ok || !isHTTP(v.Type(), "Request") {
		return false
	}
	incoming, other := false, false
	ast.Inspect(fn, func(n ast.Node) bool {
		as, ok := n.(*ast.AssignStmt)
		if !ok {
			return true
		}
		for i, lhs := range as.Lhs {
			lid, ok := ast.Unparen(lhs).(*ast.Ident)
			if !ok || info.ObjectOf(lid) != v {
				continue
			}
			if fromHTTPTest(info, pick(as.Rhs, len(as.Lhs), i)) {
				incoming = true
			} else {
				other = true
			}
		}
		return true
	})
	return incoming && !other
}

// fromHTTPTest reports whether e is a call of httptest.NewRequest or
// NewRequestWithContext, or of a method on one's result
// (httptest.NewRequest(…).WithContext(ctx)).
func fromHTTPTest(info *types.Info, e ast.Expr) bool {
	call, ok := ast.Unparen(e).(*ast.CallExpr)
	if !ok {
		return false
	}
	fn, ok := typeutil.Callee(info, call).(*types.Func)
	if !ok || fn.Pkg() == nil {
		return false
	}
	if fn.Pkg().Path() == "net/http/httptest" && strings.HasPrefix(fn.Name(), "NewRequest") {
		return true
	}
	if sel, ok := ast.Unparen(call.Fun).(*ast.SelectorExpr); ok && fn.Signature().Recv() != nil {
		return fromHTTPTest(info, sel.X)
	}
	return false
}

// headerWrite reports a trace header written in fn on a header fn builds
// to keep (built) outside the sending of a request, or from a value read
// before it.
func (c *checker) headerWrite(fn ast.Node, built bool, key, value ast.Expr) {
	info := c.pass.TypesInfo
	name := traceHeader(info, key)
	if name == "" {
		return
	}
	switch {
	case built && !perRequest(info, fn):
		c.report(analysis.Diagnostic{Pos: key.Pos(), End: value.End(), Message: fmt.Sprintf(staticHeaderMessage, name)})
	case value != nil && stale(info, fn, value):
		c.report(analysis.Diagnostic{Pos: value.Pos(), End: value.End(), Message: fmt.Sprintf(staleHeaderMessage, name)})
	}
}

// builtHere reports whether h is a header that fn builds to keep, rather
// than one handed to it: a variable that is not fn's parameter, or a
// field other than a request's or a response's Header.
func builtHere(info *types.Info, fn ast.Node, h ast.Expr) bool {
	switch h := ast.Unparen(h).(type) {
	case *ast.Ident:
		v, ok := info.Uses[h].(*types.Var)
		return ok && !isParam(info, fn, v)
	case *ast.SelectorExpr:
		sel, ok := info.Selections[h]
		return ok && sel.Kind() == types.FieldVal && !ofMessage(info, h)
	}
	return false
}

// ofMessage reports whether sel selects from a request or a response.
func ofMessage(info *types.Info, sel *ast.SelectorExpr) bool {
	x := info.TypeOf(sel.X)
	return isHTTP(x, "Request") || isHTTP(x, "Response")
}

// isParam reports whether v is one of fn's parameters.
func isParam(info *types.Info, fn ast.Node, v *types.Var) bool {
	ft := funcType(fn)
	if ft == nil {
		return false
	}
	for _, field := range ft.Params.List {
		for _, name := range field.Names {
			if info.Defs[name] == v {
				return true
			}
		}
	}
	return false
}

// innermostFunc returns the function declaration or literal around cur.
func innermostFunc(cur inspector.Cursor) ast.Node {
	for enc := range cur.Enclosing((*ast.FuncDecl)(nil), (*ast.FuncLit)(nil)) {
		return enc.Node()
	}
	return nil
}

// funcType returns the type of a function declaration or literal.
func funcType(fn ast.Node) *ast.FuncType {
	switch fn := fn.(type) {
	case *ast.FuncDecl:
		return fn.Type
	case *ast.FuncLit:
		return fn.Type
	}
	return nil
}

// perRequest reports whether fn is handed the request it works on, as a
// RoundTripper or a request editor is: it runs once per request.
func perRequest(info *types.Info, fn ast.Node) bool {
	ft := funcType(fn)
	if ft == nil {
		return false
	}
	for _, field := range ft.Params.List {
		if isHTTP(info.TypeOf(field.Type), "Request") {
			return true
		}
	}
	return false
}

// stale reports whether value was read before fn ran: a variable from
// outside fn, or a field.
func stale(info *types.Info, fn ast.Node, value ast.Expr) bool {
	switch e := ast.Unparen(value).(type) {
	case *ast.Ident:
		v, ok := info.Uses[e].(*types.Var)
		return ok && fn != nil && (v.Pos() < fn.Pos() || v.Pos() >= fn.End())
	case *ast.SelectorExpr:
		sel, ok := info.Selections[e]
		return ok && sel.Kind() == types.FieldVal
	}
	return false
}
