package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/grafana-tools/sdk"
)

// All returns every cxpulse dashboard, built afresh, in a stable order.
func All() []*sdk.Board {
	return []*sdk.Board{
		Executive(),
		Branches(),
		Response(),
		Teams(),
		Retention(),
		Pipeline(),
	}
}

// Marshal returns a board's JSON as Generate writes it: encoded by the SDK,
// then re-indented with two spaces and object keys in sorted order (so that
// the output does not depend on Go struct field order), HTML characters left
// unescaped (PromQL and SQL are full of < > &), with a trailing newline.
func Marshal(board *sdk.Board) ([]byte, error) {
	raw, err := json.Marshal(board)
	if err != nil {
		return nil, fmt.Errorf("marshal dashboard %s: %w", board.UID, err)
	}
	return canonical(raw)
}

// canonical re-encodes JSON with sorted keys and two-space indentation. A
// key that appears twice in an object (the SDK writes the common keys of a
// custom panel twice after a round trip) keeps its last value.
func canonical(raw []byte) ([]byte, error) {
	var v interface{}
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("decode dashboard JSON: %w", err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil { // Encode ends with a newline
		return nil, fmt.Errorf("encode dashboard JSON: %w", err)
	}
	return buf.Bytes(), nil
}

// FileName is the name Generate gives a board's JSON file: its uid.
func FileName(board *sdk.Board) string { return board.UID + ".json" }

// Generate writes every dashboard's JSON to dir (created if missing), one
// file per dashboard named by its uid, and returns the paths written.
// Files are replaced only when their content changes.
func Generate(dir string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("generate dashboards: %w", err)
	}
	var paths []string
	for _, b := range All() {
		data, err := Marshal(b)
		if err != nil {
			return paths, err
		}
		path := filepath.Join(dir, FileName(b))
		if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
			paths = append(paths, path)
			continue
		}
		if err := writeFileAtomic(path, data); err != nil {
			return paths, fmt.Errorf("generate dashboard %s: %w", b.UID, err)
		}
		paths = append(paths, path)
	}
	return paths, nil
}

// writeFileAtomic writes data to a temporary file beside path and renames it
// over path, so that a reader (Grafana's file provisioner polls the folder)
// never sees half a dashboard.
func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		os.Remove(tmp)
		return err
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return err
	}
	return nil
}
