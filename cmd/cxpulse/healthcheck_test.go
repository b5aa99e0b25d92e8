package main

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/stretchr/testify/require"
)

func TestProbeBase(t *testing.T) {
	for addr, want := range map[string]string{
		":9464":          "http://127.0.0.1:9464",
		"0.0.0.0:9464":   "http://127.0.0.1:9464",
		"[::]:9464":      "http://127.0.0.1:9464",
		"10.1.2.3:8080":  "http://10.1.2.3:8080",
		"localhost:9464": "http://localhost:9464",
		"[::1]:9464":     "http://[::1]:9464",
	} {
		got, err := probeBase(addr)
		require.NoError(t, err, addr)
		require.Equal(t, want, got, addr)
	}
	_, err := probeBase("9464")
	require.ErrorContains(t, err, `http.addr "9464"`)
}

func TestProbe(t *testing.T) {
	srv := httptest.NewServer((&healthServer{reg: prometheus.NewRegistry(), ready: func() error { return context.Canceled }}).handler())
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	status, err := probe(ctx, srv.URL+"/healthz")
	require.NoError(t, err)
	require.Equal(t, "200 OK", status)
	_, err = probe(ctx, srv.URL+"/readyz")
	require.ErrorContains(t, err, "503 Service Unavailable: not ready: context canceled")
	srv.Close()
	_, err = probe(ctx, srv.URL+"/healthz")
	require.Error(t, err, "no server")
}
