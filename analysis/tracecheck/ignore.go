package tracecheck

import (
	"go/ast"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// ignoreDirective silences findings: on its own line and the next, or,
// in a function's doc comment, in the whole function. It should say why
// the code shares a hub or fixes a header on purpose, as a test showing
// the bug does.
const ignoreDirective = "//sentrytask:ignore"

// lineRange is lines from to to, inclusive, of one file.
type lineRange struct {
	file     string
	from, to int
}

// ignoredRanges returns the lines that //sentrytask:ignore comments
// silence.
func ignoredRanges(pass *analysis.Pass) []lineRange {
	var ranges []lineRange
	for _, f := range pass.Files {
		for _, group := range f.Comments {
			for _, com := range group.List {
				if strings.HasPrefix(com.Text, ignoreDirective) {
					pos := pass.Fset.Position(com.Slash)
					ranges = append(ranges, lineRange{pos.Filename, pos.Line, pos.Line + 1})
				}
			}
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Doc == nil {
				continue
			}
			for _, com := range fn.Doc.List {
				if strings.HasPrefix(com.Text, ignoreDirective) {
					from, to := pass.Fset.Position(fn.Pos()), pass.Fset.Position(fn.End())
					ranges = append(ranges, lineRange{from.Filename, from.Line, to.Line})
				}
			}
		}
	}
	return ranges
}
