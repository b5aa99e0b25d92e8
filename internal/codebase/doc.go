// Package codebase holds no code: its tests check the shape of the
// repository itself (file sizes, which packages the binary links), so that
// `go test ./...` in CI keeps the rules of the README's "Code layout" true.
package codebase
