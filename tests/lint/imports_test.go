package lint

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

const module = "github.com/tandem-db/tandem/"

// forbidden maps a source folder to the import prefixes it must not use.
var forbidden = map[string][]string{
	"internal/redis":  {module + "internal/mysql"},
	"internal/mysql":  {module + "internal/redis"},
	"internal/shared": {module + "internal/redis", module + "internal/mysql"},
}

func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		t.Fatalf("repository root not found from %s", dir)
	}
	return dir
}

func TestImportRule(t *testing.T) {
	root := repoRoot(t)
	fset := token.NewFileSet()
	checked := 0
	err := filepath.WalkDir(filepath.Join(root, "internal"), func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		var bans []string
		for dir, b := range forbidden {
			if strings.HasPrefix(rel, dir+"/") {
				bans = b
			}
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, imp := range f.Imports {
			p, _ := strconv.Unquote(imp.Path.Value)
			for _, ban := range bans {
				if p == ban || strings.HasPrefix(p, ban+"/") {
					t.Errorf("%s imports %s: %s must not depend on it", rel, p, filepath.Dir(rel))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if checked == 0 {
		t.Fatal("no Go files checked")
	}
}

func TestEveryPackageHasDocComment(t *testing.T) {
	root := repoRoot(t)
	fset := token.NewFileSet()
	pkgs := map[string]bool{}
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		dir := filepath.Dir(path)
		if _, seen := pkgs[dir]; !seen {
			pkgs[dir] = false
		}
		f, err := parser.ParseFile(fset, path, nil, parser.PackageClauseOnly|parser.ParseComments)
		if err != nil {
			return err
		}
		if f.Doc != nil && len(strings.TrimSpace(f.Doc.Text())) > 0 {
			pkgs[dir] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for dir, ok := range pkgs {
		if !ok {
			rel, _ := filepath.Rel(root, dir)
			t.Errorf("package %s has no doc comment (STYLE.md: a doc.go saying what it owns)", rel)
		}
	}
}
