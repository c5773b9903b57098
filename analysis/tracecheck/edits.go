package tracecheck

import (
	"go/ast"
	"go/token"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// fileOf returns the syntax tree of the file holding pos.
func fileOf(pass *analysis.Pass, pos token.Pos) *ast.File {
	for _, f := range pass.Files {
		if f.FileStart <= pos && pos < f.FileEnd {
			return f
		}
	}
	return nil
}

// importName returns the name under which file imports path, and whether
// it does (a blank or dot import does not count).
func importName(info *types.Info, file *ast.File, path string) (string, bool) {
	for _, spec := range file.Imports {
		p, err := strconv.Unquote(spec.Path.Value)
		if err != nil || p != path {
			continue
		}
		if spec.Name != nil {
			if spec.Name.Name == "_" || spec.Name.Name == "." {
				continue
			}
			return spec.Name.Name, true
		}
		if pkg, ok := info.Implicits[spec].(*types.PkgName); ok {
			return pkg.Name(), true
		}
	}
	return "", false
}

// addImports returns the names to use for sentrytask and context in
// file and the edits that import whichever file does not import yet.
// In an import block, context goes at its top and sentrytask at its end,
// which is where goimports' grouping would put them.
func addImports(info *types.Info, file *ast.File) (st, ctx string, edits []analysis.TextEdit) {
	st, haveST := importName(info, file, sentrytaskPath)
	ctx, haveCtx := importName(info, file, "context")
	if haveST && haveCtx {
		return st, ctx, nil
	}
	if !haveCtx {
		ctx = "context"
	}
	if !haveST {
		st = "sentrytask"
	}
	var decl *ast.GenDecl
	for _, d := range file.Decls {
		if g, ok := d.(*ast.GenDecl); ok && g.Tok == token.IMPORT {
			decl = g
			break
		}
	}
	if decl != nil && decl.Lparen.IsValid() {
		if !haveCtx {
			edits = append(edits, analysis.TextEdit{Pos: decl.Lparen + 1, End: decl.Lparen + 1, NewText: []byte("\n\t\"context\"")})
		}
		if !haveST {
			edits = append(edits, analysis.TextEdit{Pos: decl.Rparen, End: decl.Rparen, NewText: []byte("\t" + strconv.Quote(sentrytaskPath) + "\n")})
		}
		return st, ctx, edits
	}
	// No import block yet: write one, the standard library first.
	std, others := []string{}, []string{}
	if !haveCtx {
		std = append(std, `"context"`)
	}
	if !haveST {
		others = append(others, strconv.Quote(sentrytaskPath))
	}
	at, end := file.Name.End(), file.Name.End()
	prefix := "\n\n"
	if decl != nil {
		at, end, prefix = decl.Pos(), decl.End(), ""
		spec := decl.Specs[0].(*ast.ImportSpec)
		text := spec.Path.Value
		if spec.Name != nil {
			text = spec.Name.Name + " " + text
		}
		if p, _ := strconv.Unquote(spec.Path.Value); looksStd(p) {
			std = append(std, text)
		} else {
			others = append(others, text)
		}
	}
	sort.Strings(std)
	sort.Strings(others)
	groups := []string{}
	for _, g := range [][]string{std, others} {
		if len(g) > 0 {
			groups = append(groups, "\t"+strings.Join(g, "\n\t")+"\n")
		}
	}
	text := prefix + "import (\n" + strings.Join(groups, "\n") + ")"
	return st, ctx, []analysis.TextEdit{{Pos: at, End: end, NewText: []byte(text)}}
}

// looksStd reports whether path looks like a standard library package's:
// its first element has no dot. It only groups imports, as goimports does;
// facts decide what a context may reach.
func looksStd(path string) bool {
	first, _, _ := strings.Cut(path, "/")
	return !strings.Contains(first, ".")
}

// removeImport returns the edit deleting file's import of path, for when a
// fix removes its last use.
func removeImport(pass *analysis.Pass, file *ast.File, path string) []analysis.TextEdit {
	for _, d := range file.Decls {
		decl, ok := d.(*ast.GenDecl)
		if !ok || decl.Tok != token.IMPORT {
			continue
		}
		for _, s := range decl.Specs {
			spec := s.(*ast.ImportSpec)
			if p, _ := strconv.Unquote(spec.Path.Value); p != path {
				continue
			}
			if !decl.Lparen.IsValid() || len(decl.Specs) == 1 {
				return []analysis.TextEdit{{Pos: decl.Pos(), End: decl.End()}}
			}
			// The whole line, so that no blank line is left behind.
			tf := pass.Fset.File(spec.Pos())
			start := tf.LineStart(tf.Line(spec.Pos()))
			end := spec.End()
			if line := tf.Line(end); line < tf.LineCount() {
				end = tf.LineStart(line + 1)
			}
			return []analysis.TextEdit{{Pos: start, End: end}}
		}
	}
	return nil
}

// usesOf counts the identifiers in file that refer to the package imported
// as path.
func usesOf(info *types.Info, file *ast.File, path string) int {
	n := 0
	ast.Inspect(file, func(node ast.Node) bool {
		id, ok := node.(*ast.Ident)
		if !ok {
			return true
		}
		if pkg, ok := info.Uses[id].(*types.PkgName); ok && pkg.Imported().Path() == path {
			n++
		}
		return true
	})
	return n
}

// source returns the text of the file holding from, between from and to.
func source(pass *analysis.Pass, from, to token.Pos) (string, error) {
	tf := pass.Fset.File(from)
	src, err := pass.ReadFile(tf.Name())
	if err != nil {
		return "", err
	}
	return string(src[tf.Offset(from):tf.Offset(to)]), nil
}

// indentOf returns the leading white space of the line holding pos.
func indentOf(pass *analysis.Pass, pos token.Pos) string {
	tf := pass.Fset.File(pos)
	line, err := source(pass, tf.LineStart(tf.Line(pos)), pos)
	if err != nil {
		return "\t"
	}
	return line[:len(line)-len(strings.TrimLeft(line, " \t"))]
}

// returnNil returns the edits that make body, a function body that
// returned nothing, return a nil error: every bare return of its own (not
// of nested functions) returns nil, and "return nil" ends it unless it
// cannot be reached.
func returnNil(pass *analysis.Pass, body *ast.BlockStmt) []analysis.TextEdit {
	var edits []analysis.TextEdit
	ast.Inspect(body, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncLit:
			return false
		case *ast.ReturnStmt:
			at := n.Return + token.Pos(len("return"))
			edits = append(edits, analysis.TextEdit{Pos: at, End: at, NewText: []byte(" nil")})
		}
		return true
	})
	if len(body.List) > 0 && terminates(body.List[len(body.List)-1]) {
		return edits
	}
	if len(body.List) == 0 {
		return append(edits, analysis.TextEdit{Pos: body.Lbrace + 1, End: body.Rbrace, NewText: []byte(" return nil ")})
	}
	last := body.List[len(body.List)-1]
	tf := pass.Fset.File(last.End())
	if tf.Line(last.End()) == tf.Line(body.Rbrace) {
		return append(edits, analysis.TextEdit{Pos: last.End(), End: last.End(), NewText: []byte("; return nil")})
	}
	return append(edits, analysis.TextEdit{Pos: last.End(), End: last.End(), NewText: []byte("\n" + indentOf(pass, last.Pos()) + "return nil")})
}

// terminates reports, conservatively, whether s is a terminating
// statement, after which "return nil" would be unreachable.
func terminates(s ast.Stmt) bool {
	switch s := s.(type) {
	case *ast.ReturnStmt:
		return true
	case *ast.ExprStmt:
		call, ok := s.X.(*ast.CallExpr)
		if !ok {
			return false
		}
		id, ok := call.Fun.(*ast.Ident)
		return ok && id.Name == "panic"
	case *ast.ForStmt:
		if s.Cond != nil {
			return false
		}
		hasBreak := false
		ast.Inspect(s.Body, func(n ast.Node) bool {
			if b, ok := n.(*ast.BranchStmt); ok && b.Tok == token.BREAK {
				hasBreak = true
			}
			return !hasBreak
		})
		return !hasBreak
	}
	return false
}
