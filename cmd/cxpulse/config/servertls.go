package config

import (
	"bytes"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
	"sync"
)

// CertStore holds the HTTP server's TLS material and reads it again when
// its files change: GetConfigForClient hands every new connection the
// current certificate and client CAs, so renewing a certificate is a file
// copy, not a restart. A change that does not load (a half-written file, a
// key of another certificate) is refused and the previous material kept.
type CertStore struct {
	cfg ServerTLS

	mu     sync.RWMutex
	tls    *tls.Config
	digest [sha256.Size]byte // of the three files' contents, to see a change
}

// NewCertStore loads the files once; the error names the bad field.
func NewCertStore(t ServerTLS) (*CertStore, error) {
	s := &CertStore{cfg: t}
	if _, err := s.Reload(); err != nil {
		return nil, err
	}
	return s, nil
}

// CheckServerTLS loads the files as a start would, without keeping them.
// A missing key file is Validate's to report.
func CheckServerTLS(t ServerTLS) error {
	if t.CertFile == "" || t.KeyFile == "" {
		return nil
	}
	_, err := NewCertStore(t)
	return err
}

// Reload reads the files and, when their contents changed and load, makes
// them current. It reports whether anything changed.
func (s *CertStore) Reload() (bool, error) {
	files, digest, err := s.read()
	if err != nil {
		return false, err
	}
	s.mu.RLock()
	same := s.tls != nil && digest == s.digest
	s.mu.RUnlock()
	if same {
		return false, nil
	}
	cert, err := tls.X509KeyPair(files[0], files[1])
	if err != nil {
		return false, fmt.Errorf("http.tls.cert_file: %s and http.tls.key_file %s: %w", s.cfg.CertFile, s.cfg.KeyFile, err)
	}
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
	if s.cfg.ClientCAFile != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(files[2]) {
			return false, fmt.Errorf("http.tls.client_ca_file: no PEM certificates in %s", s.cfg.ClientCAFile)
		}
		cfg.ClientCAs = pool
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	}
	s.mu.Lock()
	s.tls, s.digest = cfg, digest
	s.mu.Unlock()
	return true, nil
}

func (s *CertStore) read() ([3][]byte, [sha256.Size]byte, error) {
	var files [3][]byte
	var errs []error
	for i, f := range []struct{ field, path string }{
		{"http.tls.cert_file", s.cfg.CertFile}, {"http.tls.key_file", s.cfg.KeyFile}, {"http.tls.client_ca_file", s.cfg.ClientCAFile},
	} {
		if f.path == "" {
			continue
		}
		data, err := os.ReadFile(f.path)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", f.field, err))
		}
		files[i] = data
	}
	return files, sha256.Sum256(bytes.Join(files[:], []byte{0})), errors.Join(errs...)
}

// ServerConfig is the tls.Config to serve with: each handshake gets the
// material current at that moment.
func (s *CertStore) ServerConfig() *tls.Config {
	return &tls.Config{
		MinVersion: tls.VersionTLS12,
		GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
			s.mu.RLock()
			defer s.mu.RUnlock()
			return s.tls, nil
		},
	}
}
