package main

import (
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

func newTopicCmd(env *cliEnv) *cobra.Command {
	cf := &clientFlags{}
	cmd := groupCmd(&cobra.Command{
		Use:   "topic",
		Short: "Create, list, describe, alter and delete topics",
	})
	addClientFlags(cmd, cf)
	cmd.AddCommand(
		newTopicCreateCmd(env, cf),
		newTopicListCmd(env, cf),
		newTopicDescribeCmd(env, cf),
		newTopicAlterCmd(env, cf),
		newTopicAddPartitionsCmd(env, cf),
		newTopicDeleteCmd(env, cf),
	)
	return cmd
}

// adminCmd connects and runs fn with an Admin; fn bounds its own requests.
func adminCmd(c *cobra.Command, env *cliEnv, cf *clientFlags, fn func(a *fjord.Admin) error) error {
	cl, err := cf.connect(c.Context(), c, env)
	if err != nil {
		return err
	}
	defer cl.Close()
	return fn(fjord.NewAdmin(cl))
}

// parseConfigPairs parses repeated -c key=value flags.
func parseConfigPairs(pairs []string) (map[string]string, error) {
	out := make(map[string]string, len(pairs))
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("invalid config %q: want key=value", p)
		}
		out[strings.TrimSpace(k)] = v
	}
	return out, nil
}

func newTopicCreateCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var partitions, replicas int32
	var configs []string
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a topic",
		Args:  exactArgs(1, "the topic name"),
		RunE: func(c *cobra.Command, args []string) error {
			cfgs, err := parseConfigPairs(configs)
			if err != nil {
				return &usageError{cmd: c, err: err}
			}
			if partitions < 0 || replicas < 0 {
				return usageErrorf(c, "--partitions and --replicas must be positive")
			}
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				res, err := a.CreateTopic(ctx, args[0], partitions, replicas, cfgs)
				if err == nil && res.GetError() != nil {
					e := res.GetError()
					err = protoError(e.GetCode(), e.GetReason(), e.GetMessage())
				}
				if err != nil {
					return topicOpError("create", args[0], err)
				}
				p, r := res.GetPartitions(), res.GetReplicationFactor()
				if p == 0 {
					p = partitions
				}
				if r == 0 {
					r = replicas
				}
				fmt.Fprintf(c.OutOrStdout(), "Created topic %s (partitions: %s, replication factor: %s)\n",
					args[0], countOrDefault(p), countOrDefault(r))
				return nil
			})
		},
	}
	cmd.Flags().Int32VarP(&partitions, "partitions", "p", 0, "partition count (default: the broker's default-partitions)")
	cmd.Flags().Int32VarP(&replicas, "replicas", "r", 0, "replication factor (default: the broker's default-replication-factor)")
	cmd.Flags().StringArrayVarP(&configs, "config", "c", nil, "topic config key=value (repeatable)")
	return cmd
}

func countOrDefault(n int32) string {
	if n <= 0 {
		return "broker default"
	}
	return strconv.Itoa(int(n))
}

func newTopicListCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var internal bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List topics",
		Args:    exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				topics, err := a.ListTopics(ctx, internal)
				if err != nil {
					return fmt.Errorf("cannot list topics: %w", err)
				}
				writeTopicList(c.OutOrStdout(), topics)
				return nil
			})
		},
	}
	cmd.Flags().BoolVarP(&internal, "internal", "i", false, "include internal topics")
	return cmd
}

func writeTopicList(w io.Writer, topics []*fjordv1.TopicListing) {
	sort.Slice(topics, func(i, j int) bool { return topics[i].GetName() < topics[j].GetName() })
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tPARTITIONS\tREPLICAS")
	for _, t := range topics {
		fmt.Fprintf(tw, "%s\t%d\t%d\n", t.GetName(), t.GetPartitions(), t.GetReplicationFactor())
	}
	tw.Flush()
}

func newTopicDescribeCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "describe NAME",
		Short: "Show a topic's configuration and partitions",
		Args:  exactArgs(1, "the topic name"),
		RunE: func(c *cobra.Command, args []string) error {
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				d, err := a.DescribeTopic(ctx, args[0])
				if err == nil && d.GetError() != nil {
					e := d.GetError()
					if e.GetReason() == "UNKNOWN_TOPIC_OR_PARTITION" {
						err = fjord.ErrUnknownTopicOrPartition
					} else {
						err = protoError(e.GetCode(), e.GetReason(), e.GetMessage())
					}
				}
				if err != nil {
					return topicOpError("describe", args[0], err)
				}
				writeTopicDescription(c.OutOrStdout(), d)
				return nil
			})
		},
	}
}

func writeTopicDescription(w io.Writer, d *fjordv1.TopicDescription) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	rf := 0
	if ps := d.GetPartitions(); len(ps) > 0 {
		// While partition 0 is reassigned its replicas include those leaving.
		rf = len(ps[0].GetReplicas()) - len(ps[0].GetRemovingReplicas())
	}
	fmt.Fprintf(tw, "NAME\t%s\n", d.GetName())
	fmt.Fprintf(tw, "ID\t%s\n", d.GetTopicId())
	fmt.Fprintf(tw, "INTERNAL\t%t\n", d.GetInternal())
	fmt.Fprintf(tw, "PARTITIONS\t%d\n", len(d.GetPartitions()))
	fmt.Fprintf(tw, "REPLICAS\t%d\n", rf)
	tw.Flush()

	fmt.Fprintln(w, "\nCONFIGS")
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tVALUE\tSOURCE")
	cfgs := append([]*fjordv1.ConfigEntry(nil), d.GetConfigs()...)
	sort.Slice(cfgs, func(i, j int) bool { return cfgs[i].GetName() < cfgs[j].GetName() })
	for _, e := range cfgs {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", e.GetName(), e.GetValue(), configSource(e.GetSource()))
	}
	tw.Flush()

	fmt.Fprintln(w, "\nPARTITIONS")
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTITION\tLEADER\tLEADER-EPOCH\tPARTITION-EPOCH\tREPLICAS\tISR\tOFFLINE\tLOG-START\tHW\tLEO\tSIZE")
	var reassigning []*fjordv1.PartitionDescription
	var offsetErrs []string
	for _, p := range d.GetPartitions() {
		if len(p.GetAddingReplicas())+len(p.GetRemovingReplicas()) > 0 {
			reassigning = append(reassigning, p)
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%d\t%s\t%s\t%s\t", p.GetPartition(), p.GetLeaderId(), p.GetLeaderEpoch(), p.GetPartitionEpoch(),
			ids(p.GetReplicas()), ids(p.GetIsr()), idsOrDash(p.GetOfflineReplicas()))
		if e := p.GetError(); e != nil {
			// Offsets come from the leader; the answering broker may not be it.
			fmt.Fprintln(tw, "-\t-\t-\t-")
			offsetErrs = append(offsetErrs, fmt.Sprintf("partition %d: %v", p.GetPartition(), protoError(e.GetCode(), e.GetReason(), e.GetMessage())))
			continue
		}
		fmt.Fprintf(tw, "%d\t%d\t%d\t%s\n", p.GetLogStartOffset(), p.GetHighWatermark(), p.GetLogEndOffset(), humanBytes(p.GetSizeBytes()))
	}
	tw.Flush()
	if len(offsetErrs) > 0 {
		fmt.Fprintln(w, "\nOFFSETS UNAVAILABLE")
		for _, e := range offsetErrs {
			fmt.Fprintln(w, e)
		}
	}

	if len(reassigning) == 0 {
		return
	}
	fmt.Fprintln(w, "\nREASSIGNMENTS")
	tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "PARTITION\tTARGET\tADDING\tREMOVING\tPROGRESS")
	for _, p := range reassigning {
		target := without(p.GetReplicas(), p.GetRemovingReplicas())
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", p.GetPartition(), ids(target), idsOrDash(p.GetAddingReplicas()),
			idsOrDash(p.GetRemovingReplicas()), reassignProgress(target, p.GetIsr()))
	}
	tw.Flush()
}

func configSource(s fjordv1.ConfigSource) string {
	switch s {
	case fjordv1.ConfigSource_CONFIG_SOURCE_DEFAULT:
		return "default"
	case fjordv1.ConfigSource_CONFIG_SOURCE_BROKER:
		return "broker"
	case fjordv1.ConfigSource_CONFIG_SOURCE_TOPIC:
		return "topic"
	}
	return "-"
}

// ids formats broker ids as [1,2,3].
func ids(v []int32) string {
	s := make([]string, len(v))
	for i, id := range v {
		s[i] = strconv.Itoa(int(id))
	}
	return "[" + strings.Join(s, ",") + "]"
}

// humanBytes formats a byte count with a binary unit: 512B, 1.5KiB, 3.0GiB.
func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%dB", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f%ciB", float64(n)/float64(div), "KMGTP"[exp])
}

func newTopicAlterCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var set, del []string
	cmd := &cobra.Command{
		Use:   "alter NAME",
		Short: "Set or delete topic config keys",
		Args:  exactArgs(1, "the topic name"),
		RunE: func(c *cobra.Command, args []string) error {
			cfgs, err := parseConfigPairs(set)
			if err != nil {
				return &usageError{cmd: c, err: err}
			}
			if len(cfgs) == 0 && len(del) == 0 {
				return usageErrorf(c, "nothing to alter: give -c key=value or --delete-config key")
			}
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				if err := a.AlterTopicConfigs(ctx, args[0], cfgs, del); err != nil {
					return topicOpError("alter", args[0], err)
				}
				fmt.Fprintf(c.OutOrStdout(), "Altered topic %s\n", args[0])
				return nil
			})
		},
	}
	cmd.Flags().StringArrayVarP(&set, "config", "c", nil, "config key=value to set (repeatable)")
	cmd.Flags().StringArrayVar(&del, "delete-config", nil, "config key to reset to its default (repeatable)")
	return cmd
}

func newTopicAddPartitionsCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var total int32
	cmd := &cobra.Command{
		Use:   "add-partitions NAME -p TOTAL",
		Short: "Raise a topic's partition count to TOTAL",
		Args:  exactArgs(1, "the topic name"),
		RunE: func(c *cobra.Command, args []string) error {
			if total <= 0 {
				return usageErrorf(c, "--partitions TOTAL is required and must be positive")
			}
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				if err := a.AddPartitions(ctx, args[0], total); err != nil {
					return topicOpError("add partitions to", args[0], err)
				}
				fmt.Fprintf(c.OutOrStdout(), "Topic %s now has %d partitions\n", args[0], total)
				return nil
			})
		},
	}
	cmd.Flags().Int32VarP(&total, "partitions", "p", 0, "new total partition count")
	return cmd
}

func newTopicDeleteCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "delete NAME...",
		Short: "Delete topics and their data",
		Args:  minArgs("one or more topic names"),
		RunE: func(c *cobra.Command, args []string) error {
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				var errs []string
				var first error
				for _, name := range args {
					ctx, cancel := cf.requestCtx(c.Context())
					err := a.DeleteTopic(ctx, name)
					cancel()
					if err != nil {
						err = topicOpError("delete", name, err)
						if first == nil {
							first = err
						}
						errs = append(errs, oneLine(err.Error()))
						continue
					}
					fmt.Fprintf(c.OutOrStdout(), "Deleted topic %s\n", name)
				}
				if len(errs) == 1 {
					return first
				}
				if len(errs) > 1 {
					return errors.New(strings.Join(errs, "; "))
				}
				return nil
			})
		},
	}
}
