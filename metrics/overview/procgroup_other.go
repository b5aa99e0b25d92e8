//go:build !unix

package overview

import "os/exec"

// ownProcessGroup leaves cmd as it is: without process groups, cancelling
// kills the browser process only.
func ownProcessGroup(*exec.Cmd) {}
