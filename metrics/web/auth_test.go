package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestGuard(t *testing.T) {
	ok := http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusTeapot) })
	creds := Credentials{Token: "s3cret", Basic: map[string]string{"ops": "pa55"}}
	closed := func(Credentials) bool { return false }
	for _, tc := range []struct {
		name  string
		creds Credentials
		open  func(Credentials) bool
		req   func(r *http.Request)
		want  int
	}{
		{"bearer token", creds, closed, func(r *http.Request) { r.Header.Set("Authorization", "Bearer s3cret") }, http.StatusTeapot},
		{"wrong token", creds, closed, func(r *http.Request) { r.Header.Set("Authorization", "Bearer nope") }, http.StatusUnauthorized},
		{"basic auth", creds, closed, func(r *http.Request) { r.SetBasicAuth("ops", "pa55") }, http.StatusTeapot},
		{"wrong password", creds, closed, func(r *http.Request) { r.SetBasicAuth("ops", "x") }, http.StatusUnauthorized},
		{"unknown user", creds, closed, func(r *http.Request) { r.SetBasicAuth("root", "pa55") }, http.StatusUnauthorized},
		{"nothing sent", creds, closed, func(*http.Request) {}, http.StatusUnauthorized},
		{"no credentials configured", Credentials{}, closed, func(*http.Request) {}, http.StatusForbidden},
		{"open", Credentials{}, func(c Credentials) bool { return !c.Enabled() }, func(*http.Request) {}, http.StatusTeapot},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/api/v1/kpis", nil)
			tc.req(r)
			rw := httptest.NewRecorder()
			Guard(func() Credentials { return tc.creds }, tc.open, "the API", ok).ServeHTTP(rw, r)
			require.Equal(t, tc.want, rw.Code)
			if tc.want == http.StatusUnauthorized {
				require.Equal(t, `Basic realm="cxpulse"`, rw.Header().Get("WWW-Authenticate"))
			}
			if tc.want != http.StatusTeapot {
				var body map[string]string
				require.NoError(t, json.Unmarshal(rw.Body.Bytes(), &body))
				require.NotEmpty(t, body["error"])
				require.NotContains(t, rw.Body.String(), "s3cret", "no secret in an answer")
			}
		})
	}
}

func TestIsLoopback(t *testing.T) {
	for addr, want := range map[string]bool{
		"127.0.0.1:9464": true, "localhost:9464": true, "[::1]:9464": true,
		":9464": false, "0.0.0.0:9464": false, "10.1.2.3:9464": false, "nonsense": false,
	} {
		require.Equal(t, want, IsLoopback(addr), addr)
	}
}

func TestCompareOptions(t *testing.T) {
	win, err := ParseWindows("30d")
	require.NoError(t, err)
	opts, err := CompareOptions("nps", win, "praha-1, brno-1", "", "", "0.9", "")
	require.NoError(t, err)
	require.Equal(t, []string{"praha-1", "brno-1"}, opts.Branches)
	require.Equal(t, 0.9, opts.Level)

	two, err := ParseWindows("7d,30d")
	require.NoError(t, err)
	for _, tc := range []struct {
		kpi, target, level, fdr, want string
		windows                       int
	}{
		{kpi: "nope", want: `kpi "nope": want one of`},
		{kpi: "nps", windows: 2, want: "one window"},
		{kpi: "sla", target: "lunch", want: `target "lunch"`},
		{kpi: "nps", level: "1", want: `level "1": want a number between 0 and 1`},
		{kpi: "nps", fdr: "x", want: `fdr "x"`},
	} {
		w := win
		if tc.windows == 2 {
			w = two
		}
		_, err := CompareOptions(tc.kpi, w, "", "", tc.target, tc.level, tc.fdr)
		require.ErrorContains(t, err, tc.want)
	}
	_, err = ParseWindows(" , ")
	require.ErrorContains(t, err, "at least one window")
}
