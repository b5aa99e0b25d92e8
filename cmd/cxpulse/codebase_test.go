package main

import (
	"bufio"
	"bytes"
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

// testOnly are the packages that exist for tests: fixtures, the plain-Go
// reference, the chDB dump tool, test servers. The binary must not link them.
var testOnly = []string{
	"github.com/cxpulse/cxpulse/metrics/kpi/chdbdump",
	"github.com/cxpulse/cxpulse/metrics/kpi/reference",
	"github.com/cxpulse/cxpulse/metrics/kpi/kpitest",
	"github.com/cxpulse/cxpulse/ingest/kafkatest",
	"github.com/cxpulse/cxpulse/sql/sqltest",
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
