package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	fjord "github.com/fjordlog/fjord/clients/go"
)

func newSchemaCmd(env *cliEnv) *cobra.Command {
	cf := &clientFlags{}
	cmd := groupCmd(&cobra.Command{
		Use:   "schema",
		Short: "Register, list, get, check, configure and delete Avro schemas; set modes",
		Long: `Manage the schema registry every broker serves (over gRPC here; the same
registry answers Confluent's REST API on the brokers' --http listener).

Schemas are registered under subjects; by default a topic's values use the
subject TOPIC-value and its keys TOPIC-key. Each registration has a version
in its subject and a global id, which Avro values carry in the Confluent wire
format (magic byte 0, 4-byte id). Produce and consume Avro with
'fjord produce TOPIC --value-schema SUBJECT' and 'fjord consume TOPIC
--value-schema SUBJECT' (or --decode-avro).`,
	})
	addClientFlags(cmd, cf)
	cmd.AddCommand(
		newSchemaRegisterCmd(env, cf),
		newSchemaListCmd(env, cf),
		newSchemaGetCmd(env, cf),
		newSchemaCheckCmd(env, cf),
		newSchemaConfigCmd(env, cf),
		newSchemaModeCmd(env, cf),
		newSchemaDeleteCmd(env, cf),
	)
	return cmd
}

// registryCmd connects and runs fn with a schema registry client.
func registryCmd(c *cobra.Command, env *cliEnv, cf *clientFlags, fn func(ctx context.Context, reg *fjord.SchemaRegistry) error, opts ...fjord.RegistryOpt) error {
	cl, err := cf.connect(c.Context(), c, env)
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := cf.requestCtx(c.Context())
	defer cancel()
	return fn(ctx, fjord.NewSchemaRegistry(cl, opts...))
}

// subjectError rewords registry errors about a named subject: a missing
// subject as such, anything else as "cannot OP: cause".
func subjectError(op, subject string, err error) error {
	if errors.Is(err, fjord.ErrSubjectNotFound) {
		return &missingSubjectError{subject: subject}
	}
	return fmt.Errorf("cannot %s: %w", op, err)
}

// missingSubjectError says a subject does not exist; it matches
// fjord.ErrSubjectNotFound with errors.Is.
type missingSubjectError struct{ subject string }

func (e *missingSubjectError) Error() string {
	return fmt.Sprintf("subject %q does not exist", e.subject)
}
func (e *missingSubjectError) Unwrap() error { return fjord.ErrSubjectNotFound }

// readSchemaFile reads a schema file; "-" is stdin.
func readSchemaFile(env *cliEnv, name string) (string, error) {
	var b []byte
	var err error
	if name == "-" {
		b, err = io.ReadAll(env.stdin)
	} else {
		b, err = os.ReadFile(name)
	}
	if err != nil {
		return "", fmt.Errorf("cannot read schema: %w", err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return "", fmt.Errorf("schema file %s is empty", name)
	}
	return string(b), nil
}

// parseReferences parses --reference NAME=SUBJECT:VERSION flags.
func parseReferences(specs []string) ([]fjord.SchemaReference, error) {
	var refs []fjord.SchemaReference
	for _, s := range specs {
		name, rest, ok := strings.Cut(s, "=")
		i := strings.LastIndexByte(rest, ':') // subjects may contain ':'
		if i < 0 {
			i = len(rest)
		}
		subject, ver := rest[:i], strings.TrimPrefix(rest[i:], ":")
		v, err := strconv.Atoi(ver)
		if !ok || name == "" || subject == "" || err != nil || v < 1 {
			return nil, fmt.Errorf("invalid --reference %q: want NAME=SUBJECT:VERSION (e.g. com.example.Address=address-value:1)", s)
		}
		refs = append(refs, fjord.SchemaReference{Name: name, Subject: subject, Version: v})
	}
	return refs, nil
}

// parseVersion parses --version: a positive number or latest (-1).
func parseVersion(s string) (int, error) {
	if strings.EqualFold(s, "latest") || s == "-1" {
		return -1, nil
	}
	v, err := strconv.Atoi(s)
	if err != nil || v < 1 {
		return 0, fmt.Errorf("invalid --version %q: want a positive number or latest", s)
	}
	return v, nil
}

// compatibilityLevels are the levels --set takes.
var compatibilityLevels = []string{"NONE", "BACKWARD", "BACKWARD_TRANSITIVE", "FORWARD", "FORWARD_TRANSITIVE", "FULL", "FULL_TRANSITIVE"}

func parseLevel(s string) (string, error) {
	u := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", "_"))
	for _, l := range compatibilityLevels {
		if u == l {
			return l, nil
		}
	}
	return "", fmt.Errorf("invalid level %q: want one of %s", s, strings.Join(compatibilityLevels, ", "))
}

func newSchemaRegisterCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var refSpecs []string
	var normalize, asJSON bool
	cmd := &cobra.Command{
		Use:   "register SUBJECT FILE",
		Short: "Register an Avro schema under a subject",
		Long: `Register the Avro schema in FILE ("-" reads stdin) under SUBJECT and print its
version and global id. A schema already in the subject keeps its version and
id; the same schema under another subject gets the same id. The subject's
compatibility level may refuse it (see 'fjord schema check').

Types from other registered schemas are named with --reference
NAME=SUBJECT:VERSION, NAME being the type's full name as the schema uses it.`,
		Example: `  fjord schema register orders-value order.avsc
  fjord schema register orders-value order.avsc --reference com.example.Address=address:1`,
		Args: schemaArgs(2, "a subject and a schema file"),
		RunE: func(c *cobra.Command, args []string) error {
			refs, err := parseReferences(refSpecs)
			if err != nil {
				return &usageError{cmd: c, err: err}
			}
			text, err := readSchemaFile(env, args[1])
			if err != nil {
				return err
			}
			return registryCmd(c, env, cf, func(ctx context.Context, reg *fjord.SchemaRegistry) error {
				s, err := reg.Register(ctx, args[0], fjord.Schema{Schema: text, References: refs})
				if err != nil {
					return fmt.Errorf("cannot register schema under subject %q: %w", args[0], err)
				}
				if asJSON {
					return writeJSON(c.OutOrStdout(), jsonSchemaID{Subject: s.Subject, Version: s.Version, ID: s.ID})
				}
				fmt.Fprintf(c.OutOrStdout(), "Registered subject %s version %d (id %d)\n", s.Subject, s.Version, s.ID)
				return nil
			}, fjord.NormalizeSchemas(normalize))
		},
	}
	cmd.Flags().StringArrayVar(&refSpecs, "reference", nil, "a referenced type NAME=SUBJECT:VERSION (repeatable)")
	cmd.Flags().BoolVar(&normalize, "normalize", false, "normalize the schema first, so equivalent spellings register once")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

type jsonSchemaID struct {
	Subject string `json:"subject"`
	Version int    `json:"version"`
	ID      int    `json:"id"`
}

// schemaArgs checks the number of positional arguments.
func schemaArgs(n int, what string) cobra.PositionalArgs {
	if n <= 1 {
		return exactArgs(n, what)
	}
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usageErrorf(c, "%s needs %s (got %d arguments)", c.CommandPath(), what, len(args))
		}
		return nil
	}
}

func newSchemaListCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var prefix string
	var deleted, asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List subjects and their versions",
		Args:    exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			return registryCmd(c, env, cf, func(ctx context.Context, reg *fjord.SchemaRegistry) error {
				subjects, err := reg.Subjects(ctx, prefix, deleted)
				if err != nil {
					return fmt.Errorf("cannot list subjects: %w", err)
				}
				out := make([]jsonSubject, 0, len(subjects))
				for _, s := range subjects {
					vs, err := reg.Versions(ctx, s, deleted)
					if err != nil && !errors.Is(err, fjord.ErrSubjectNotFound) {
						return fmt.Errorf("cannot list the versions of subject %q: %w", s, err)
					}
					out = append(out, jsonSubject{Subject: s, Versions: append([]int{}, vs...)})
				}
				if asJSON {
					return writeJSON(c.OutOrStdout(), out)
				}
				tw := tabwriter.NewWriter(c.OutOrStdout(), 0, 8, 2, ' ', 0)
				fmt.Fprintln(tw, "SUBJECT\tVERSIONS")
				for _, s := range out {
					fmt.Fprintf(tw, "%s\t%s\n", s.Subject, intList(s.Versions))
				}
				return tw.Flush()
			})
		},
	}
	cmd.Flags().StringVar(&prefix, "prefix", "", "only subjects starting with this prefix")
	cmd.Flags().BoolVar(&deleted, "deleted", false, "include soft-deleted subjects and versions")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

type jsonSubject struct {
	Subject  string `json:"subject"`
	Versions []int  `json:"versions"`
}

// intList formats versions as 1,2,3 ("-" for none).
func intList(v []int) string {
	if len(v) == 0 {
		return "-"
	}
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = strconv.Itoa(n)
	}
	return strings.Join(s, ",")
}

func newSchemaGetCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var version string
	var id int
	var deleted, asJSON, schemaOnly bool
	cmd := &cobra.Command{
		Use:   "get SUBJECT | --id ID",
		Short: "Show a subject's version or a schema by id",
		Long: `Show one version of SUBJECT (the latest unless --version N), or with --id ID
the schema with that global id and the subject versions registered as it.
--schema-only prints just the schema text, as registered.`,
		Example: `  fjord schema get orders-value
  fjord schema get orders-value --version 2 --schema-only > order-v2.avsc
  fjord schema get --id 7`,
		Args: func(c *cobra.Command, args []string) error {
			if c.Flags().Changed("id") {
				if len(args) > 0 {
					return usageErrorf(c, "give a SUBJECT or --id, not both")
				}
				return nil
			}
			return exactArgs(1, "the subject (or --id ID)")(c, args)
		},
		RunE: func(c *cobra.Command, args []string) error {
			v, err := parseVersion(version)
			if err != nil {
				return &usageError{cmd: c, err: err}
			}
			byID := c.Flags().Changed("id")
			if byID && (c.Flags().Changed("version") || deleted) {
				return usageErrorf(c, "--version and --deleted do not apply with --id")
			}
			if byID && id < 1 {
				return usageErrorf(c, "--id must be positive")
			}
			return registryCmd(c, env, cf, func(ctx context.Context, reg *fjord.SchemaRegistry) error {
				var s fjord.Schema
				var registered []fjord.Schema
				if byID {
					if s, err = reg.SchemaByID(ctx, id); err != nil {
						return fmt.Errorf("cannot get schema id %d: %w", id, err)
					}
					if !schemaOnly {
						if registered, err = reg.SubjectVersionsOf(ctx, id, false); err != nil {
							return fmt.Errorf("cannot get the subjects of schema id %d: %w", id, err)
						}
					}
				} else if s, err = reg.Version(ctx, args[0], v, deleted); err != nil {
					return subjectError(fmt.Sprintf("get subject %q version %s", args[0], version), args[0], err)
				}
				out := c.OutOrStdout()
				switch {
				case schemaOnly:
					_, err := fmt.Fprintln(out, strings.TrimRight(s.Schema, "\n"))
					return err
				case asJSON:
					return writeJSON(out, schemaJSON(s, registered))
				}
				writeSchema(out, s, registered, byID)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&version, "version", "latest", "the version: a number or latest")
	cmd.Flags().IntVar(&id, "id", 0, "show the schema with this global id instead")
	cmd.Flags().BoolVar(&deleted, "deleted", false, "also find a soft-deleted version")
	cmd.Flags().BoolVar(&schemaOnly, "schema-only", false, "print only the schema text")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

type jsonReference struct {
	Name    string `json:"name"`
	Subject string `json:"subject"`
	Version int    `json:"version"`
}

type jsonSchema struct {
	Subject    string          `json:"subject,omitempty"`
	Version    int             `json:"version,omitempty"`
	ID         int             `json:"id"`
	Type       string          `json:"schema_type"`
	Deleted    bool            `json:"deleted,omitempty"`
	References []jsonReference `json:"references"`
	Subjects   []jsonSchemaID  `json:"registered_as,omitempty"`
	Schema     string          `json:"schema"`
}

func schemaType(s fjord.Schema) string {
	if s.Type == "" {
		return "AVRO"
	}
	return s.Type
}

func schemaJSON(s fjord.Schema, registered []fjord.Schema) jsonSchema {
	j := jsonSchema{Subject: s.Subject, Version: s.Version, ID: s.ID, Type: schemaType(s), Deleted: s.Deleted,
		References: []jsonReference{}, Schema: s.Schema}
	for _, r := range s.References {
		j.References = append(j.References, jsonReference(r))
	}
	for _, r := range registered {
		j.Subjects = append(j.Subjects, jsonSchemaID{Subject: r.Subject, Version: r.Version, ID: r.ID})
	}
	return j
}

func writeSchema(w io.Writer, s fjord.Schema, registered []fjord.Schema, byID bool) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	if !byID {
		fmt.Fprintf(tw, "SUBJECT\t%s\n", s.Subject)
		fmt.Fprintf(tw, "VERSION\t%d\n", s.Version)
	}
	fmt.Fprintf(tw, "ID\t%d\n", s.ID)
	fmt.Fprintf(tw, "TYPE\t%s\n", schemaType(s))
	if s.Deleted {
		fmt.Fprintf(tw, "DELETED\ttrue\n")
	}
	if byID {
		var subs []string
		for _, r := range registered {
			subs = append(subs, fmt.Sprintf("%s:%d", r.Subject, r.Version))
		}
		if len(subs) == 0 {
			subs = []string{"-"}
		}
		fmt.Fprintf(tw, "REGISTERED AS\t%s\n", strings.Join(subs, ", "))
	}
	for i, r := range s.References {
		label := ""
		if i == 0 {
			label = "REFERENCES"
		}
		fmt.Fprintf(tw, "%s\t%s=%s:%d\n", label, r.Name, r.Subject, r.Version)
	}
	tw.Flush()
	fmt.Fprintf(w, "\n%s\n", strings.TrimRight(s.Schema, "\n"))
}

func newSchemaCheckCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var version string
	var refSpecs []string
	var verbose bool
	cmd := &cobra.Command{
		Use:   "check SUBJECT FILE",
		Short: "Check whether a schema is compatible with a subject",
		Long: `Check the Avro schema in FILE ("-" reads stdin) against SUBJECT under the
subject's compatibility level: against the versions the level selects (the
latest, or every one for the transitive levels), or against --version N or
latest only. Prints "compatible" (exit 0) or the incompatibilities and fails
(exit 1). --verbose asks the registry for every incompatibility, not only the
first.`,
		Example: `  fjord schema check orders-value order-v3.avsc --verbose`,
		Args:    schemaArgs(2, "a subject and a schema file"),
		RunE: func(c *cobra.Command, args []string) error {
			v := 0
			if c.Flags().Changed("version") {
				var err error
				if v, err = parseVersion(version); err != nil {
					return &usageError{cmd: c, err: err}
				}
			}
			refs, err := parseReferences(refSpecs)
			if err != nil {
				return &usageError{cmd: c, err: err}
			}
			text, err := readSchemaFile(env, args[1])
			if err != nil {
				return err
			}
			return registryCmd(c, env, cf, func(ctx context.Context, reg *fjord.SchemaRegistry) error {
				res, err := reg.CheckCompatibility(ctx, args[0], v, fjord.Schema{Schema: text, References: refs}, verbose)
				if err != nil {
					return subjectError(fmt.Sprintf("check against subject %q", args[0]), args[0], err)
				}
				out := c.OutOrStdout()
				if res.Compatible {
					fmt.Fprintf(out, "compatible with subject %s\n", args[0])
					return nil
				}
				fmt.Fprintf(out, "incompatible with subject %s\n", args[0])
				for _, m := range res.Messages {
					fmt.Fprintf(out, "  %s\n", m)
				}
				return fmt.Errorf("schema %s is not compatible with subject %q", args[1], args[0])
			})
		},
	}
	cmd.Flags().StringVar(&version, "version", "", "check against this version only: a number or latest (default: as the level says)")
	cmd.Flags().StringArrayVar(&refSpecs, "reference", nil, "a referenced type NAME=SUBJECT:VERSION (repeatable)")
	cmd.Flags().BoolVar(&verbose, "verbose", false, "list every incompatibility")
	return cmd
}

// subjectSetting is what `schema config` and `schema mode` share: a setting
// with a global value that a subject may override with its own.
type subjectSetting struct {
	noun  string // "compatibility level" or "mode"
	short string // the noun in "has no NOUN of its own"
	// get reads subject's own setting ("" is the global one); noOwn is its
	// error for a subject without one.
	get   func(ctx context.Context, reg *fjord.SchemaRegistry, subject string) (string, error)
	noOwn error
}

// what names subject's setting: "the global NOUN" or "the NOUN of subject S".
func (s subjectSetting) what(subject string) string {
	if subject == "" {
		return "the global " + s.noun
	}
	return fmt.Sprintf("the %s of subject %s", s.noun, subject)
}

// args accepts an optional SUBJECT.
func (s subjectSetting) args(c *cobra.Command, args []string) error {
	if len(args) > 1 {
		return usageErrorf(c, "%s takes at most one argument, the subject (got %d)", c.CommandPath(), len(args))
	}
	return nil
}

// show reads the setting in force for subject: its own ("subject"), or the
// global one ("global").
func (s subjectSetting) show(ctx context.Context, reg *fjord.SchemaRegistry, subject string) (value, source string, err error) {
	if subject != "" {
		value, err = s.get(ctx, reg, subject)
		if !errors.Is(err, s.noOwn) {
			if err != nil {
				return "", "", fmt.Errorf("cannot get %s: %w", s.what(subject), err)
			}
			return value, "subject", nil
		}
	}
	if value, err = s.get(ctx, reg, ""); err != nil {
		return "", "", fmt.Errorf("cannot get %s: %w", s.what(subject), err)
	}
	return value, "global", nil
}

// writeShown prints what show read.
func (s subjectSetting) writeShown(w io.Writer, subject, value, source string) {
	switch {
	case subject == "":
		fmt.Fprintf(w, "%s (global)\n", value)
	case source == "global":
		fmt.Fprintf(w, "%s (global: subject %s has no %s of its own)\n", value, subject, s.short)
	default:
		fmt.Fprintf(w, "%s (subject %s)\n", value, subject)
	}
}

// deleteError reports a failed delete of subject's own setting.
func (s subjectSetting) deleteError(subject string, err error) error {
	if errors.Is(err, s.noOwn) {
		return fmt.Errorf("subject %q has no %s of its own", subject, s.noun)
	}
	return subjectError("delete "+s.what(subject), subject, err)
}

var (
	configSetting = subjectSetting{noun: "compatibility level", short: "level", noOwn: fjord.ErrSubjectConfigNotFound,
		get: func(ctx context.Context, reg *fjord.SchemaRegistry, subject string) (string, error) {
			cfg, err := reg.Config(ctx, subject, false)
			return cfg.Level, err
		}}
	modeSetting = subjectSetting{noun: "mode", short: "mode", noOwn: fjord.ErrSubjectModeNotFound,
		get: func(ctx context.Context, reg *fjord.SchemaRegistry, subject string) (string, error) {
			return reg.Mode(ctx, subject, false)
		}}
)

// optionalArg is args[0], or "" without one.
func optionalArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return ""
}

func newSchemaConfigCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var set string
	var del, asJSON bool
	cmd := &cobra.Command{
		Use:   "config [SUBJECT]",
		Short: "Show or set the global or a subject's compatibility level",
		Long: `Show the compatibility level of SUBJECT (the global one without SUBJECT), or
set it with --set LEVEL: NONE, BACKWARD (the default), BACKWARD_TRANSITIVE,
FORWARD, FORWARD_TRANSITIVE, FULL or FULL_TRANSITIVE. A subject without a
level of its own follows the global one; --delete removes a subject's own
level (or resets the global one to BACKWARD).`,
		Example: `  fjord schema config
  fjord schema config orders-value --set FULL_TRANSITIVE
  fjord schema config orders-value --delete`,
		Args: configSetting.args,
		RunE: func(c *cobra.Command, args []string) error {
			subject := optionalArg(args)
			setting := c.Flags().Changed("set")
			if setting && del {
				return usageErrorf(c, "--set and --delete are mutually exclusive")
			}
			level := ""
			if setting {
				var err error
				if level, err = parseLevel(set); err != nil {
					return &usageError{cmd: c, err: err}
				}
			}
			what := configSetting.what(subject)
			return registryCmd(c, env, cf, func(ctx context.Context, reg *fjord.SchemaRegistry) error {
				out := c.OutOrStdout()
				switch {
				case setting:
					got, err := reg.SetConfig(ctx, subject, level)
					if err != nil {
						return fmt.Errorf("cannot set %s: %w", what, err)
					}
					if asJSON {
						return writeJSON(out, jsonConfig{Subject: subject, Level: got.Level})
					}
					fmt.Fprintf(out, "Set %s to %s\n", what, got.Level)
					return nil
				case del:
					old, err := reg.DeleteConfig(ctx, subject)
					if err != nil {
						return configSetting.deleteError(subject, err)
					}
					if asJSON {
						return writeJSON(out, jsonConfig{Subject: subject, Previous: old})
					}
					fmt.Fprintf(out, "Deleted %s (was %s)\n", what, old)
					return nil
				}
				level, source, err := configSetting.show(ctx, reg, subject)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(out, jsonConfig{Subject: subject, Level: level, Source: source})
				}
				configSetting.writeShown(out, subject, level, source)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&set, "set", "", "set the level: NONE, BACKWARD, BACKWARD_TRANSITIVE, FORWARD, FORWARD_TRANSITIVE, FULL or FULL_TRANSITIVE")
	cmd.Flags().BoolVar(&del, "delete", false, "delete the subject's own level (the global level: reset it to BACKWARD)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

// jsonConfig is what config --json prints: the level in force and where it
// comes from (showing), the level set (--set), or the level deleted
// (--delete, as previous_compatibility_level).
type jsonConfig struct {
	Subject  string `json:"subject,omitempty"`
	Level    string `json:"compatibility_level,omitempty"`
	Source   string `json:"source,omitempty"`
	Previous string `json:"previous_compatibility_level,omitempty"`
}

// schemaModes are the modes --set takes.
var schemaModes = []string{fjord.ModeReadWrite, fjord.ModeReadOnly, fjord.ModeImport}

// parseMode reads a mode, ignoring case, '-' and '_' (read-only is
// READONLY).
func parseMode(s string) (string, error) {
	u := strings.ToUpper(strings.NewReplacer("-", "", "_", "").Replace(strings.TrimSpace(s)))
	for _, m := range schemaModes {
		if u == m {
			return m, nil
		}
	}
	return "", fmt.Errorf("invalid mode %q: want one of %s", s, strings.Join(schemaModes, ", "))
}

func newSchemaModeCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var set string
	var del, force, asJSON bool
	cmd := &cobra.Command{
		Use:   "mode [SUBJECT]",
		Short: "Show or set the global or a subject's mode",
		Long: `Show the mode of SUBJECT (the global one without SUBJECT), or set it with
--set MODE: READWRITE (the default), READONLY (registrations, deletes and
config changes are refused) or IMPORT (registrations may choose their ids and
versions, as when migrating from another registry, and are not checked for
compatibility). IMPORT is refused while the subject (or, globally, the
registry) has schemas, unless --force. A subject without a mode of its own
follows the global one; --delete removes a subject's own mode (or resets the
global one to READWRITE).`,
		Example: `  fjord schema mode
  fjord schema mode orders-value --set READONLY
  fjord schema mode --set IMPORT --force
  fjord schema mode orders-value --delete`,
		Args: modeSetting.args,
		RunE: func(c *cobra.Command, args []string) error {
			subject := optionalArg(args)
			setting := c.Flags().Changed("set")
			if setting && del {
				return usageErrorf(c, "--set and --delete are mutually exclusive")
			}
			if force && !setting {
				return usageErrorf(c, "--force applies only with --set")
			}
			mode := ""
			if setting {
				var err error
				if mode, err = parseMode(set); err != nil {
					return &usageError{cmd: c, err: err}
				}
			}
			what := modeSetting.what(subject)
			return registryCmd(c, env, cf, func(ctx context.Context, reg *fjord.SchemaRegistry) error {
				out := c.OutOrStdout()
				switch {
				case setting:
					got, err := reg.SetMode(ctx, subject, mode, force)
					if errors.Is(err, fjord.ErrOperationNotPermitted) && mode == fjord.ModeImport && !force {
						return fmt.Errorf("cannot set %s to IMPORT: schemas are registered (--force sets it anyway): %w", what, err)
					}
					if err != nil {
						return fmt.Errorf("cannot set %s: %w", what, err)
					}
					if asJSON {
						return writeJSON(out, jsonMode{Subject: subject, Mode: got})
					}
					fmt.Fprintf(out, "Set %s to %s\n", what, got)
					return nil
				case del:
					old, err := reg.DeleteMode(ctx, subject)
					if err != nil {
						return modeSetting.deleteError(subject, err)
					}
					if asJSON {
						return writeJSON(out, jsonMode{Subject: subject, Previous: old})
					}
					fmt.Fprintf(out, "Deleted %s (was %s)\n", what, old)
					return nil
				}
				m, source, err := modeSetting.show(ctx, reg, subject)
				if err != nil {
					return err
				}
				if asJSON {
					return writeJSON(out, jsonMode{Subject: subject, Mode: m, Source: source})
				}
				modeSetting.writeShown(out, subject, m, source)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&set, "set", "", "set the mode: READWRITE, READONLY or IMPORT")
	cmd.Flags().BoolVar(&force, "force", false, "with --set IMPORT: set it although schemas are registered")
	cmd.Flags().BoolVar(&del, "delete", false, "delete the subject's own mode (the global mode: reset it to READWRITE)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON object")
	return cmd
}

// jsonMode is what mode --json prints: the mode in force and where it
// comes from (showing), the mode set (--set), or the mode deleted
// (--delete, as previous_mode).
type jsonMode struct {
	Subject  string `json:"subject,omitempty"`
	Mode     string `json:"mode,omitempty"`
	Source   string `json:"source,omitempty"`
	Previous string `json:"previous_mode,omitempty"`
}

func newSchemaDeleteCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var version string
	var permanent bool
	cmd := &cobra.Command{
		Use:   "delete SUBJECT",
		Short: "Delete a subject, or one version of it",
		Long: `Delete every version of SUBJECT, or with --version N (or latest) one version.
Deletes are soft first: the versions are hidden but their ids still resolve,
so data written with them stays readable, and registering the schema again
brings it back. --permanent then deletes soft-deleted versions for good; a
version other schemas reference cannot be deleted for good.`,
		Example: `  fjord schema delete orders-value --version 3
  fjord schema delete orders-value && fjord schema delete orders-value --permanent`,
		Args: exactArgs(1, "the subject"),
		RunE: func(c *cobra.Command, args []string) error {
			subject := args[0]
			kind := "Soft-deleted"
			if permanent {
				kind = "Permanently deleted"
			}
			if c.Flags().Changed("version") {
				v, err := parseVersion(version)
				if err != nil {
					return &usageError{cmd: c, err: err}
				}
				return registryCmd(c, env, cf, func(ctx context.Context, reg *fjord.SchemaRegistry) error {
					got, err := reg.DeleteVersion(ctx, subject, v, permanent)
					if err != nil {
						return subjectError(fmt.Sprintf("delete subject %q version %s", subject, version), subject, err)
					}
					fmt.Fprintf(c.OutOrStdout(), "%s subject %s version %d\n", kind, subject, got)
					return nil
				})
			}
			return registryCmd(c, env, cf, func(ctx context.Context, reg *fjord.SchemaRegistry) error {
				vs, err := reg.DeleteSubject(ctx, subject, permanent)
				if err != nil {
					return subjectError(fmt.Sprintf("delete subject %q", subject), subject, err)
				}
				fmt.Fprintf(c.OutOrStdout(), "%s subject %s (versions %s)\n", kind, subject, intList(vs))
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&version, "version", "", "delete only this version: a number or latest")
	cmd.Flags().BoolVar(&permanent, "permanent", false, "delete soft-deleted versions for good")
	return cmd
}
