package main

import (
	"bufio"
	"bytes"
	"go/parser"
	"go/token"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// maxLines is the size past which a Go file wants splitting.
const maxLines = 600

// root is the module's root directory (cmd/cxpulse sits two levels down).
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("..", ".."))
	require.NoError(t, err)
	_, err = os.Stat(filepath.Join(dir, "go.mod"))
	require.NoError(t, err, "module root not found from %s", dir)
	return dir
}

// TestGoFilesAreSmall fails for every hand-written Go file over maxLines
// lines. Generated files (the "Code generated ... DO NOT EDIT." header)
// and directories the tools keep (.run, .venv, …) are left out.
func TestGoFilesAreSmall(t *testing.T) {
	top := moduleRoot(t)
	var long []string
	checked := 0
	err := filepath.WalkDir(top, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != top && (strings.HasPrefix(d.Name(), ".") || d.Name() == "node_modules" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if generatedGo(body) {
			return nil
		}
		checked++
		if n := bytes.Count(body, []byte("\n")); n > maxLines {
			rel, _ := filepath.Rel(top, path)
			long = append(long, rel+": "+strconv.Itoa(n)+" lines")
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, checked, 100, "the walk found too few Go files: wrong root?")
	require.Empty(t, long, "Go files over %d lines: split them by what their parts own", maxLines)
}

// generatedGo reports whether a Go file carries the standard generated-code
// header before its package clause.
func generatedGo(body []byte) bool {
	s := bufio.NewScanner(bytes.NewReader(body))
	for s.Scan() {
		line := s.Text()
		if strings.HasPrefix(line, "package ") {
			return false
		}
		if strings.HasPrefix(line, "// Code generated ") && strings.HasSuffix(line, " DO NOT EDIT.") {
			return true
		}
	}
	return false
}

const module = "github.com/cxpulse/cxpulse"

// testTrees are the directories whose packages exist for tests: fixtures,
// the plain-Go reference, the chDB dump tool, test servers. Only _test.go
// files and other packages of these trees may import them.
var testTrees = []string{
	"metrics/kpi/kpitest",
	"ingest/kafkatest",
	"sql/sqltest",
}

// testOnly are the importable packages of testTrees. The binary must not
// link them.
var testOnly = []string{
	module + "/metrics/kpi/kpitest/chdbdump",
	module + "/metrics/kpi/kpitest/reference",
	module + "/metrics/kpi/kpitest",
	module + "/ingest/kafkatest",
	module + "/sql/sqltest",
}

// inTree reports whether the slash-separated path p is tree or below it.
func inTree(p, tree string) bool {
	return p == tree || strings.HasPrefix(p, tree+"/")
}

// TestOnlyTestsImportTestHelpers parses the imports of every non-test Go
// file outside testTrees, whatever its build constraints, and fails for
// each that imports a package of testTrees: the link check below sees only
// what ./cmd/cxpulse links today, this one sees every product package.
func TestOnlyTestsImportTestHelpers(t *testing.T) {
	for _, p := range testOnly {
		inside := false
		for _, tree := range testTrees {
			inside = inside || inTree(p, module+"/"+tree)
		}
		require.True(t, inside, "%s is in testOnly but under no testTrees entry", p)
	}
	top := moduleRoot(t)
	var bad []string
	checked, skipped := 0, 0
	err := filepath.WalkDir(top, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(top, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if path != top && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || d.Name() == "node_modules" || d.Name() == "vendor") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(rel, ".go") || strings.HasSuffix(rel, "_test.go") {
			return nil
		}
		for _, tree := range testTrees {
			if inTree(rel, tree) {
				skipped++
				return nil
			}
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		checked++
		for _, spec := range f.Imports {
			imp, err := strconv.Unquote(spec.Path.Value)
			if err != nil {
				return err
			}
			for _, tree := range testTrees {
				if inTree(imp, module+"/"+tree) {
					bad = append(bad, rel+" imports "+imp)
				}
			}
		}
		return nil
	})
	require.NoError(t, err)
	require.Greater(t, checked, 50, "the walk found too few product Go files: wrong root?")
	require.Greater(t, skipped, 5, "the walk found too few test-helper files: are testTrees right?")
	require.Empty(t, bad, "product code imports a test helper: move the code it needs out of the test tree")
}

// TestBinaryLinksNoTestHelper lists what ./cmd/cxpulse links and fails when
// a test helper, or the testing package through some other import, is in it.
func TestBinaryLinksNoTestHelper(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "./cmd/cxpulse")
	cmd.Dir = moduleRoot(t)
	out, err := cmd.Output()
	require.NoError(t, err, "go list -deps ./cmd/cxpulse")
	deps := map[string]bool{}
	for _, p := range strings.Fields(string(out)) {
		deps[p] = true
	}
	require.True(t, deps["github.com/cxpulse/cxpulse/metrics/kpi"], "go list printed no product package: %s", out)
	for _, p := range testOnly {
		require.False(t, deps[p], "the binary links the test helper %s", p)
		// each listed helper must still exist, or the check guards nothing
		list := exec.Command("go", "list", p)
		list.Dir = cmd.Dir
		require.NoError(t, list.Run(), "test helper %s not found: update testOnly", p)
	}
	require.False(t, deps["testing"], "the binary links package testing")
}
