package web

import (
	"crypto/subtle"
	"encoding/json"
	"net"
	"net/http"
	"strings"
)

// Credentials are a bearer token and basic-auth users (user → password);
// none set means no credentials.
type Credentials struct {
	Token string
	Basic map[string]string
}

// Enabled reports whether any credential is set.
func (c Credentials) Enabled() bool { return c.Token != "" || len(c.Basic) > 0 }

// Guard lets a request through when it carries the current bearer token or
// basic-auth credentials, or when open says the current credentials leave
// it open; otherwise 401 (or 403 when no credentials are configured at all).
// The credentials are read per request: a SIGHUP may replace them.
func Guard(current func() Credentials, open func(Credentials) bool, what string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		auth := current()
		if open(auth) || authorized(auth, r) {
			next.ServeHTTP(rw, r)
			return
		}
		if !auth.Enabled() {
			apiError(rw, http.StatusForbidden, what+" listen beyond the loopback and need http.auth (a token_file, basic_auth_file or CXPULSE_HTTP_TOKEN)")
			return
		}
		rw.Header().Set("WWW-Authenticate", `Basic realm="cxpulse"`)
		apiError(rw, http.StatusUnauthorized, "unauthorized")
	})
}

func authorized(auth Credentials, r *http.Request) bool {
	if auth.Token != "" {
		if t, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer "); ok &&
			subtle.ConstantTimeCompare([]byte(t), []byte(auth.Token)) == 1 {
			return true
		}
	}
	if user, pass, ok := r.BasicAuth(); ok {
		if want, known := auth.Basic[user]; known && subtle.ConstantTimeCompare([]byte(pass), []byte(want)) == 1 {
			return true
		}
	}
	return false
}

// IsLoopback reports whether addr listens on the loopback only.
func IsLoopback(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func apiError(rw http.ResponseWriter, code int, msg string) {
	rw.Header().Set("Content-Type", "application/json")
	rw.WriteHeader(code)
	_ = json.NewEncoder(rw).Encode(map[string]string{"error": msg})
}

func writeJSON(rw http.ResponseWriter, v any) {
	rw.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(rw)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
