package main

import (
	"context"
	"crypto/tls"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/rs/zerolog"
	"github.com/stretchr/testify/require"

	"github.com/cxpulse/cxpulse/cmd/cxpulse/config"
)

// startTLSServer runs the health server over TLS on a free port until the
// test ends.
func startTLSServer(t *testing.T, cfg config.ServerTLS) (addr string, srv *healthServer) {
	t.Helper()
	store, err := config.NewCertStore(cfg)
	require.NoError(t, err)
	reg := prometheus.NewRegistry()
	reg.MustRegister(newBuildInfoCollector())
	srv = &healthServer{addr: freeAddr(t), reg: reg, ready: func() error { return nil }, log: zerolog.Nop(),
		metricsAuth: func() config.HTTPAuth { return config.HTTPAuth{} }, tls: store, tlsReload: 50 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", srv.addr)
		if err == nil {
			c.Close()
		}
		return err == nil
	}, 5*time.Second, 10*time.Millisecond)
	return srv.addr, srv
}

// getTLS fetches path over TLS, trusting roots, presenting certs, and
// returns the body and the serial number of the server's certificate.
func getTLS(addr, path string, roots *tls.Config) (string, string, error) {
	client := http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: roots}}
	defer client.CloseIdleConnections()
	resp, err := client.Get("https://" + addr + path)
	if err != nil {
		return "", "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", "", errors.New(resp.Status)
	}
	return string(body), resp.TLS.PeerCertificates[0].SerialNumber.String(), nil
}

// The server speaks TLS with the configured pair, serves a renewed
// certificate once its files change, and keeps the old one when the new
// files do not load.
func TestTLSServesAndReloadsTheCertificate(t *testing.T) {
	ca := newTestCA(t, "cx")
	cert, key := ca.issue("server", 100, false)
	addr, _ := startTLSServer(t, config.ServerTLS{CertFile: cert, KeyFile: key, ReloadInterval: time.Second})
	trust := &tls.Config{RootCAs: ca.pool(), MinVersion: tls.VersionTLS12}

	body, serial, err := getTLS(addr, "/metrics", trust)
	require.NoError(t, err)
	require.Equal(t, "100", serial)
	require.Contains(t, body, `cxpulse_build_info{`, "build info on /metrics")

	plain := http.Client{Timeout: 5 * time.Second}
	resp, err := plain.Get("http://" + addr + "/healthz")
	if err == nil {
		resp.Body.Close()
		require.Equal(t, http.StatusBadRequest, resp.StatusCode, "plain HTTP on a TLS port is refused")
	}

	// renewal: new files under the same names
	newCert, newKey := ca.issue("server-renewed", 101, false)
	copyFile(t, newCert, cert)
	copyFile(t, newKey, key)
	require.Eventually(t, func() bool {
		_, serial, err := getTLS(addr, "/healthz", trust)
		return err == nil && serial == "101"
	}, 10*time.Second, 50*time.Millisecond, "the renewed certificate is served")

	// a broken renewal (the key of another certificate) is refused
	_, otherKey := ca.issue("other", 102, false)
	copyFile(t, otherKey, key)
	time.Sleep(300 * time.Millisecond) // several reload ticks
	_, serial, err = getTLS(addr, "/healthz", trust)
	require.NoError(t, err)
	require.Equal(t, "101", serial, "the previous certificate stays")
}

// With a client CA, only clients with a certificate from it get through.
func TestMutualTLSNeedsAClientCertificate(t *testing.T) {
	ca := newTestCA(t, "cx")
	cert, key := ca.issue("server", 200, false)
	addr, _ := startTLSServer(t, config.ServerTLS{CertFile: cert, KeyFile: key, ClientCAFile: ca.path("cx-ca.pem"), ReloadInterval: time.Second})
	_, _, err := getTLS(addr, "/healthz", &tls.Config{RootCAs: ca.pool(), MinVersion: tls.VersionTLS12})
	require.Error(t, err, "no client certificate")

	stranger := newTestCA(t, "stranger")
	sc, sk := stranger.issue("mallory", 1, true)
	_, _, err = getTLS(addr, "/healthz", &tls.Config{RootCAs: ca.pool(), MinVersion: tls.VersionTLS12,
		Certificates: []tls.Certificate{clientCert(t, sc, sk)}})
	require.Error(t, err, "a client certificate from another CA")

	cc, ck := ca.issue("prometheus", 201, true)
	body, _, err := getTLS(addr, "/healthz", &tls.Config{RootCAs: ca.pool(), MinVersion: tls.VersionTLS12,
		Certificates: []tls.Certificate{clientCert(t, cc, ck)}})
	require.NoError(t, err)
	require.Equal(t, "ok\n", body)
}

// A start with an unreadable file or a pair that does not match fails,
// naming the field.
func TestBadCertificatePairFailsNamingTheField(t *testing.T) {
	ca := newTestCA(t, "cx")
	cert, key := ca.issue("server", 300, false)
	_, otherKey := ca.issue("other", 301, false)
	for name, tc := range map[string]struct {
		cfg  config.ServerTLS
		want string
	}{
		"mismatched pair": {config.ServerTLS{CertFile: cert, KeyFile: otherKey}, "http.tls.cert_file"},
		"unreadable key":  {config.ServerTLS{CertFile: cert, KeyFile: ca.path("missing-key.pem")}, "http.tls.key_file"},
		"not a CA file":   {config.ServerTLS{CertFile: cert, KeyFile: key, ClientCAFile: key}, "http.tls.client_ca_file"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := config.NewCertStore(tc.cfg)
			require.ErrorContains(t, err, tc.want)
			require.ErrorContains(t, config.CheckServerTLS(tc.cfg), tc.want)
		})
	}
}
