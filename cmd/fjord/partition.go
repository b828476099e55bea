package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

func newPartitionCmd(env *cliEnv) *cobra.Command {
	cf := &clientFlags{}
	cmd := groupCmd(&cobra.Command{
		Use:   "partition",
		Short: "Elect preferred leaders and reassign partitions to other brokers",
	})
	addClientFlags(cmd, cf)
	cmd.AddCommand(
		newPartitionElectCmd(env, cf),
		newPartitionReassignCmd(env, cf),
		newPartitionReassignmentsCmd(env, cf),
	)
	return cmd
}

func newPartitionElectCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var topic string
	var partition int32
	var all bool
	cmd := &cobra.Command{
		Use:   "elect-leader (--topic T [--partition N] | --all)",
		Short: "Move leadership to the preferred (first) replica",
		Long: `Move the leadership of partitions to their preferred replica, the first of
their replicas, where it is alive and in the ISR. --all elects every partition
whose leader is not its preferred replica. The command fails (exit 1) if any
election failed, after listing every result.`,
		Args: exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			hasPartition := c.Flags().Changed("partition")
			switch {
			case all && (topic != "" || hasPartition):
				return usageErrorf(c, "--all and --topic/--partition are mutually exclusive")
			case !all && topic == "":
				return usageErrorf(c, "give --topic T [--partition N] or --all")
			case hasPartition && partition < 0:
				return usageErrorf(c, "--partition must not be negative")
			}
			var tps []fjord.TopicPartitions
			if !all {
				tp := fjord.TopicPartitions{Topic: topic}
				if hasPartition {
					tp.Partitions = []int32{partition}
				}
				tps = append(tps, tp)
			}
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				res, err := a.ElectPreferredLeaders(ctx, tps...)
				if err != nil {
					return fmt.Errorf("cannot elect leaders: %w", err)
				}
				for _, r := range res {
					if r.Partition < 0 && r.Err != nil {
						return topicOpError("elect leaders of", r.Topic, r.Err)
					}
				}
				return writeElections(c.OutOrStdout(), res)
			})
		},
	}
	cmd.Flags().StringVarP(&topic, "topic", "t", "", "topic whose partitions to elect")
	cmd.Flags().Int32VarP(&partition, "partition", "p", 0, "only this partition (default: every partition of --topic)")
	cmd.Flags().BoolVar(&all, "all", false, "every partition not led by its preferred replica")
	return cmd
}

// writeElections lists election results and returns an error naming the
// failed ones.
func writeElections(w io.Writer, res []fjord.ElectionResult) error {
	if len(res) == 0 {
		fmt.Fprintln(w, "Every partition is led by its preferred replica")
		return nil
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "TOPIC\tPARTITION\tLEADER\tLEADER-EPOCH\tRESULT")
	var failed []string
	for _, r := range res {
		result := "preferred leader"
		if r.Err != nil {
			result = "failed: " + errReason(r.Err)
			failed = append(failed, fmt.Sprintf("%s: %s", partitionName(r.Topic, r.Partition), errReason(r.Err)))
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%s\n", r.Topic, r.Partition, r.Leader, r.LeaderEpoch, result)
	}
	tw.Flush()
	switch {
	case len(failed) == 0:
		return nil
	case len(failed) == 1:
		return fmt.Errorf("preferred leader election failed for %s", failed[0])
	}
	return fmt.Errorf("preferred leader election failed for %d of %d partitions (%s)", len(failed), len(res), strings.Join(failed, "; "))
}

// errReason is an SDK error's reason, or its message for other errors.
func errReason(err error) string {
	var fe *fjord.Error
	if errors.As(err, &fe) && fe.Reason != "" {
		return fe.Reason
	}
	return oneLine(err.Error())
}

func newPartitionReassignCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var topic string
	var partition int32
	var replicas []int32
	var cancelIt bool
	cmd := &cobra.Command{
		Use:   "reassign --topic T --partition N (--replicas ID,ID... | --cancel)",
		Short: "Move a partition to other brokers, or cancel its move",
		Long: `Move a partition to the replica list given by --replicas, preferred leader
first. The new replicas copy the partition from its leader; once every target
replica is in the ISR the reassignment completes, leadership moves to the
target if needed, and the brokers no longer listed delete their copy. Follow
the progress with 'fjord partition reassignments' or 'fjord topic describe'.

A new --replicas replaces an ongoing reassignment; --cancel restores the
original replicas.`,
		Args: exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			switch {
			case topic == "" || !c.Flags().Changed("partition"):
				return usageErrorf(c, "--topic and --partition are required")
			case partition < 0:
				return usageErrorf(c, "--partition must not be negative")
			case cancelIt == (len(replicas) > 0):
				return usageErrorf(c, "give either --replicas or --cancel")
			}
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				name := partitionName(topic, partition)
				res, err := a.AlterPartitionReassignments(ctx, fjord.Reassignment{Topic: topic, Partition: partition, Replicas: replicas, Cancel: cancelIt})
				if err == nil {
					err = res[0].Err
				}
				if err != nil {
					if errors.Is(err, fjord.ErrUnknownTopicOrPartition) {
						return fmt.Errorf("partition %s does not exist", name)
					}
					verb := "reassign"
					if cancelIt {
						verb = "cancel the reassignment of"
					}
					return fmt.Errorf("cannot %s %s: %w", verb, name, err)
				}
				r := res[0]
				out := c.OutOrStdout()
				switch o := r.Ongoing; {
				case cancelIt:
					fmt.Fprintf(out, "Cancelled the reassignment of %s; replicas %s\n", name, ids(r.Replicas))
				case o != nil:
					fmt.Fprintf(out, "Reassigning %s to %s: adding %s, removing %s (%s)\n", name, ids(o.GetTargetReplicas()),
						idsOrDash(o.GetAddingReplicas()), idsOrDash(o.GetRemovingReplicas()), reassignProgress(o.GetTargetReplicas(), o.GetIsr()))
				default:
					fmt.Fprintf(out, "Partition %s has replicas %s\n", name, ids(r.Replicas))
				}
				return nil
			})
		},
	}
	cmd.Flags().StringVarP(&topic, "topic", "t", "", "topic name")
	cmd.Flags().Int32VarP(&partition, "partition", "p", 0, "partition index")
	cmd.Flags().Int32SliceVar(&replicas, "replicas", nil, "target broker ids, preferred leader first, e.g. 2,3,4")
	cmd.Flags().BoolVar(&cancelIt, "cancel", false, "cancel the ongoing reassignment, restoring the original replicas")
	return cmd
}

func newPartitionReassignmentsCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var topics []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "reassignments",
		Short: "List ongoing partition reassignments",
		Args:  exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			var tps []fjord.TopicPartitions
			for _, t := range topics {
				tps = append(tps, fjord.TopicPartitions{Topic: t})
			}
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				ongoing, err := a.ListPartitionReassignments(ctx, tps...)
				if err != nil {
					var fe *fjord.Error
					if errors.As(err, &fe) && fe.Topic != "" {
						return topicOpError("list reassignments of", fe.Topic, err)
					}
					return fmt.Errorf("cannot list reassignments: %w", err)
				}
				if asJSON {
					return writeJSON(c.OutOrStdout(), reassignmentsJSON(ongoing))
				}
				writeReassignments(c.OutOrStdout(), ongoing)
				return nil
			})
		},
	}
	cmd.Flags().StringSliceVarP(&topics, "topic", "t", nil, "only these topics (repeatable or comma-separated)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

func sortedTopics(m map[string][]*fjordv1.OngoingPartitionReassignment) []string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func writeReassignments(w io.Writer, m map[string][]*fjordv1.OngoingPartitionReassignment) {
	if len(m) == 0 {
		fmt.Fprintln(w, "No reassignment in progress")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "TOPIC\tPARTITION\tLEADER\tREPLICAS\tTARGET\tADDING\tREMOVING\tISR\tPROGRESS")
	for _, t := range sortedTopics(m) {
		for _, o := range m[t] {
			fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\n", t, o.GetPartition(), o.GetLeaderId(), ids(o.GetReplicas()),
				ids(o.GetTargetReplicas()), idsOrDash(o.GetAddingReplicas()), idsOrDash(o.GetRemovingReplicas()), ids(o.GetIsr()),
				reassignProgress(o.GetTargetReplicas(), o.GetIsr()))
		}
	}
	tw.Flush()
}

type jsonReassignment struct {
	Topic            string  `json:"topic"`
	Partition        int32   `json:"partition"`
	Leader           int32   `json:"leader"`
	Replicas         []int32 `json:"replicas"`
	TargetReplicas   []int32 `json:"target_replicas"`
	AddingReplicas   []int32 `json:"adding_replicas"`
	RemovingReplicas []int32 `json:"removing_replicas"`
	ISR              []int32 `json:"isr"`
}

func reassignmentsJSON(m map[string][]*fjordv1.OngoingPartitionReassignment) []jsonReassignment {
	out := []jsonReassignment{}
	for _, t := range sortedTopics(m) {
		for _, o := range m[t] {
			out = append(out, jsonReassignment{Topic: t, Partition: o.GetPartition(), Leader: o.GetLeaderId(), Replicas: nonNil(o.GetReplicas()),
				TargetReplicas: nonNil(o.GetTargetReplicas()), AddingReplicas: nonNil(o.GetAddingReplicas()),
				RemovingReplicas: nonNil(o.GetRemovingReplicas()), ISR: nonNil(o.GetIsr())})
		}
	}
	return out
}

// without returns the ids of v not in drop, in order.
func without(v, drop []int32) []int32 {
	out := make([]int32, 0, len(v))
	for _, id := range v {
		if !slices.Contains(drop, id) {
			out = append(out, id)
		}
	}
	return out
}

// reassignProgress says how many target replicas are in sync: the
// reassignment completes when all are.
func reassignProgress(target, isr []int32) string {
	n := 0
	for _, id := range target {
		if slices.Contains(isr, id) {
			n++
		}
	}
	return fmt.Sprintf("%d/%d target replicas in sync", n, len(target))
}
