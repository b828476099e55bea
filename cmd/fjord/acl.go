package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	fjord "github.com/fjordlog/fjord/clients/go"
)

// splitPrincipals parses --super-users: comma-separated principals, blanks
// dropped (the broker validates each).
func splitPrincipals(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func newACLCmd(env *cliEnv) *cobra.Command {
	cf := &clientFlags{}
	cmd := groupCmd(&cobra.Command{
		Use:   "acl",
		Short: "Create, list and delete ACLs (brokers run with --authorizer=acl)",
		Long: `Create, list and delete the ACL bindings a broker started with
--authorizer=acl checks every call against. A binding allows or denies a
principal (User:alice, or User:* for everyone) an operation on a topic, group,
schema subject or the cluster, named literally or by prefix. A matching deny
always wins; whatever no binding allows is denied, except to --super-users.
Managing ACLs needs ALTER (listing them DESCRIBE) on the cluster.`,
	})
	addClientFlags(cmd, cf)
	cmd.AddCommand(newACLCreateCmd(env, cf), newACLListCmd(env, cf), newACLDeleteCmd(env, cf))
	return cmd
}

// aclFlags are the binding and filter flags of the acl commands.
type aclFlags struct {
	allow, deny            bool
	principals, operations []string
	topic, group, subject  string
	cluster                bool
	prefixed, anyPattern   bool
	output                 string
	yes                    bool
}

func (f *aclFlags) registerResource(fs *pflag.FlagSet, verb string) {
	fs.StringVar(&f.topic, "topic", "", verb+" the topic (or topic prefix with --prefixed) T; * is every topic")
	fs.StringVar(&f.group, "group", "", verb+" the consumer group (or prefix) G; * is every group")
	fs.StringVar(&f.subject, "subject", "", verb+" the schema registry subject (or prefix) S; * is every subject")
	fs.BoolVar(&f.cluster, "cluster", false, verb+" the cluster")
	fs.BoolVar(&f.prefixed, "prefixed", false, "the name is a prefix: every resource whose name starts with it")
}

// resource returns the resource the flags name (ACLResourceAny if none)
// and fails on more than one.
func (f *aclFlags) resource(c *cobra.Command) (fjord.ACLResourceType, string, error) {
	var set []string
	typ, name := fjord.ACLResourceAny, ""
	for _, r := range []struct {
		flag string
		typ  fjord.ACLResourceType
		name string
	}{{"topic", fjord.ACLTopic, f.topic}, {"group", fjord.ACLGroup, f.group}, {"subject", fjord.ACLSubject, f.subject}, {"cluster", fjord.ACLCluster, fjord.ACLClusterName}} {
		if !c.Flags().Changed(r.flag) {
			continue
		}
		if r.typ == fjord.ACLCluster && !f.cluster {
			return 0, "", usageErrorf(c, "--cluster=false: give --cluster to name the cluster, or leave it out")
		}
		if strings.TrimSpace(r.name) == "" {
			return 0, "", usageErrorf(c, "--%s must not be empty", r.flag)
		}
		set = append(set, "--"+r.flag)
		typ, name = r.typ, r.name
	}
	if len(set) > 1 {
		return 0, "", usageErrorf(c, "%s are mutually exclusive: give one resource", strings.Join(set, " and "))
	}
	if typ == fjord.ACLCluster && f.prefixed {
		return 0, "", usageErrorf(c, "--prefixed does not apply to --cluster")
	}
	return typ, name, nil
}

// checkPrincipal accepts "Type:Name" (Name may be "*").
func checkPrincipal(c *cobra.Command, p string) error {
	typ, name, ok := strings.Cut(p, ":")
	if !ok || typ == "" || name == "" || strings.ContainsAny(p, " \t") {
		return usageErrorf(c, "invalid --principal %q: want Type:Name, e.g. User:alice (User:* for every principal)", p)
	}
	return nil
}

func (f *aclFlags) permission(c *cobra.Command, required bool) (fjord.ACLPermission, error) {
	switch {
	case f.allow && f.deny:
		return 0, usageErrorf(c, "--allow and --deny are mutually exclusive")
	case f.allow:
		return fjord.ACLAllow, nil
	case f.deny:
		return fjord.ACLDeny, nil
	case c.Flags().Changed("allow") || c.Flags().Changed("deny"):
		return 0, usageErrorf(c, "--allow=false and --deny=false: give --allow or --deny")
	case required:
		return 0, usageErrorf(c, "give --allow or --deny")
	}
	return fjord.ACLPermissionAny, nil
}

func parseOperations(c *cobra.Command, names []string) ([]fjord.ACLOperation, error) {
	var out []fjord.ACLOperation
	for _, n := range names {
		op, err := fjord.ParseACLOperation(n)
		if err != nil {
			return nil, usageErrorf(c, "invalid --operation: %v", err)
		}
		out = append(out, op)
	}
	return out, nil
}

// noteACLsOff warns on stderr when the broker reports (DescribeConfigs,
// key authorizer) that it does not enforce ACLs. A broker that does not
// say, or refuses to, gets no note.
func noteACLsOff(ctx context.Context, c *cobra.Command, a *fjord.Admin) {
	if cfg, err := a.BrokerConfigs(ctx); err == nil && cfg["authorizer"] == "off" {
		fmt.Fprintln(c.ErrOrStderr(), "note: this broker does not enforce ACLs (--authorizer=off)")
	}
}

func newACLCreateCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	f := &aclFlags{}
	cmd := &cobra.Command{
		Use:   "create (--allow|--deny) --principal P[,P...] --operation OP[,OP...] (--topic T|--group G|--subject S|--cluster) [--prefixed]",
		Short: "Allow or deny principals operations on a resource",
		Long: `Create one binding per principal and operation. Operations: read, write,
create, delete, alter, describe, idempotent-write, cluster-action, all
(read, write, delete and alter imply describe). Creating an existing binding
changes nothing.

  fjord acl create --allow --principal User:alice --operation write --topic orders
  fjord acl create --allow --principal User:bob --operation read,describe --topic logs- --prefixed
  fjord acl create --deny --principal User:* --operation delete --group payments`,
		Args: exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			perm, err := f.permission(c, true)
			if err != nil {
				return err
			}
			if len(f.principals) == 0 {
				return usageErrorf(c, "give the principals with --principal User:NAME[,User:NAME...]")
			}
			for _, p := range f.principals {
				if err := checkPrincipal(c, p); err != nil {
					return err
				}
			}
			if len(f.operations) == 0 {
				return usageErrorf(c, "give the operations with --operation OP[,OP...]")
			}
			ops, err := parseOperations(c, f.operations)
			if err != nil {
				return err
			}
			typ, name, err := f.resource(c)
			if err != nil {
				return err
			}
			if typ == fjord.ACLResourceAny {
				return usageErrorf(c, "give a resource: one of --topic, --group, --subject or --cluster")
			}
			pattern := fjord.ACLLiteral
			if f.prefixed {
				pattern = fjord.ACLPrefixed
			}
			var bindings []fjord.ACLBinding
			for _, p := range f.principals {
				for _, op := range ops {
					bindings = append(bindings, fjord.ACLBinding{Principal: p, Host: "*", ResourceType: typ, PatternType: pattern,
						ResourceName: name, Operation: op, Permission: perm})
				}
			}
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				noteACLsOff(ctx, c, a)
				if err := a.CreateACLs(ctx, bindings...); err != nil {
					return fmt.Errorf("cannot create ACLs: %w", err)
				}
				for _, b := range bindings {
					fmt.Fprintf(c.OutOrStdout(), "Created ACL: %s\n", aclLine(b))
				}
				return nil
			})
		},
	}
	fs := cmd.Flags()
	fs.BoolVar(&f.allow, "allow", false, "allow the operations")
	fs.BoolVar(&f.deny, "deny", false, "deny the operations (a deny wins over any allow)")
	fs.StringSliceVar(&f.principals, "principal", nil, "principals Type:Name, e.g. User:alice; User:* is everyone (repeatable or comma-separated)")
	fs.StringSliceVar(&f.operations, "operation", nil, "operations: read, write, create, delete, alter, describe, idempotent-write, cluster-action, all (repeatable or comma-separated)")
	f.registerResource(fs, "on")
	return cmd
}

// filter builds the ACL filter of list and delete from the flags.
func (f *aclFlags) filter(c *cobra.Command) (fjord.ACLFilter, error) {
	var out fjord.ACLFilter
	perm, err := f.permission(c, false)
	if err != nil {
		return out, err
	}
	out.Permission = perm
	switch len(f.principals) {
	case 0:
	case 1:
		if err := checkPrincipal(c, f.principals[0]); err != nil {
			return out, err
		}
		out.Principal = f.principals[0]
	default:
		return out, usageErrorf(c, "give one --principal to filter by (got %d)", len(f.principals))
	}
	switch ops, err := parseOperations(c, f.operations); {
	case err != nil:
		return out, err
	case len(ops) > 1:
		return out, usageErrorf(c, "give one --operation to filter by (got %d)", len(ops))
	case len(ops) == 1:
		out.Operation = ops[0]
	}
	if f.prefixed && f.anyPattern {
		return out, usageErrorf(c, "--prefixed and --any-pattern are mutually exclusive")
	}
	typ, name, err := f.resource(c)
	if err != nil {
		return out, err
	}
	if f.anyPattern && typ == fjord.ACLResourceAny {
		return out, usageErrorf(c, "--any-pattern needs a resource: --topic, --group or --subject")
	}
	out.ResourceType, out.ResourceName = typ, name
	switch {
	case f.prefixed:
		out.PatternType = fjord.ACLPrefixed
	case f.anyPattern:
		out.PatternType = fjord.ACLPatternAny
	case typ != fjord.ACLResourceAny:
		// As create names it: the same flags select the binding created.
		out.PatternType = fjord.ACLLiteral
	}
	return out, nil
}

func (f *aclFlags) registerFilter(fs *pflag.FlagSet) {
	fs.BoolVar(&f.allow, "allow", false, "only bindings that allow")
	fs.BoolVar(&f.deny, "deny", false, "only bindings that deny")
	fs.StringSliceVar(&f.principals, "principal", nil, "only bindings of this principal (Type:Name; User:* selects the bindings for everyone)")
	fs.StringSliceVar(&f.operations, "operation", nil, "only bindings of this operation")
	f.registerResource(fs, "only bindings on")
	fs.BoolVar(&f.anyPattern, "any-pattern", false, "with a resource: bindings of that exact name whether literal or prefixed (default: literal only)")
}

const aclFilterHelp = `Filters: --principal P, --operation OP, --allow or --deny, and a resource
(--topic T, --group G, --subject S or --cluster). A resource name selects the
literal bindings of that name, with --prefixed the prefixed ones, with
--any-pattern both; "*" is the wildcard binding, not every name.`

func newACLListCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	f := &aclFlags{}
	cmd := &cobra.Command{
		Use:     "list [filters]",
		Aliases: []string{"ls"},
		Short:   "List ACL bindings",
		Long: `List the ACL bindings passing the filters (all without any), sorted by
resource, then principal, operation and permission.

` + aclFilterHelp,
		Args: exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			filter, err := f.filter(c)
			if err != nil {
				return err
			}
			if f.output != "table" && f.output != "json" {
				return usageErrorf(c, "invalid --output %q: want table or json", f.output)
			}
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				noteACLsOff(ctx, c, a)
				bindings, err := a.DescribeACLs(ctx, filter)
				if err != nil {
					return fmt.Errorf("cannot list ACLs: %w", err)
				}
				if f.output == "json" {
					return writeJSON(c.OutOrStdout(), aclsJSON(bindings))
				}
				writeACLTable(c.OutOrStdout(), bindings)
				return nil
			})
		},
	}
	f.registerFilter(cmd.Flags())
	cmd.Flags().StringVarP(&f.output, "output", "o", "table", "output format: table or json")
	return cmd
}

func newACLDeleteCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	f := &aclFlags{}
	cmd := &cobra.Command{
		Use:   "delete [filters]",
		Short: "Delete the ACL bindings passing the filters",
		Long: `Delete every ACL binding passing the filters and print those deleted. With no
filter every binding would be deleted: that needs --yes.

` + aclFilterHelp,
		Args: exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			filter, err := f.filter(c)
			if err != nil {
				return err
			}
			if filter.IsZero() && !f.yes {
				return usageErrorf(c, "no filter given: this deletes every ACL binding; add --yes if you mean it")
			}
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				deleted, err := a.DeleteACLs(ctx, filter)
				for _, b := range deleted {
					fmt.Fprintf(c.OutOrStdout(), "Deleted ACL: %s\n", aclLine(b))
				}
				if err != nil {
					return fmt.Errorf("cannot delete ACLs: %w", err)
				}
				if len(deleted) == 0 {
					fmt.Fprintln(c.OutOrStdout(), "No ACL binding matched")
				}
				return nil
			})
		},
	}
	f.registerFilter(cmd.Flags())
	cmd.Flags().BoolVar(&f.yes, "yes", false, "confirm deleting every binding when no filter is given")
	return cmd
}

// aclLine is one binding as the create and delete commands print it.
func aclLine(b fjord.ACLBinding) string {
	return fmt.Sprintf("%s %s %s on %s %s%s", b.Permission, b.Principal, b.Operation, b.ResourceType, b.ResourceName, patternSuffix(b.PatternType))
}

func patternSuffix(p fjord.ACLPatternType) string {
	if p == fjord.ACLPrefixed {
		return " (prefixed)"
	}
	return ""
}

func patternName(p fjord.ACLPatternType) string {
	if p == fjord.ACLPatternAny {
		return fjord.ACLLiteral.String()
	}
	return p.String()
}

func writeACLTable(w io.Writer, bindings []fjord.ACLBinding) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PRINCIPAL\tPERMISSION\tOPERATION\tRESOURCE-TYPE\tPATTERN\tRESOURCE")
	for _, b := range bindings {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", b.Principal, b.Permission, b.Operation, b.ResourceType, patternName(b.PatternType), b.ResourceName)
	}
	tw.Flush()
}

type jsonACL struct {
	Principal    string `json:"principal"`
	Host         string `json:"host"`
	Permission   string `json:"permission"`
	Operation    string `json:"operation"`
	ResourceType string `json:"resource_type"`
	PatternType  string `json:"pattern_type"`
	Resource     string `json:"resource"`
}

func aclsJSON(bindings []fjord.ACLBinding) []jsonACL {
	out := make([]jsonACL, 0, len(bindings))
	for _, b := range bindings {
		out = append(out, jsonACL{Principal: b.Principal, Host: b.Host, Permission: b.Permission.String(), Operation: b.Operation.String(),
			ResourceType: b.ResourceType.String(), PatternType: patternName(b.PatternType), Resource: b.ResourceName})
	}
	return out
}
