package guide

import (
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
)

// Runner runs the vendors' CLIs (hs, sf). Tests fake it, or put fake
// scripts on PATH for Exec.
type Runner interface {
	// LookPath says whether the program is installed.
	LookPath(name string) (string, error)
	// Run runs name with args in dir, its output to out; a non-zero exit is
	// an error.
	Run(ctx context.Context, dir string, out io.Writer, name string, args ...string) error
}

// Exec runs programs found on PATH.
type Exec struct {
	// Stdin is given to the programs, for the questions they may ask (hs
	// asks whether to create a project it does not know yet); nil: none.
	Stdin io.Reader
}

// LookPath finds name on PATH.
func (Exec) LookPath(name string) (string, error) { return exec.LookPath(name) }

// Run runs name with args in dir, output and errors to out.
func (e Exec) Run(ctx context.Context, dir string, out io.Writer, name string, args ...string) error {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir, cmd.Stdin, cmd.Stdout, cmd.Stderr = dir, e.Stdin, out, out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s (in %s): %w", name, strings.Join(args, " "), dir, err)
	}
	return nil
}
