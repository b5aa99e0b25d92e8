package overview

import (
	"bytes"
	"math"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// The experience table shows each group's size and retention, and the gap
// in points coloured by its interval: red only when the whole interval says
// that customers come back less after a bad experience.
func TestRenderExperience(t *testing.T) {
	p := Page{Experience: Experience{Title: "Retention by service experience, 7d", Rows: []ExperienceRow{
		{Branch: "loses", Bad: 40, BadKept: 20, Good: 400, GoodKept: 320, HasGap: true, Gap: 0.3, Low: 0.14, High: 0.44, PValue: 0.0002},
		{Branch: "noise", Bad: 10, BadKept: 7, Good: 50, GoodKept: 40, HasGap: true, Gap: 0.1, Low: -0.15, High: 0.42, PValue: 0.42},
		{Branch: "gains", Bad: 200, BadKept: 190, Good: 200, GoodKept: 150, HasGap: true, Gap: -0.2, Low: -0.27, High: -0.13, PValue: 0.0000001},
		{Branch: "nobody-unhappy", Good: 12, GoodKept: 9},
		{Branch: "odd", Bad: 3, BadKept: 1, Good: 3, GoodKept: 2, HasGap: true, Gap: math.NaN(), Low: math.NaN(), High: math.NaN(), PValue: math.NaN()},
	}}}
	var buf bytes.Buffer
	require.NoError(t, Render(&buf, p))
	html := strings.ReplaceAll(buf.String(), "\u202f", " ") // the narrow no-break space before units
	row := func(branch string) string {
		t.Helper()
		m := regexp.MustCompile(`<tr class="experience-row" data-branch="` + branch + `">.*?</tr>`).FindString(html)
		require.NotEmpty(t, m, branch)
		return m
	}
	require.Contains(t, html, "<h2>Retention by service experience, 7d</h2>")
	loses := row("loses")
	require.Contains(t, loses, `<td class="plain">50.0 %</td>`)
	require.Contains(t, loses, `<td class="plain">80.0 %</td>`)
	require.Regexp(t, `<td class="bad" title="[^"]*really come back less">&#43;30.0 pts</td>`, loses)
	require.Contains(t, loses, `<td class="plain">14.0–44.0</td><td class="plain">&lt; 0.001</td>`)
	require.Regexp(t, `<td class="plain" title="[^"]*within noise">&#43;10.0 pts</td>`, row("noise"))
	require.Contains(t, row("noise"), `-15.0 to 42.0`)
	require.Regexp(t, `<td class="ok" title="[^"]*come back more">-20.0 pts</td>`, row("gains"))
	nobody := row("nobody-unhappy")
	require.Contains(t, nobody, `<td class="plain">0</td><td class="plain">–</td><td class="plain">12</td><td class="plain">75.0 %</td>`)
	require.NotContains(t, nobody, "pts")
	require.NotContains(t, row("odd"), "NaN")

	buf.Reset()
	require.NoError(t, Render(&buf, Page{}))
	require.Contains(t, buf.String(), "No retention data yet.")
}
