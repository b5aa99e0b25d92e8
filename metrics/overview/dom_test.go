package overview

import (
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The page is well-formed XML by construction (see render.go), so the tests
// walk it with encoding/xml: golang.org/x/net/html is in the module graph
// only indirectly, and requiring it would change go.mod.

// node is an element of the rendered page, or a run of text (Name
// "#text", Text set).
type node struct {
	Name     string
	Attr     map[string]string
	Children []*node
	Text     string
}

// parsePage parses a rendered page strictly, failing the test when it is
// not well-formed.
func parsePage(t *testing.T, page []byte) *node {
	t.Helper()
	root, err := parseXML(page)
	require.NoError(t, err, "the page must be well-formed XML")
	return root
}

func parseXML(b []byte) (*node, error) {
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	root := &node{Name: "#document"}
	stack := []*node{root}
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return root, nil
		}
		if err != nil {
			return nil, err
		}
		top := stack[len(stack)-1]
		switch tok := tok.(type) {
		case xml.StartElement:
			n := &node{Name: tok.Name.Local, Attr: map[string]string{}}
			for _, a := range tok.Attr {
				n.Attr[a.Name.Local] = a.Value
			}
			top.Children = append(top.Children, n)
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			top.Children = append(top.Children, &node{Name: "#text", Text: string(tok)})
		}
	}
}

// all returns the elements under n (n included) for which keep is true, in
// document order.
func (n *node) all(keep func(*node) bool) []*node {
	var out []*node
	var walk func(*node)
	walk = func(m *node) {
		if keep(m) {
			out = append(out, m)
		}
		for _, c := range m.Children {
			walk(c)
		}
	}
	walk(n)
	return out
}

// byClass returns the elements under n whose class list has class.
func (n *node) byClass(class string) []*node {
	return n.all(func(m *node) bool { return hasClass(m, class) })
}

func (n *node) byName(name string) []*node {
	return n.all(func(m *node) bool { return m.Name == name })
}

func hasClass(n *node, class string) bool {
	for _, c := range strings.Fields(n.Attr["class"]) {
		if c == class {
			return true
		}
	}
	return false
}

// text is the text content of n, whitespace (narrow no-break spaces too)
// collapsed to single spaces.
func (n *node) text() string { return n.textSkipping("") }

// ownText is the text of n without its <title> (the tooltip), collapsed.
func (n *node) ownText() string { return n.textSkipping("title") }

func (n *node) textSkipping(skip string) string {
	var b strings.Builder
	var walk func(*node)
	walk = func(m *node) {
		if m.Name == skip {
			return
		}
		b.WriteString(m.Text)
		for _, c := range m.Children {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}
