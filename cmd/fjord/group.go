package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	fjord "github.com/fjordlog/fjord/clients/go"
	fjordv1 "github.com/fjordlog/fjord/gen/go/fjord/v1"
)

func newConsumerGroupCmd(env *cliEnv) *cobra.Command {
	cf := &clientFlags{}
	cmd := groupCmd(&cobra.Command{
		Use:   "group",
		Short: "List, describe, reset and delete consumer groups",
		Long: `List, describe, reset and delete consumer groups. Consume as a member of a
group with 'fjord consume TOPIC --group G'.`,
	})
	addClientFlags(cmd, cf)
	cmd.AddCommand(
		newGroupListCmd(env, cf),
		newGroupDescribeCmd(env, cf),
		newGroupResetCmd(env, cf),
		newGroupDeleteCmd(env, cf),
	)
	return cmd
}

// groupStates are the state names the commands print and --state takes.
var groupStates = []struct {
	name  string
	state fjordv1.GroupState
}{
	{"empty", fjordv1.GroupState_GROUP_STATE_EMPTY},
	{"assigning", fjordv1.GroupState_GROUP_STATE_ASSIGNING},
	{"reconciling", fjordv1.GroupState_GROUP_STATE_RECONCILING},
	{"stable", fjordv1.GroupState_GROUP_STATE_STABLE},
	{"dead", fjordv1.GroupState_GROUP_STATE_DEAD},
}

func groupStateName(s fjordv1.GroupState) string {
	for _, gs := range groupStates {
		if gs.state == s {
			return gs.name
		}
	}
	return "unknown"
}

// parseGroupStates parses --state values (case-insensitive).
func parseGroupStates(names []string) ([]fjordv1.GroupState, error) {
	var out []fjordv1.GroupState
	for _, n := range names {
		n = strings.TrimSpace(n)
		i := slices.IndexFunc(groupStates, func(gs struct {
			name  string
			state fjordv1.GroupState
		}) bool {
			return strings.EqualFold(gs.name, n)
		})
		if i < 0 {
			valid := make([]string, len(groupStates))
			for j, gs := range groupStates {
				valid[j] = gs.name
			}
			return nil, fmt.Errorf("invalid --state %q: want one of %s", n, strings.Join(valid, ", "))
		}
		if !slices.Contains(out, groupStates[i].state) {
			out = append(out, groupStates[i].state)
		}
	}
	return out, nil
}

// missingGroupError says a group does not exist; it matches
// fjord.ErrGroupIDNotFound with errors.Is.
type missingGroupError struct{ group string }

func (e *missingGroupError) Error() string { return fmt.Sprintf("group %q does not exist", e.group) }
func (e *missingGroupError) Unwrap() error { return fjord.ErrGroupIDNotFound }

// groupOpError reports a failed operation on a group: a missing group as
// such, anything else as "cannot OP group NAME: cause".
func groupOpError(op, group string, err error) error {
	if errors.Is(err, fjord.ErrGroupIDNotFound) {
		return &missingGroupError{group: group}
	}
	var fe *fjord.Error
	if errors.As(err, &fe) && fe.Reason == fjord.ReasonUnknownTopicOrPartition && fe.Topic != "" {
		if fe.Partition >= 0 {
			err = fmt.Errorf("partition %s does not exist", partitionName(fe.Topic, fe.Partition))
		} else {
			err = &missingTopicError{topic: fe.Topic}
		}
	}
	return fmt.Errorf("cannot %s group %q: %w", op, group, err)
}

func newGroupListCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var states []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:     "list",
		Aliases: []string{"ls"},
		Short:   "List consumer groups",
		Args:    exactArgs(0, "none"),
		RunE: func(c *cobra.Command, _ []string) error {
			filter, err := parseGroupStates(states)
			if err != nil {
				return &usageError{cmd: c, err: err}
			}
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				// Groups come with an error when some brokers could not be
				// asked: print those found, then fail.
				groups, err := a.ListGroups(ctx, filter...)
				if err != nil && groups == nil {
					return fmt.Errorf("cannot list groups: %w", err)
				}
				sort.Slice(groups, func(i, j int) bool { return groups[i].GetGroupId() < groups[j].GetGroupId() })
				if asJSON {
					if werr := writeJSON(c.OutOrStdout(), groupListJSON(groups)); werr != nil {
						return werr
					}
				} else {
					writeGroupList(c.OutOrStdout(), groups)
				}
				if err != nil {
					return fmt.Errorf("incomplete group list, the groups of some brokers are missing: %w", err)
				}
				return nil
			})
		},
	}
	cmd.Flags().StringSliceVar(&states, "state", nil, "only groups in these states: empty, assigning, reconciling, stable, dead (repeatable or comma-separated)")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print a JSON array")
	return cmd
}

func writeGroupList(w io.Writer, groups []*fjordv1.GroupListing) {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tSTATE\tMEMBERS\tCOORDINATOR")
	for _, g := range groups {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\n", g.GetGroupId(), groupStateName(g.GetState()), g.GetMembers(), g.GetCoordinatorId())
	}
	tw.Flush()
}

type jsonGroupListing struct {
	Group       string `json:"group"`
	State       string `json:"state"`
	Members     int32  `json:"members"`
	Coordinator int32  `json:"coordinator"`
}

func groupListJSON(groups []*fjordv1.GroupListing) []jsonGroupListing {
	out := make([]jsonGroupListing, 0, len(groups))
	for _, g := range groups {
		out = append(out, jsonGroupListing{Group: g.GetGroupId(), State: groupStateName(g.GetState()), Members: g.GetMembers(),
			Coordinator: g.GetCoordinatorId()})
	}
	return out
}

func newGroupDescribeCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "describe GROUP",
		Short: "Show a group's state, members, assignment, committed offsets and lag",
		Long: `Show a group's state, epoch, assignor and coordinator, its members with the
partitions each owns, and every partition with a committed offset or an owner:
committed offset, log end offset (high watermark), lag and owning member.
A partition with nothing committed counts its lag from the log start.`,
		Args: exactArgs(1, "the group id"),
		RunE: func(c *cobra.Command, args []string) error {
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				d, err := a.DescribeGroup(ctx, args[0])
				if err != nil {
					return groupOpError("describe", args[0], err)
				}
				if asJSON {
					return writeJSON(c.OutOrStdout(), groupDescriptionJSON(d))
				}
				writeGroupDescription(c.OutOrStdout(), d)
				return nil
			})
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print one JSON object")
	return cmd
}

// sortedGroupPartitions returns d's partitions sorted by topic, partition.
func sortedGroupPartitions(d *fjordv1.DescribeGroupResponse) []*fjordv1.GroupPartition {
	ps := slices.Clone(d.GetPartitions())
	sort.Slice(ps, func(i, j int) bool {
		if ps[i].GetTopic() != ps[j].GetTopic() {
			return ps[i].GetTopic() < ps[j].GetTopic()
		}
		return ps[i].GetPartition() < ps[j].GetPartition()
	})
	return ps
}

// totalLag sums the known lags; ok is false when none is known.
func totalLag(ps []*fjordv1.GroupPartition) (sum int64, ok bool) {
	for _, p := range ps {
		if p.GetLag() >= 0 {
			sum += p.GetLag()
			ok = true
		}
	}
	return sum, ok
}

// offsetOrDash shows -1 (none, unknown) as "-".
func offsetOrDash(o int64) string {
	if o < 0 {
		return "-"
	}
	return strconv.FormatInt(o, 10)
}

func writeGroupDescription(w io.Writer, d *fjordv1.DescribeGroupResponse) {
	ps := sortedGroupPartitions(d)
	lag := "-"
	if sum, ok := totalLag(ps); ok {
		lag = strconv.FormatInt(sum, 10)
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "GROUP\t%s\n", d.GetGroupId())
	fmt.Fprintf(tw, "STATE\t%s\n", groupStateName(d.GetState()))
	fmt.Fprintf(tw, "EPOCH\t%d\n", d.GetGroupEpoch())
	fmt.Fprintf(tw, "ASSIGNOR\t%s\n", dash(d.GetAssignor()))
	fmt.Fprintf(tw, "COORDINATOR\t%d\n", d.GetCoordinatorId())
	fmt.Fprintf(tw, "TOTAL LAG\t%s\n", lag)
	tw.Flush()

	members := d.GetMembers()
	fmt.Fprintf(w, "\nMEMBERS: %d\n", len(members))
	if len(members) > 0 {
		// Pending and revoking partitions only exist during a rebalance.
		moving := slices.ContainsFunc(members, func(m *fjordv1.GroupMember) bool {
			return len(m.GetPending())+len(m.GetRevoking()) > 0
		})
		tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		fmt.Fprint(tw, "MEMBER-ID\tINSTANCE-ID\tCLIENT-ID\tHOST\tEPOCH\tASSIGNED")
		if moving {
			fmt.Fprint(tw, "\tPENDING\tREVOKING")
		}
		fmt.Fprintln(tw)
		for _, m := range members {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s", m.GetMemberId(), dash(m.GetInstanceId()), dash(m.GetClientId()),
				dash(m.GetClientHost()), m.GetMemberEpoch(), compactPartitions(m.GetAssigned()))
			if moving {
				fmt.Fprintf(tw, "\t%s\t%s", compactPartitions(m.GetPending()), compactPartitions(m.GetRevoking()))
			}
			fmt.Fprintln(tw)
		}
		tw.Flush()
	}

	fmt.Fprintf(w, "\nPARTITIONS: %d\n", len(ps))
	if len(ps) > 0 {
		tw = tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
		fmt.Fprintln(tw, "TOPIC\tPARTITION\tCOMMITTED\tLOG-END\tLAG\tOWNER")
		for _, p := range ps {
			fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\t%s\n", p.GetTopic(), p.GetPartition(), offsetOrDash(p.GetCommittedOffset()),
				offsetOrDash(p.GetLogEndOffset()), offsetOrDash(p.GetLag()), dash(p.GetMemberId()))
		}
		tw.Flush()
	}
}

// compactPartitions formats partitions per topic with runs collapsed, topics
// sorted and separated by spaces: "audit[0] orders[0-2,5]"; "-" for none.
func compactPartitions(tps []*fjordv1.TopicPartitions) string {
	byTopic := map[string][]int32{}
	for _, tp := range tps {
		byTopic[tp.GetTopic()] = append(byTopic[tp.GetTopic()], tp.GetPartitions()...)
	}
	if len(byTopic) == 0 {
		return "-"
	}
	topics := make([]string, 0, len(byTopic))
	for t := range byTopic {
		topics = append(topics, t)
	}
	sort.Strings(topics)
	var b strings.Builder
	for i, t := range topics {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(t)
		b.WriteByte('[')
		b.WriteString(partitionRanges(byTopic[t]))
		b.WriteByte(']')
	}
	return b.String()
}

// partitionRanges formats partition numbers sorted, runs of three or more
// as a range: 0-2,5,7,8.
func partitionRanges(ps []int32) string {
	ps = slices.Clone(ps)
	slices.Sort(ps)
	ps = slices.Compact(ps)
	var parts []string
	for i := 0; i < len(ps); {
		j := i
		for j+1 < len(ps) && ps[j+1] == ps[j]+1 {
			j++
		}
		switch {
		case j-i >= 2:
			parts = append(parts, fmt.Sprintf("%d-%d", ps[i], ps[j]))
		default:
			for k := i; k <= j; k++ {
				parts = append(parts, strconv.Itoa(int(ps[k])))
			}
		}
		i = j + 1
	}
	return strings.Join(parts, ",")
}

// JSON forms of a group description: stable field names, lists never null.
type (
	jsonGroupDescription struct {
		Group       string               `json:"group"`
		State       string               `json:"state"`
		Epoch       int32                `json:"epoch"`
		Assignor    string               `json:"assignor"`
		Coordinator int32                `json:"coordinator"`
		TotalLag    int64                `json:"total_lag"`
		Members     []jsonGroupMember    `json:"members"`
		Partitions  []jsonGroupPartition `json:"partitions"`
	}
	jsonGroupMember struct {
		MemberID     string                `json:"member_id"`
		InstanceID   string                `json:"instance_id"`
		ClientID     string                `json:"client_id"`
		ClientHost   string                `json:"client_host"`
		Rack         string                `json:"rack"`
		Epoch        int32                 `json:"epoch"`
		Connected    bool                  `json:"connected"`
		Subscription jsonSubscription      `json:"subscription"`
		Assigned     []jsonTopicPartitions `json:"assigned"`
		Pending      []jsonTopicPartitions `json:"pending"`
		Revoking     []jsonTopicPartitions `json:"revoking"`
	}
	jsonSubscription struct {
		Topics  []string `json:"topics"`
		Pattern string   `json:"pattern"`
	}
	jsonTopicPartitions struct {
		Topic      string  `json:"topic"`
		Partitions []int32 `json:"partitions"`
	}
	jsonGroupPartition struct {
		Topic           string `json:"topic"`
		Partition       int32  `json:"partition"`
		CommittedOffset int64  `json:"committed_offset"`
		LogEndOffset    int64  `json:"log_end_offset"`
		Lag             int64  `json:"lag"`
		Owner           string `json:"owner"`
		Metadata        string `json:"metadata"`
	}
)

func topicPartitionsJSON(tps []*fjordv1.TopicPartitions) []jsonTopicPartitions {
	out := make([]jsonTopicPartitions, 0, len(tps))
	for _, tp := range tps {
		ps := slices.Clone(tp.GetPartitions())
		slices.Sort(ps)
		out = append(out, jsonTopicPartitions{Topic: tp.GetTopic(), Partitions: nonNil(ps)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Topic < out[j].Topic })
	return out
}

func groupDescriptionJSON(d *fjordv1.DescribeGroupResponse) jsonGroupDescription {
	ps := sortedGroupPartitions(d)
	lag, _ := totalLag(ps)
	out := jsonGroupDescription{Group: d.GetGroupId(), State: groupStateName(d.GetState()), Epoch: d.GetGroupEpoch(),
		Assignor: d.GetAssignor(), Coordinator: d.GetCoordinatorId(), TotalLag: lag,
		Members: []jsonGroupMember{}, Partitions: []jsonGroupPartition{}}
	for _, m := range d.GetMembers() {
		topics := m.GetSubscription().GetTopics()
		if topics == nil {
			topics = []string{}
		}
		out.Members = append(out.Members, jsonGroupMember{MemberID: m.GetMemberId(), InstanceID: m.GetInstanceId(),
			ClientID: m.GetClientId(), ClientHost: m.GetClientHost(), Rack: m.GetRack(), Epoch: m.GetMemberEpoch(),
			Connected: m.GetConnected(), Subscription: jsonSubscription{Topics: topics, Pattern: m.GetSubscription().GetPattern()},
			Assigned: topicPartitionsJSON(m.GetAssigned()), Pending: topicPartitionsJSON(m.GetPending()),
			Revoking: topicPartitionsJSON(m.GetRevoking())})
	}
	for _, p := range ps {
		out.Partitions = append(out.Partitions, jsonGroupPartition{Topic: p.GetTopic(), Partition: p.GetPartition(),
			CommittedOffset: p.GetCommittedOffset(), LogEndOffset: p.GetLogEndOffset(), Lag: p.GetLag(),
			Owner: p.GetMemberId(), Metadata: p.GetMetadata()})
	}
	return out
}

// resetFlags are the flags of `group reset`.
type resetFlags struct {
	toEarliest, toLatest bool
	toOffset, shiftBy    int64
	toDatetime           string
	topics               []string
	force, execute       bool
	asJSON               bool
}

// resetTarget checks that exactly one --to-* flag was given and sets it on
// req. loc is the zone of a --to-datetime without one.
func (f *resetFlags) resetTarget(c *cobra.Command, req *fjordv1.ResetOffsetsRequest, loc *time.Location) error {
	const all = "--to-earliest, --to-latest, --to-offset N, --to-datetime T or --shift-by N"
	var given []string
	for _, name := range []string{"to-earliest", "to-latest", "to-offset", "to-datetime", "shift-by"} {
		if c.Flags().Changed(name) {
			given = append(given, "--"+name)
		}
	}
	switch len(given) {
	case 0:
		return usageErrorf(c, "where to? give one of %s", all)
	case 1:
	default:
		return usageErrorf(c, "%s are mutually exclusive: give exactly one of %s", strings.Join(given, " and "), all)
	}
	switch given[0] {
	case "--to-earliest":
		if !f.toEarliest {
			return usageErrorf(c, "--to-earliest=false: give one of %s", all)
		}
		req.To = &fjordv1.ResetOffsetsRequest_Earliest{Earliest: true}
	case "--to-latest":
		if !f.toLatest {
			return usageErrorf(c, "--to-latest=false: give one of %s", all)
		}
		req.To = &fjordv1.ResetOffsetsRequest_Latest{Latest: true}
	case "--to-offset":
		if f.toOffset < 0 {
			return usageErrorf(c, "--to-offset must not be negative")
		}
		req.To = &fjordv1.ResetOffsetsRequest_Offset{Offset: f.toOffset}
	case "--to-datetime":
		t, err := parseResetTime(f.toDatetime, loc)
		if err != nil {
			return &usageError{cmd: c, err: err}
		}
		req.To = &fjordv1.ResetOffsetsRequest_TimestampMs{TimestampMs: t.UnixMilli()}
	case "--shift-by":
		req.To = &fjordv1.ResetOffsetsRequest_ShiftBy{ShiftBy: f.shiftBy}
	}
	return nil
}

// localDatetime is the --to-datetime layout for a time in the local zone
// (fractional seconds are accepted too).
const localDatetime = "2006-01-02T15:04:05"

// parseResetTime parses --to-datetime: RFC3339 with a zone, or
// 2006-01-02T15:04:05 in loc.
func parseResetTime(s string, loc *time.Location) (time.Time, error) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, nil
	}
	if t, err := time.ParseInLocation(localDatetime, s, loc); err == nil {
		return t, nil
	}
	return time.Time{}, fmt.Errorf("invalid --to-datetime %q: want RFC3339 (2006-01-02T15:04:05Z or 2006-01-02T15:04:05+02:00) or local time %s", s, localDatetime)
}

// maxTopicPartitions is the brokers' limit of partitions per topic.
const maxTopicPartitions = 10000

// parseTopicSpecs parses repeated --topic T[:P,P...] values (a partition may
// be a range P-Q) and merges those naming the same topic; a topic named
// without partitions means all of its partitions.
func parseTopicSpecs(specs []string) ([]*fjordv1.TopicPartitions, error) {
	var out []*fjordv1.TopicPartitions
	all := map[string]bool{}
	for _, spec := range specs {
		bad := func(why string) error {
			return fmt.Errorf("invalid --topic %q: %s (want TOPIC or TOPIC:PARTITION[,PARTITION...])", spec, why)
		}
		name, list, hasList := strings.Cut(spec, ":")
		name = strings.TrimSpace(name)
		if name == "" {
			return nil, bad("no topic name")
		}
		var ps []int32
		if hasList {
			for _, p := range strings.Split(list, ",") {
				p = strings.TrimSpace(p)
				lo, hi, isRange := strings.Cut(p, "-")
				a, errA := strconv.ParseInt(lo, 10, 32)
				b := a
				var errB error
				if isRange {
					b, errB = strconv.ParseInt(hi, 10, 32)
				}
				if errA != nil || errB != nil || a < 0 || b < a {
					return nil, bad(fmt.Sprintf("invalid partition %q", p))
				}
				if b >= maxTopicPartitions {
					// A range is expanded: bound it before 0-2147483647 allocates gigabytes.
					return nil, bad(fmt.Sprintf("partition %q: a topic has at most %d partitions", p, maxTopicPartitions))
				}
				for q := a; q <= b; q++ {
					ps = append(ps, int32(q))
				}
			}
		}
		i := slices.IndexFunc(out, func(tp *fjordv1.TopicPartitions) bool { return tp.GetTopic() == name })
		if i < 0 {
			out = append(out, &fjordv1.TopicPartitions{Topic: name})
			i = len(out) - 1
		}
		if !hasList {
			all[name] = true
		}
		out[i].Partitions = append(out[i].Partitions, ps...)
	}
	for _, tp := range out {
		if all[tp.Topic] {
			tp.Partitions = nil
			continue
		}
		slices.Sort(tp.Partitions)
		tp.Partitions = slices.Compact(tp.Partitions)
	}
	return out, nil
}

func newGroupResetCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	f := &resetFlags{}
	cmd := &cobra.Command{
		Use:   "reset GROUP (--to-earliest | --to-latest | --to-offset N | --to-datetime T | --shift-by N) [--topic T[:P,...]]... [--force] [--execute]",
		Short: "Set a group's committed offsets (a dry run unless --execute)",
		Long: `Set a group's committed offsets, backwards too. Without --execute this is a
dry run: it prints the offsets each partition would get and changes nothing.

Where to (exactly one):
  --to-earliest       each partition's log start offset
  --to-latest         each partition's high watermark (skip everything)
  --to-offset N       offset N, clamped to [log start, high watermark]
  --to-datetime T     the first record at or after T: RFC3339
                      (2006-01-02T15:04:05Z, 2006-01-02T15:04:05+02:00) or
                      2006-01-02T15:04:05 in the local time zone
  --shift-by N        the committed offset (the log end if none) plus N
                      (negative to go back), clamped like --to-offset

Which partitions: each --topic T resets every partition of T, --topic T:0,2-4
only those; without --topic, every partition of the topics the group has
committed offsets for.

The group must have no members (stop its consumers) unless --force: its
members are not told, and their next commits may move the offsets again.`,
		Example: `  fjord group reset billing --to-earliest --topic orders
  fjord group reset billing --to-datetime 2025-01-02T15:04:05Z --execute
  fjord group reset billing --shift-by -100 --topic orders:0,1 --execute`,
		Args: exactArgs(1, "the group id"),
		RunE: func(c *cobra.Command, args []string) error {
			group := args[0]
			req := &fjordv1.ResetOffsetsRequest{GroupId: group, Force: f.force, DryRun: !f.execute}
			if err := f.resetTarget(c, req, time.Local); err != nil {
				return err
			}
			topics, err := parseTopicSpecs(f.topics)
			if err != nil {
				return &usageError{cmd: c, err: err}
			}
			req.Topics = topics
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				ctx, cancel := cf.requestCtx(c.Context())
				defer cancel()
				// Per-partition failures come with the response; resetRows
				// reports them.
				res, err := a.ResetOffsets(ctx, req)
				if err != nil && res == nil {
					return groupOpError("reset offsets of", group, err)
				}
				rows := resetRows(res)
				if f.asJSON {
					if err := writeJSON(c.OutOrStdout(), resetJSON(group, !f.execute, rows)); err != nil {
						return err
					}
					return resetFailures(rows)
				}
				writeReset(c.OutOrStdout(), group, !f.execute, rows)
				return resetFailures(rows)
			})
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.toEarliest, "to-earliest", false, "reset to the log start offsets")
	fl.BoolVar(&f.toLatest, "to-latest", false, "reset to the high watermarks")
	fl.Int64Var(&f.toOffset, "to-offset", 0, "reset to this offset")
	fl.StringVar(&f.toDatetime, "to-datetime", "", "reset to the first record at or after this time (RFC3339, or 2006-01-02T15:04:05 local)")
	fl.Int64Var(&f.shiftBy, "shift-by", 0, "move the committed offsets by this many (negative: back)")
	fl.StringArrayVarP(&f.topics, "topic", "t", nil, "TOPIC or TOPIC:P,P-Q to reset (repeatable; default: every topic the group has offsets for)")
	fl.BoolVar(&f.force, "force", false, "reset even though the group has members")
	fl.BoolVar(&f.execute, "execute", false, "store the new offsets (default: dry run)")
	fl.BoolVar(&f.asJSON, "json", false, "print one JSON object")
	return cmd
}

// resetRow is one partition of a reset's result.
type resetRow struct {
	topic     string
	partition int32
	previous  int64
	offset    int64
	err       error
	reason    string // err's reason (or message), for table cells
}

func resetRows(res *fjordv1.ResetOffsetsResponse) []resetRow {
	var rows []resetRow
	for _, t := range res.GetTopics() {
		for _, p := range t.GetPartitions() {
			r := resetRow{topic: t.GetTopic(), partition: p.GetPartition(), previous: p.GetPreviousOffset(), offset: p.GetOffset()}
			if e := p.GetError(); e != nil && (e.GetCode() != 0 || e.GetReason() != "") {
				r.err = protoError(e.GetCode(), e.GetReason(), e.GetMessage())
				r.reason = e.GetReason()
				if r.reason == "" {
					r.reason = oneLine(r.err.Error())
				}
			}
			rows = append(rows, r)
		}
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].topic != rows[j].topic {
			return rows[i].topic < rows[j].topic
		}
		return rows[i].partition < rows[j].partition
	})
	return rows
}

func writeReset(w io.Writer, group string, dryRun bool, rows []resetRow) {
	if len(rows) == 0 {
		fmt.Fprintf(w, "Group %s has no committed offsets to reset; name partitions with --topic\n", group)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "TOPIC\tPARTITION\tPREVIOUS-OFFSET\tNEW-OFFSET")
	ok := 0
	for _, r := range rows {
		prev, next := offsetOrDash(r.previous), strconv.FormatInt(r.offset, 10)
		if r.err != nil {
			prev, next = "-", "failed: "+r.reason
		} else {
			ok++
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", r.topic, r.partition, prev, next)
	}
	tw.Flush()
	switch {
	case dryRun:
		fmt.Fprintf(w, "\nDry run: nothing changed. Run again with --execute to reset group %s.\n", group)
	case ok > 0:
		fmt.Fprintf(w, "\nReset %d partition%s of group %s\n", ok, plural(ok), group)
	}
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// resetFailures returns an error naming the partitions that failed, if any.
func resetFailures(rows []resetRow) error {
	var failed []string
	var first error
	for _, r := range rows {
		if r.err != nil {
			if first == nil {
				first = fmt.Errorf("cannot reset the offset of %s: %w", partitionName(r.topic, r.partition), r.err)
			}
			failed = append(failed, fmt.Sprintf("%s: %s", partitionName(r.topic, r.partition), r.reason))
		}
	}
	switch len(failed) {
	case 0:
		return nil
	case 1:
		return first
	}
	return fmt.Errorf("cannot reset the offsets of %d of %d partitions (%s)", len(failed), len(rows), strings.Join(failed, "; "))
}

type (
	jsonReset struct {
		Group      string               `json:"group"`
		DryRun     bool                 `json:"dry_run"`
		Partitions []jsonResetPartition `json:"partitions"`
	}
	jsonResetPartition struct {
		Topic          string `json:"topic"`
		Partition      int32  `json:"partition"`
		PreviousOffset int64  `json:"previous_offset"`
		NewOffset      int64  `json:"new_offset"`
		Error          string `json:"error,omitempty"`
	}
)

func resetJSON(group string, dryRun bool, rows []resetRow) jsonReset {
	out := jsonReset{Group: group, DryRun: dryRun, Partitions: []jsonResetPartition{}}
	for _, r := range rows {
		jp := jsonResetPartition{Topic: r.topic, Partition: r.partition, PreviousOffset: r.previous, NewOffset: r.offset}
		if r.err != nil {
			jp.Error = r.err.Error()
		}
		out.Partitions = append(out.Partitions, jp)
	}
	return out
}

func newGroupDeleteCmd(env *cliEnv, cf *clientFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "delete GROUP...",
		Short: "Delete empty groups and their committed offsets",
		Args:  minArgs("one or more group ids"),
		RunE: func(c *cobra.Command, args []string) error {
			return adminCmd(c, env, cf, func(a *fjord.Admin) error {
				var errs []string
				var first error
				for _, g := range args {
					ctx, cancel := cf.requestCtx(c.Context())
					err := a.DeleteGroup(ctx, g)
					cancel()
					if err != nil {
						err = groupOpError("delete", g, err)
						if first == nil {
							first = err
						}
						errs = append(errs, oneLine(err.Error()))
						continue
					}
					fmt.Fprintf(c.OutOrStdout(), "Deleted group %s\n", g)
				}
				switch len(errs) {
				case 0:
					return nil
				case 1:
					return first
				}
				return errors.New(strings.Join(errs, "; "))
			})
		},
	}
}
