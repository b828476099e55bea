package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/fjordlog/fjord/server"
)

// cliEnv is everything the commands take from the process: streams, the
// environment and signals. Tests replace it to run commands in-process.
type cliEnv struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	// lookupEnv reads an environment variable (os.LookupEnv in production).
	lookupEnv func(key string) (string, bool)
	// notifySignals relays SIGINT, SIGTERM and SIGHUP to c until stop is
	// called.
	notifySignals func(c chan<- os.Signal) (stop func())
	// exit ends the process at once; serve calls it on a second signal.
	exit func(code int)
	// serving, if set, is called once `fjord serve` has bound its listeners.
	serving func(*server.Server)
}

func newStdEnv() *cliEnv {
	return &cliEnv{
		stdin:     os.Stdin,
		stdout:    os.Stdout,
		stderr:    os.Stderr,
		lookupEnv: os.LookupEnv,
		notifySignals: func(c chan<- os.Signal) func() {
			signal.Notify(c, os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
			return func() { signal.Stop(c) }
		},
		exit: os.Exit,
	}
}

// getenv returns a non-empty environment variable; empty counts as unset.
func (e *cliEnv) getenv(key string) (string, bool) {
	if e.lookupEnv == nil {
		return "", false
	}
	v, ok := e.lookupEnv(key)
	return v, ok && v != ""
}

// interruptible returns a context cancelled by the first SIGINT, SIGTERM or SIGHUP;
// after that the default signal behaviour (exit) is restored, so a second
// signal kills the process.
func (e *cliEnv) interruptible(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	if e.notifySignals == nil {
		return ctx, cancel
	}
	ch := make(chan os.Signal, 1)
	stop := e.notifySignals(ch)
	go func() {
		select {
		case <-ch:
		case <-ctx.Done():
		}
		stop()
		cancel()
	}()
	return ctx, cancel
}

// usageError marks errors in how the command was invoked (flags, arguments);
// they get a pointer to the command's help, runtime errors do not.
type usageError struct {
	cmd *cobra.Command
	err error
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(cmd *cobra.Command, format string, args ...any) error {
	return &usageError{cmd: cmd, err: fmt.Errorf(format, args...)}
}

// run executes the command line and returns the process exit code: 0 on
// success, 1 on a runtime error, 2 on a usage error. Errors are printed as
// one line on stderr prefixed "fjord: ".
func run(ctx context.Context, args []string, env *cliEnv) int {
	root := newRootCmd(env)
	root.SetArgs(args)
	_, err := root.ExecuteContextC(ctx)
	if err == nil {
		return 0
	}
	msg := oneLine(err.Error())
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(env.stderr, "fjord: %s (see '%s --help')\n", msg, ue.cmd.CommandPath())
		return 2
	}
	fmt.Fprintf(env.stderr, "fjord: %s\n", msg)
	return 1
}

// oneLine keeps an error message on a single line: the first line of a
// multi-line message, without a repeated "fjord: " prefix.
func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = strings.TrimSpace(s[:i])
	}
	// SDK errors carry their own "fjord: " prefix; it reads as noise mid-line.
	return strings.ReplaceAll(strings.TrimPrefix(s, "fjord: "), ": fjord: ", ": ")
}

func newRootCmd(env *cliEnv) *cobra.Command {
	root := groupCmd(&cobra.Command{
		Use:   "fjord",
		Short: "Fjord: a gRPC-native distributed log",
		Long: `Fjord is a partitioned, replicated commit log with a gRPC API.

Run a single-node broker with defaults:   fjord serve
Then, in another terminal:                fjord topic create demo
                                          echo hello | fjord produce demo
                                          fjord consume demo`,
	})
	root.SilenceUsage = true
	root.SilenceErrors = true
	root.CompletionOptions.DisableDefaultCmd = true
	root.Version = buildVersion()
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetIn(env.stdin)
	root.SetOut(env.stdout)
	root.SetErr(env.stderr)
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{cmd: c, err: err}
	})
	root.AddCommand(
		newServeCmd(env),
		newTopicCmd(env),
		newProduceCmd(env),
		newConsumeCmd(env),
		newClusterCmd(env),
		newPartitionCmd(env),
		newConsumerGroupCmd(env),
		newSchemaCmd(env),
		newACLCmd(env),
		newQuotaCmd(env),
		newBenchCmd(env),
		newVersionCmd(env),
	)
	return root
}

// groupCmd makes cmd a parent of subcommands that prints its help when run
// alone and rejects unknown subcommands as usage errors.
func groupCmd(cmd *cobra.Command) *cobra.Command {
	cmd.Args = func(c *cobra.Command, args []string) error {
		if len(args) > 0 {
			return usageErrorf(c, "unknown command %q for %q", args[0], c.CommandPath())
		}
		return nil
	}
	cmd.RunE = func(c *cobra.Command, _ []string) error { return c.Help() }
	return cmd
}

// exactArgs is cobra.ExactArgs reporting a usage error that names what is
// expected; n is 0 or 1.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		switch {
		case len(args) == n:
			return nil
		case n == 0:
			return usageErrorf(c, "%s takes no arguments, got %q", c.CommandPath(), strings.Join(args, " "))
		}
		return usageErrorf(c, "%s needs exactly one argument, %s (got %d)", c.CommandPath(), what, len(args))
	}
}

// minArgs is cobra.MinimumNArgs(1) reporting a usage error.
func minArgs(what string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) == 0 {
			return usageErrorf(c, "%s needs %s", c.CommandPath(), what)
		}
		return nil
	}
}
