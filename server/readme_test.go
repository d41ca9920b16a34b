package server_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"strings"
	"testing"
)

// TestREADMESnippet checks that the Go block under "## Embed it" in
// README.md is, byte for byte, the startGreeter function that ExampleServer
// compiles and runs, so the README's embedding example cannot rot.
func TestREADMESnippet(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := string(readme)
	i := strings.Index(section, "## Embed it")
	if i < 0 {
		t.Fatal(`README.md has no "## Embed it" section`)
	}
	section = section[i:]
	start := strings.Index(section, "```go\n")
	if start < 0 {
		t.Fatal(`no go code block in "## Embed it"`)
	}
	section = section[start+len("```go\n"):]
	end := strings.Index(section, "```")
	if end < 0 {
		t.Fatal("unterminated code block")
	}
	snippet := section[:end]

	src, err := os.ReadFile("example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "example_test.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	var fn *ast.FuncDecl
	for _, d := range f.Decls {
		if d, ok := d.(*ast.FuncDecl); ok && d.Name.Name == "startGreeter" {
			fn = d
		}
	}
	if fn == nil {
		t.Fatal("example_test.go has no startGreeter")
	}
	body := string(src[fset.Position(fn.Type.Pos()).Offset:fset.Position(fn.End()).Offset]) + "\n"
	if snippet != body {
		t.Fatalf("README.md's embedding snippet differs from startGreeter in server/example_test.go.\nREADME:\n%s\nexample_test.go:\n%s", snippet, body)
	}
}
