package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	fjord "github.com/fjordlog/fjord/clients/go"
)

func newQuotaCmd(env *cliEnv) *cobra.Command {
	cf := &clientFlags{}
	cmd := groupCmd(&cobra.Command{
		Use:   "quota",
		Short: "Set, list and delete client byte-rate quotas (per user and client id, per broker)",
	})
	addClientFlags(cmd, cf)
	cmd.AddCommand(newQuotaSetCmd(env, cf), newQuotaListCmd(env, cf), newQuotaDeleteCmd(env, cf))
	return cmd
}

// quotaEntityFlags select a quota entity.
type quotaEntityFlags struct {
	user, client               string
	defaultUser, defaultClient bool
}

func (f *quotaEntityFlags) add(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.user, "user", "", "user principal (User:alice; a bare name means User:<name>)")
	cmd.Flags().BoolVar(&f.defaultUser, "default-user", false, "the default user (every user without its own quota)")
	cmd.Flags().StringVar(&f.client, "client-id", "", "client id")
	cmd.Flags().BoolVar(&f.defaultClient, "default-client", false, "the default client id (every client id without its own quota)")
}

func (f *quotaEntityFlags) entity(c *cobra.Command) (fjord.QuotaEntity, error) {
	var e fjord.QuotaEntity
	switch {
	case f.user != "" && f.defaultUser:
		return e, usageErrorf(c, "give --user or --default-user, not both")
	case f.client != "" && f.defaultClient:
		return e, usageErrorf(c, "give --client-id or --default-client, not both")
	}
	e.User, e.ClientID = f.user, f.client
	if f.defaultUser {
		e.User = fjord.QuotaDefault
	}
	if f.defaultClient {
		e.ClientID = fjord.QuotaDefault
	}
	if e.User == "" && e.ClientID == "" {
		return e, usageErrorf(c, "name the entity: --user U or --default-user, and/or --client-id C or --default-client")
	}
	return e, nil
}

// parseRate parses a byte rate: a byte count with an optional KiB/MiB/GiB
// (or KB/MB/GB) suffix and an optional "/s".
func parseRate(s string) (float64, error) {
	n, err := parseByteSize(strings.TrimSuffix(strings.TrimSpace(s), "/s"))
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("invalid rate %q: want bytes per second such as 1048576 or 1MiB/s", s)
	}
	return float64(n), nil
}

func newQuotaSetCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var ef quotaEntityFlags
	var produce, fetch string
	cmd := &cobra.Command{
		Use:   "set (--user U | --default-user) (--client-id C | --default-client) [--produce-rate R] [--fetch-rate R]",
		Short: "Set the produce and/or fetch byte rate of a user, a client id or both",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			e, err := ef.entity(c)
			if err != nil {
				return err
			}
			set := map[string]float64{}
			for _, r := range []struct{ flag, value, key string }{
				{"--produce-rate", produce, fjord.QuotaProducerByteRate}, {"--fetch-rate", fetch, fjord.QuotaConsumerByteRate},
			} {
				if r.value == "" {
					continue
				}
				v, err := parseRate(r.value)
				if err != nil {
					return usageErrorf(c, "%s: %v", r.flag, err)
				}
				set[r.key] = v
			}
			if len(set) == 0 {
				return usageErrorf(c, "nothing to set: give --produce-rate and/or --fetch-rate")
			}
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				if err := a.AlterClientQuotas(ctx, e, set); err != nil {
					return fmt.Errorf("set quota of %s: %w", entityString(e), err)
				}
				fmt.Fprintf(c.OutOrStdout(), "Set quota of %s\n", entityString(e))
				return nil
			})
		},
	}
	ef.add(cmd)
	cmd.Flags().StringVar(&produce, "produce-rate", "", "producer byte rate per broker (bytes/s; KiB/MiB suffixes, optional /s)")
	cmd.Flags().StringVar(&fetch, "fetch-rate", "", "consumer byte rate per broker (bytes/s; KiB/MiB suffixes, optional /s)")
	return cmd
}

func newQuotaDeleteCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var ef quotaEntityFlags
	var produce, fetch bool
	cmd := &cobra.Command{
		Use:   "delete (--user U | --default-user) (--client-id C | --default-client) [--produce] [--fetch]",
		Short: "Remove an entity's produce and/or fetch quota (both when neither is given)",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			e, err := ef.entity(c)
			if err != nil {
				return err
			}
			var keys []string
			if produce || !fetch {
				keys = append(keys, fjord.QuotaProducerByteRate)
			}
			if fetch || !produce {
				keys = append(keys, fjord.QuotaConsumerByteRate)
			}
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				if err := a.AlterClientQuotas(ctx, e, nil, keys...); err != nil {
					return fmt.Errorf("delete quota of %s: %w", entityString(e), err)
				}
				fmt.Fprintf(c.OutOrStdout(), "Deleted %s of %s\n", strings.Join(keys, ", "), entityString(e))
				return nil
			})
		},
	}
	ef.add(cmd)
	cmd.Flags().BoolVar(&produce, "produce", false, "remove the producer byte rate")
	cmd.Flags().BoolVar(&fetch, "fetch", false, "remove the consumer byte rate")
	return cmd
}

func newQuotaListCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var filter fjord.QuotaEntity
	cmd := &cobra.Command{
		Use:   "list [--user U] [--client-id C]",
		Short: "List client quotas",
		Args:  exactArgs(0, "no arguments"),
		RunE: func(c *cobra.Command, _ []string) error {
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				qs, err := a.DescribeClientQuotas(ctx, filter)
				if err != nil {
					return fmt.Errorf("list quotas: %w", err)
				}
				writeQuotaList(c.OutOrStdout(), qs)
				return nil
			})
		},
	}
	cmd.Flags().StringVar(&filter.User, "user", "", "only entities with this user part (<default> for the default user)")
	cmd.Flags().StringVar(&filter.ClientID, "client-id", "", "only entities with this client id part (<default> for the default client)")
	return cmd
}

func entityString(e fjord.QuotaEntity) string {
	var parts []string
	if e.User != "" {
		parts = append(parts, "user "+e.User)
	}
	if e.ClientID != "" {
		parts = append(parts, "client-id "+e.ClientID)
	}
	return strings.Join(parts, ", ")
}

func writeQuotaList(w io.Writer, qs []fjord.ClientQuota) {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "USER\tCLIENT-ID\tPRODUCE B/S\tFETCH B/S")
	rate := func(q fjord.ClientQuota, key string) string {
		if v, ok := q.Values[key]; ok {
			return strconv.FormatFloat(v, 'f', -1, 64)
		}
		return "-"
	}
	dash := func(s string) string {
		if s == "" {
			return "-"
		}
		return s
	}
	for _, q := range qs {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", dash(q.Entity.User), dash(q.Entity.ClientID), rate(q, fjord.QuotaProducerByteRate), rate(q, fjord.QuotaConsumerByteRate))
	}
	_ = tw.Flush()
}
