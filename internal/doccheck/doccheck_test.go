package doccheck

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestExportedFieldsDocumented fails for each exported field of an exported
// struct type, in the main module's public packages, that has neither a doc
// comment nor a trailing comment. A field in a run of fields (no blank line
// between them) that the first field's doc comment names, as in
// "StaticBackoffMin and StaticBackoffMax bound …", counts as documented.
func TestExportedFieldsDocumented(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "go.mod")); err != nil {
		t.Fatal("module root not found:", err)
	}
	files := 0
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path == root {
				return nil
			}
			switch name := d.Name(); {
			case name == "internal", name == "examples", name == "testdata", strings.HasPrefix(name, "."):
				return filepath.SkipDir
			}
			if _, err := os.Stat(filepath.Join(path, "go.mod")); err == nil {
				return filepath.SkipDir // a nested module (interop, prometheus)
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		files++
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, name := range undocumentedFields(fset, f) {
			t.Errorf("%s: exported field %s has no doc comment", rel, name)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 50 {
		t.Fatalf("checked only %d files under %s, want the whole module", files, root)
	}
}

// undocumentedFields returns "Type.Field" (with its line) for every
// undocumented exported field of an exported struct type in f.
func undocumentedFields(fset *token.FileSet, f *ast.File) []string {
	var out []string
	ast.Inspect(f, func(n ast.Node) bool {
		ts, ok := n.(*ast.TypeSpec)
		if !ok || !ts.Name.IsExported() {
			return true
		}
		st, ok := ts.Type.(*ast.StructType)
		if !ok {
			return true
		}
		var runDoc *ast.CommentGroup // doc of the run of fields this one is in
		prevEnd := 0
		for _, fld := range st.Fields.List {
			line := fset.Position(fld.Pos()).Line
			if fld.Doc != nil {
				runDoc = fld.Doc
			} else if line != prevEnd+1 {
				runDoc = nil
			}
			prevEnd = fset.Position(fld.End()).Line
			if fld.Doc != nil || fld.Comment != nil || len(fld.Names) == 0 {
				continue
			}
			for _, name := range fld.Names {
				if name.IsExported() && (runDoc == nil || !strings.Contains(runDoc.Text(), name.Name)) {
					out = append(out, ts.Name.Name+"."+name.Name+" (line "+strconv.Itoa(line)+")")
				}
			}
		}
		return true
	})
	return out
}
