//go:build unix

package overview

import (
	"os/exec"
	"syscall"
)

// ownProcessGroup starts cmd in a process group of its own and makes
// cancelling it kill the whole group: Chromium forks a zygote, renderers and
// a GPU process, which killing the browser process alone can leave behind.
func ownProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error {
		// The group's id is the browser's pid, still ours: Cancel runs
		// before Wait reaps it.
		return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
